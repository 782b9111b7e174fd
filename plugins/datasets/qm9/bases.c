/* bases.c — the precomputed-bases cache of the qm9 plugin (SPEC §14.6,
 * without the reference's memory problem): every edge's packed bases
 * (s3f_basis_pack, f32, unpadded) computed once into a file in data_dir and
 * mapped read-only, so every loader thread (and every process on the
 * machine) shares the page cache instead of holding a copy.
 *
 * The file name carries everything the contents depend on — max degree,
 * dtype, padding and the dataset's SHA-256 — and a header repeats it, with
 * the edge count and row width; a file whose header or size disagrees is
 * rebuilt. Writes go through core's atomic file, so a half-written cache
 * never exists under the final name, and under a lock file, so runs that
 * start at once build it once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <se3flow/atomic_file.h>
#include <se3flow/so3.h>

#include "qm9.h"

#define BASES_MAGIC       "S3FQM9B1"
#define BASES_HEADER_SIZE 128 /* keeps the rows 16-byte aligned */
#define BASES_CHUNK_EDGES 8192

typedef struct bases_header {
    char magic[8];
    uint32_t max_degree, width;
    uint64_t edges;
    char sha256[64];
} bases_header;

static bases_header make_header(const qm9_data *d, const char *sha256, int max_degree, int width)
{
    bases_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, BASES_MAGIC, 8);
    h.max_degree = (uint32_t)max_degree;
    h.width = (uint32_t)width;
    h.edges = (uint64_t)d->edges;
    memcpy(h.sha256, sha256, 64);
    return h;
}

static uint64_t file_size(const bases_header *h)
{
    return BASES_HEADER_SIZE + h->edges * h->width * sizeof(float);
}

/* Relative positions pos[dst] - pos[src] of edges [e0, e1) into v (rows). */
static void edge_vectors(const qm9_data *d, int64_t e0, int64_t e1, int64_t *molecule, float *v)
{
    for (int64_t e = e0; e < e1; e++) {
        while (d->edge_start[*molecule + 1] <= e) (*molecule)++;
        const float *pos = d->positions + 3 * d->node_start[*molecule];
        for (int k = 0; k < 3; k++)
            v[3 * (e - e0) + k] = pos[3 * d->dst[e] + k] - pos[3 * d->src[e] + k];
    }
}

static s3f_status write_rows(const qm9_data *d, int max_degree, int width, s3f_atomic_file_t *f)
{
    s3f_tensor *v = NULL, *rows = NULL;
    s3f_status rc;
    int64_t molecule = 0;
    S3F_TRY(s3f_tensor_create(S3F_F32, S3F_SHAPE(BASES_CHUNK_EDGES, 3), &v));
    S3F_TRY(s3f_tensor_create(S3F_F32, S3F_SHAPE(BASES_CHUNK_EDGES, width), &rows));
    for (int64_t e0 = 0; e0 < d->edges; e0 += BASES_CHUNK_EDGES) {
        int64_t n = d->edges - e0 < BASES_CHUNK_EDGES ? d->edges - e0 : BASES_CHUNK_EDGES;
        v->shape.d[0] = rows->shape.d[0] = n;
        edge_vectors(d, e0, e0 + n, &molecule, v->data);
        S3F_TRY(s3f_basis_pack(v, max_degree, rows));
        S3F_TRY(s3f_atomic_write_bytes(f, rows->data, sizeof(float) * (size_t)(n * width)));
    }
fail:
    s3f_tensor_destroy(v);
    s3f_tensor_destroy(rows);
    return rc;
}

static s3f_status check_space(const char *dir, const char *path, uint64_t need)
{
    struct statvfs fs;
    if (statvfs(dir, &fs) != 0)
        return s3f_fail(S3F_ERR_IO, "qm9: cannot check the free space of %s: %s", dir,
                        strerror(errno));
    uint64_t avail = (uint64_t)fs.f_bavail * fs.f_frsize;
    if (avail >= need) return S3F_OK;
    return s3f_fail(S3F_ERR_IO,
                    "qm9: the bases cache %s needs %.2f GB but %s has %.2f GB free; free space, "
                    "set a data directory with room, or turn dataset.precompute_bases off",
                    path, 1e-9 * (double)need, dir, 1e-9 * (double)avail);
}

