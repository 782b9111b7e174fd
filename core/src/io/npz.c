/* npz.c — the zip side of the .npz reader (npz.h): end-of-central-directory
 * record, zip64 locator and record, central directory entries with zip64
 * extra fields, local headers, stored and deflated (raw deflate) members and
 * their CRC-32. Every number read from the archive is checked against the
 * buffer before a pointer is formed from it; sums are overflow-checked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "se3flow/npz.h"
#include "se3flow/status.h"

#define SIG_LOCAL    0x04034b50u
#define SIG_CENTRAL  0x02014b50u
#define SIG_EOCD     0x06054b50u
#define SIG_EOCD64   0x06064b50u
#define SIG_LOC64    0x07064b50u
#define EOCD_SIZE    22
#define LOC64_SIZE   20
#define EOCD64_SIZE  56
#define CENTRAL_SIZE 46
#define LOCAL_SIZE   30
/* Deflate expands at most ~1032:1; a larger declared ratio is a lie. */
#define MAX_DEFLATE_RATIO 1040u

typedef struct member {
    char *name;
    uint16_t flags, method;
    uint32_t crc;
    uint64_t csize, usize, offset;
} member;

struct s3f_npz {
    void *map; /* the mapped file, or NULL for open_memory */
    size_t map_size;
    const unsigned char *data;
    size_t size;
    uint64_t cd_offset; /* members' data must end before the central directory */
    member *members;
    int count;
};

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static s3f_status bad_archive(const char *what)
{
    return s3f_fail(S3F_ERR_FORMAT, "npz: %s", what);
}

static s3f_status bad_member(const char *name, const char *what)
{
    return s3f_fail(S3F_ERR_FORMAT, "npz member '%s': %s", name, what);
}

/* [off, off + len) lies within [0, limit). */
static bool in_range(uint64_t off, uint64_t len, uint64_t limit)
{
    return off <= limit && len <= limit - off;
}

/* The EOCD record: the last signature within the final 64 KiB + 22 bytes
 * whose comment ends inside the buffer. */
static s3f_status find_eocd(const s3f_npz_t *z, size_t *pos)
{
    if (z->size < EOCD_SIZE) return bad_archive("too short to be a zip archive");
    size_t last = z->size - EOCD_SIZE;
    size_t first = last > 0xffff ? last - 0xffff : 0;
    for (size_t i = last + 1; i-- > first;) {
        const unsigned char *p = z->data + i;
        if (rd32(p) == SIG_EOCD && rd16(p + 20) <= z->size - i - EOCD_SIZE) {
            *pos = i;
            return S3F_OK;
        }
    }
    return bad_archive("no end-of-central-directory record (not a zip archive)");
}

/* Fills count, cd offset and size from the EOCD and, if present, the zip64
 * locator and record. */
static s3f_status read_directory_end(const s3f_npz_t *z, uint64_t *count, uint64_t *cd_off,
                                     uint64_t *cd_size, uint64_t *cd_limit)
{
    size_t pos = 0;
    s3f_status st = find_eocd(z, &pos);
    if (st != S3F_OK) return st;
    const unsigned char *e = z->data + pos;
    if (rd16(e + 4) != 0 || rd16(e + 6) != 0 || rd16(e + 8) != rd16(e + 10))
        return bad_archive("multi-disk archives are not supported");
    *count = rd16(e + 10);
    *cd_size = rd32(e + 12);
    *cd_off = rd32(e + 16);
    *cd_limit = pos;
    if (pos >= LOC64_SIZE && rd32(e - LOC64_SIZE) == SIG_LOC64) {
        const unsigned char *l = e - LOC64_SIZE;
        uint64_t off64 = rd64(l + 8);
        if (rd32(l + 4) != 0 || rd32(l + 16) > 1)
            return bad_archive("multi-disk zip64 archives are not supported");
        if (!in_range(off64, EOCD64_SIZE, pos - LOC64_SIZE))
            return bad_archive("the zip64 end-of-central-directory offset lies outside the file");
        const unsigned char *r = z->data + off64;
        if (rd32(r) != SIG_EOCD64)
            return bad_archive("no zip64 end-of-central-directory record where the locator points");
        if (rd32(r + 16) != 0 || rd32(r + 20) != 0 || rd64(r + 24) != rd64(r + 32))
            return bad_archive("multi-disk zip64 archives are not supported");
        *count = rd64(r + 32);
        *cd_size = rd64(r + 40);
        *cd_off = rd64(r + 48);
        *cd_limit = off64;
    } else if (*count == 0xffff || *cd_size == 0xffffffffu || *cd_off == 0xffffffffu) {
        return bad_archive("zip64 sizes are declared but there is no zip64 locator");
    }
    if (!in_range(*cd_off, *cd_size, *cd_limit))
        return bad_archive("the central directory lies outside the file");
    if (*count > *cd_size / CENTRAL_SIZE)
        return bad_archive("the entry count does not fit in the central directory");
    return S3F_OK;
}