static s3f_status build(const qm9_data *d, const char *dir, const bases_header *h, const char *path,
                        bool quiet)
{
    uint64_t size = file_size(h);
    if (!quiet)
        fprintf(stderr,
                "qm9: precomputing bases (max degree %u, %lld edges x %u floats): "
                "%.2f GB into %s\n",
                (unsigned)h->max_degree, (long long)d->edges, (unsigned)h->width,
                1e-9 * (double)size, path);
    S3F_RETURN_IF_ERR(check_space(dir, path, size));
    s3f_atomic_file_t *f = NULL;
    unsigned char header[BASES_HEADER_SIZE] = {0};
    memcpy(header, h, sizeof *h);
    s3f_status rc;
    S3F_TRY(s3f_atomic_open(path, &f));
    S3F_TRY(s3f_atomic_write_bytes(f, header, sizeof header));
    S3F_TRY(write_rows(d, (int)h->max_degree, (int)h->width, f));
    rc = s3f_atomic_commit(f);
    f = NULL;
fail:
    s3f_atomic_abort(f);
    return rc;
}

/* Maps `path` if it holds exactly the cache `want`; S3F_ERR_STATE when it is
 * missing or stale (then it is built). */
static s3f_status map_cache(const char *path, const bases_header *want, qm9_bases *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return S3F_ERR_STATE;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size == file_size(want))
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return S3F_ERR_STATE;
    if (memcmp(map, want, sizeof *want) != 0) {
        munmap(map, (size_t)st.st_size);
        return S3F_ERR_STATE;
    }
    out->map = map;
    out->map_size = (size_t)st.st_size;
    out->rows = (const float *)((const char *)map + BASES_HEADER_SIZE);
    out->width = (int)want->width;
    return S3F_OK;
}

/* Builds the cache under `<cache>.lock` (flock), so that runs starting at
 * once build it once: whoever waited finds it complete and maps it. */
static s3f_status build_locked(const qm9_data *d, const char *dir, const bases_header *h,
                               bool quiet, qm9_bases *b)
{
    char lock[4200];
    snprintf(lock, sizeof lock, "%s.lock", b->path);
    S3F_RETURN_IF_ERR(qm9_make_dir(dir));
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return s3f_fail(S3F_ERR_IO, "qm9: cannot create the lock file %s: %s", lock,
                        strerror(errno));
    s3f_status rc = S3F_OK;
    while (flock(fd, LOCK_EX) != 0 && rc == S3F_OK)
        if (errno != EINTR)
            rc = s3f_fail(S3F_ERR_IO, "qm9: cannot lock %s: %s", lock, strerror(errno));
    if (rc == S3F_OK && map_cache(b->path, h, b) != S3F_OK) {
        rc = build(d, dir, h, b->path, quiet);
        if (rc == S3F_OK && map_cache(b->path, h, b) != S3F_OK)
            rc = s3f_fail(S3F_ERR_IO, "qm9: cannot map the bases cache %s just written", b->path);
    }
    close(fd); /* releases the lock; the empty lock file stays (removing it would race) */
    return rc;
}

s3f_status qm9_bases_open(const qm9_data *d, const char *data_dir, const char *sha256,
                          int max_degree, bool quiet, qm9_bases *out)
{
    qm9_bases b = {0};
    int width = (int)s3f_basis_packed_width(max_degree);
    if (width <= 0)
        return s3f_fail(S3F_ERR_ARG, "qm9: basis_max_degree %d is outside 0..%d", max_degree,
                        S3F_BASIS_MAX_DEGREE);
    const char *dir = data_dir && *data_dir ? data_dir : ".";
    snprintf(b.path, sizeof b.path, "%s/qm9_bases_d%d_f32_unpadded_%.64s.bin", dir, max_degree,
             sha256);
    bases_header h = make_header(d, sha256, max_degree, width);
    if (map_cache(b.path, &h, &b) != S3F_OK) S3F_RETURN_IF_ERR(build_locked(d, dir, &h, quiet, &b));
    *out = b;
    return S3F_OK;
}

void qm9_bases_close(qm9_bases *b)
{
    if (b->map) munmap(b->map, b->map_size);
    memset(b, 0, sizeof *b);
}