/* Replaces 0xffff... placeholders from the zip64 extra field (id 1). */
static s3f_status apply_zip64_extra(member *m, const unsigned char *x, size_t len)
{
    bool need_u = m->usize == 0xffffffffu, need_c = m->csize == 0xffffffffu,
         need_o = m->offset == 0xffffffffu;
    while (len >= 4) {
        uint16_t id = rd16(x), n = rd16(x + 2);
        if (n > len - 4) return bad_member(m->name, "an extra field runs past its entry");
        if (id == 1) {
            const unsigned char *f = x + 4;
            size_t left = n;
            uint64_t *slots[3] = {need_u ? &m->usize : NULL, need_c ? &m->csize : NULL,
                                  need_o ? &m->offset : NULL};
            for (int i = 0; i < 3; i++) {
                if (!slots[i]) continue;
                if (left < 8) return bad_member(m->name, "the zip64 extra field is too short");
                *slots[i] = rd64(f);
                f += 8;
                left -= 8;
            }
            return S3F_OK;
        }
        x += 4 + n;
        len -= 4 + (size_t)n;
    }
    if (need_u || need_c || need_o)
        return bad_member(m->name, "zip64 sizes are declared but there is no zip64 extra field");
    return S3F_OK;
}

static s3f_status read_central(s3f_npz_t *z, uint64_t count, uint64_t cd_off, uint64_t cd_size)
{
    z->members = calloc(count ? count : 1, sizeof *z->members);
    if (!z->members)
        return s3f_fail(S3F_ERR_NOMEM, "npz: no memory for %llu entries",
                        (unsigned long long)count);
    uint64_t at = cd_off, end = cd_off + cd_size;
    for (uint64_t i = 0; i < count; i++) {
        if (!in_range(at, CENTRAL_SIZE, end) || rd32(z->data + at) != SIG_CENTRAL)
            return bad_archive("a central directory entry is missing or corrupt");
        const unsigned char *h = z->data + at;
        size_t name_len = rd16(h + 28), extra_len = rd16(h + 30), comment_len = rd16(h + 32);
        uint64_t total = CENTRAL_SIZE + (uint64_t)name_len + extra_len + comment_len;
        if (!in_range(at, total, end))
            return bad_archive("a central directory entry runs past the directory");
        if (memchr(h + CENTRAL_SIZE, 0, name_len))
            return bad_archive("a member name contains a NUL byte");
        member *m = &z->members[z->count];
        m->name = malloc(name_len + 1);
        if (!m->name) return s3f_fail(S3F_ERR_NOMEM, "npz: no memory for a member name");
        memcpy(m->name, h + CENTRAL_SIZE, name_len);
        m->name[name_len] = '\0';
        z->count++;
        m->flags = rd16(h + 8);
        m->method = rd16(h + 10);
        m->crc = rd32(h + 16);
        m->csize = rd32(h + 20);
        m->usize = rd32(h + 24);
        m->offset = rd32(h + 42);
        if (rd16(h + 34) != 0 && rd16(h + 34) != 0xffff)
            return bad_member(m->name, "lies on another disk");
        s3f_status st = apply_zip64_extra(m, h + CENTRAL_SIZE + name_len, extra_len);
        if (st != S3F_OK) return st;
        at += total;
    }
    return S3F_OK;
}

static s3f_status open_buffer(s3f_npz_t *z)
{
    uint64_t count = 0, cd_off = 0, cd_size = 0, cd_limit = 0;
    s3f_status st = read_directory_end(z, &count, &cd_off, &cd_size, &cd_limit);
    if (st != S3F_OK) return st;
    if (count > INT_MAX) return bad_archive("too many members");
    z->cd_offset = cd_off;
    return read_central(z, count, cd_off, cd_size);
}

s3f_status s3f_npz_open_memory(const void *data, size_t size, s3f_npz_t **out)
{
    if (!out || (!data && size)) return s3f_fail(S3F_ERR_ARG, "s3f_npz_open_memory: NULL argument");
    *out = NULL;
    s3f_npz_t *z = calloc(1, sizeof *z);
    if (!z) return s3f_fail(S3F_ERR_NOMEM, "npz: no memory");
    z->data = data;
    z->size = size;
    s3f_status st = open_buffer(z);
    if (st != S3F_OK) {
        s3f_npz_close(z);
        return st;
    }
    *out = z;
    return S3F_OK;
}

s3f_status s3f_npz_open(const char *path, s3f_npz_t **out)
{
    if (!path || !out) return s3f_fail(S3F_ERR_ARG, "s3f_npz_open: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return s3f_fail(S3F_ERR_IO, "npz: cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int err = errno;
        close(fd);
        return s3f_fail(S3F_ERR_IO, "npz: '%s' is not a readable regular file%s%s", path,
                        err ? ": " : "", err ? strerror(err) : "");
    }
    if ((uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return s3f_fail(S3F_ERR_IO, "npz: '%s' is too large to map", path);
    }
    size_t size = (size_t)sb.st_size;
    void *map = NULL;
    if (size) {
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            int err = errno;
            close(fd);
            return s3f_fail(S3F_ERR_IO, "npz: cannot map '%s': %s", path, strerror(err));
        }
    }
    close(fd);
    s3f_npz_t *z = calloc(1, sizeof *z);
    if (!z) {
        if (map) munmap(map, size);
        return s3f_fail(S3F_ERR_NOMEM, "npz: no memory");
    }
    z->map = map;
    z->map_size = size;
    z->data = map;
    z->size = size;
    s3f_status st = open_buffer(z);
    if (st != S3F_OK) {
        s3f_fail_context(st, "'%s': ", path);
        s3f_npz_close(z);
        return st;
    }
    *out = z;
    return S3F_OK;
}

void s3f_npz_close(s3f_npz_t *z)
{
    if (!z) return;
    for (int i = 0; i < z->count; i++) free(z->members[i].name);
    free(z->members);
    if (z->map) munmap(z->map, z->map_size);
    free(z);
}

int s3f_npz_count(const s3f_npz_t *z)
{
    return z ? z->count : 0;
}

const char *s3f_npz_name(const s3f_npz_t *z, int i)
{
    return z && i >= 0 && i < z->count ? z->members[i].name : NULL;
}

static const member *find(const s3f_npz_t *z, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < z->count; i++)
        if (strcmp(z->members[i].name, name) == 0) return &z->members[i];
    for (int i = 0; i < z->count; i++) {
        const char *s = z->members[i].name;
        if (strlen(s) == n + 4 && memcmp(s, name, n) == 0 && strcmp(s + n, ".npy") == 0)
            return &z->members[i];
    }
    return NULL;
}

bool s3f_npz_has(const s3f_npz_t *z, const char *name)
{
    return z && name && find(z, name);
}

/* crc32 over a size_t length (zlib's uInt is 32 bits). */
static uint32_t crc_of(const unsigned char *p, uint64_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

static s3f_status inflate_member(const member *m, const unsigned char *src, unsigned char *dst)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, -15) != Z_OK) return s3f_fail(S3F_ERR_NOMEM, "npz: inflateInit2 failed");
    uint64_t in_left = m->csize, out_left = m->usize;
    zs.next_in = (Bytef *)src;
    zs.next_out = dst;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (zs.avail_in == 0 && in_left) {
            zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0 && out_left) {
            zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
            out_left -= zs.avail_out;
        }
        rc = inflate(&zs, Z_NO_FLUSH); /* Z_BUF_ERROR: no progress possible; stop */
    }
    uint64_t produced = m->usize - out_left - zs.avail_out;
    bool input_done = !zs.avail_in && !in_left;
    inflateEnd(&zs);
    if (rc == Z_STREAM_END && produced == m->usize && input_done) return S3F_OK;
    if (rc == Z_DATA_ERROR) return bad_member(m->name, "the deflate stream is corrupt");
    if (rc == Z_MEM_ERROR) return s3f_fail(S3F_ERR_NOMEM, "npz: no memory to inflate");
    if (rc == Z_STREAM_END)
        return bad_member(m->name, "the deflate stream does not match the declared sizes");
    if (!zs.avail_out && !out_left)
        return bad_member(m->name, "inflates to more than its declared uncompressed size");
    return bad_member(m->name, "the deflate stream is truncated");
}

s3f_status s3f_npz_read(const s3f_npz_t *z, const char *name, s3f_tensor **out)
{
    if (!z || !name || !out) return s3f_fail(S3F_ERR_ARG, "s3f_npz_read: NULL argument");
    *out = NULL;
    const member *m = find(z, name);
    if (!m) return s3f_fail(S3F_ERR_ARG, "npz: no member '%s' (nor '%s.npy')", name, name);
    if (m->flags & 1) return bad_member(m->name, "is encrypted");
    if (m->method != 0 && m->method != 8)
        return s3f_fail(S3F_ERR_FORMAT,
                        "npz member '%s': compression method %u is not supported "
                        "(only stored and deflated)",
                        m->name, (unsigned)m->method);
    if (!in_range(m->offset, LOCAL_SIZE, z->cd_offset) || rd32(z->data + m->offset) != SIG_LOCAL)
        return bad_member(m->name, "no local header at its offset");
    const unsigned char *h = z->data + m->offset;
    size_t name_len = rd16(h + 26), extra_len = rd16(h + 28);
    if (name_len != strlen(m->name) || !in_range(m->offset, LOCAL_SIZE + name_len, z->cd_offset) ||
        memcmp(h + LOCAL_SIZE, m->name, name_len) != 0)
        return bad_member(m->name, "the local header names a different member");
    uint64_t data_off = m->offset + LOCAL_SIZE + name_len + extra_len;
    if (!in_range(data_off, m->csize, z->cd_offset))
        return bad_member(m->name, "its data runs past the start of the central directory");
    const unsigned char *src = z->data + data_off;
    if (m->method == 0 && m->csize != m->usize)
        return bad_member(m->name, "stored, but its compressed and uncompressed sizes differ");
    if (m->method == 8 && m->usize / MAX_DEFLATE_RATIO > m->csize + 1)
        return bad_member(m->name, "its declared uncompressed size is impossibly large");
    if (m->usize > SIZE_MAX - 1) return bad_member(m->name, "is too large for this machine");
    unsigned char *buf = NULL;
    const unsigned char *plain = src;
    if (m->method == 8) {
        buf = malloc(m->usize ? (size_t)m->usize : 1);
        if (!buf)
            return s3f_fail(S3F_ERR_NOMEM, "npz member '%s': no memory for %llu bytes", m->name,
                            (unsigned long long)m->usize);
        s3f_status st = inflate_member(m, src, buf);
        if (st != S3F_OK) {
            free(buf);
            return st;
        }
        plain = buf;
    }
    s3f_status st;
    uint32_t crc = crc_of(plain, m->usize);
    if (crc != m->crc)
        st = s3f_fail(S3F_ERR_FORMAT, "npz member '%s': CRC-32 mismatch (stored %08x, data %08x)",
                      m->name, (unsigned)m->crc, (unsigned)crc);
    else
        st = s3f_npy_read_memory(plain, (size_t)m->usize, m->name, out);
    free(buf);
    return st;
}
