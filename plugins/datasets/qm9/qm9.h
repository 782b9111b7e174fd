/* qm9.h — the pieces of the `qm9` dataset plugin (SPEC §14), shared by its
 * files: the arrays of the .npz file (arrays.c), the reference's split and
 * the normalisation (split.c), finding or downloading the file (source.c)
 * and the precomputed-bases cache (bases.c). qm9.c ties them together.
 *
 * Invariant: a qm9_data that arrays.c returned has been checked whole —
 * counts sum to the array lengths and every src/dst lies inside its
 * molecule — so the rest of the plugin indexes it without checks. */
#ifndef SE3FLOW_QM9_H
#define SE3FLOW_QM9_H

#include <stdbool.h>
#include <stdint.h>

#include <se3flow/plugin.h>

#define QM9_TARGETS        19 /* columns of `targets` (SPEC §14.3) */
#define QM9_NODE_ATTR      11 /* columns of `node_attr` in the file */
#define QM9_NODE_FEATURES  6  /* the model's node features: one-hot H..F + Z */
#define QM9_EDGE_FEATURES  4  /* bond one-hot: single, double, triple, aromatic */
#define QM9_REFERENCE_SIZE 130831

/* The file's arrays, converted for the model. M molecules, ΣN atoms, ΣE
 * directed edges. All heap, owned by the struct. */
typedef struct qm9_data {
    int64_t molecules, atoms, edges; /* M, ΣN, ΣE */
    int64_t *node_start;             /* (M+1) first atom row of molecule k */
    int64_t *edge_start;             /* (M+1) first edge row of molecule k */
    float *positions;                /* (ΣN, 3) Å */
    float *node_features;            /* (ΣN, 6) node_attr[:, :6] */
    float *edge_features;            /* (ΣE, 4) */
    int32_t *src, *dst;              /* (ΣE) local atom indices */
    double *targets;                 /* (M, 19) physical units */
    bool targets_f32;                /* the file stores targets as <f4 (else <f8) */
} qm9_data;

/* Reads and checks every array of the .npz at `path`; errors name the file,
 * the member and the fault. *out is written only on success. */
s3f_status qm9_data_read(const char *path, qm9_data *out);
void qm9_data_free(qm9_data *data);

/* The 19 target keys in column order, NULL-terminated (the `task` choices). */
extern const char *const qm9_target_choices[QM9_TARGETS + 1];
/* Column of target `key` (SPEC §14.3) or -1; its unit. */
int qm9_target_column(const char *key);
const char *qm9_target_key(int column);
const char *qm9_target_unit(int column);
/* "mu, alpha, ..." for messages (static). */
const char *qm9_target_keys(void);

/* ---- split.c ---- */

/* The reference's split (SPEC §14.5): order holds a permutation of 0..M-1;
 * split k is order[offset[k] .. offset[k]+size[k]). */
typedef struct qm9_split {
    int64_t *order; /* (M) heap */
    int64_t offset[S3F_SPLIT_COUNT], size[S3F_SPLIT_COUNT];
} qm9_split;

/* PyTorch's randperm on CPU for n < 2^24 with MT19937 seeded with `seed`:
 * swap r[i] with r[i + next_u32 % (n - i)] for i = 0..n-2. */
void qm9_randperm(int64_t n, uint32_t seed, int64_t *out);
/* The split of M molecules: the reference's sizes (100,000 / rest / int(0.1 M))
 * and, for another M, the same fractions; then `subset` (0: none) keeps the
 * first floor(subset x fraction) of train and test and the rest of the subset
 * as val, each from the front of its split. */
s3f_status qm9_split_make(int64_t molecules, int64_t subset, qm9_split *out);
void qm9_split_free(qm9_split *split);

/* ---- stats.c ---- */

/* Mean and population std (ddof 0) of targets column `column` over the train
 * split, bit for bit as NumPy computes them in the file's dtype. */
s3f_status qm9_split_stats(const qm9_split *split, const qm9_data *data, int column, double *mean,
                           double *std);

/* ---- source.c ---- */

/* Where the file comes from: the resolved path and URL, and the SHA-256 of
 * the bytes that were read. */
typedef struct qm9_source {
    char path[4096];
    char url[2048];
    char sha256[65];
    bool downloaded; /* fetched by this call (so a bad file is ours to remove) */
} qm9_source;

/* Resolves `file` against data_dir and `url` against SE3FLOW_QM9_URL; when
 * the file is missing, downloads it (progress on stderr unless quiet), or,
 * offline (SE3FLOW_OFFLINE=1, or the URL's host does not resolve), fails at
 * once naming the URL and where to put the file by hand. Then hashes the
 * file and checks the `sha256` pin. */
typedef struct qm9_fetch {
    const char *url, *file, *data_dir, *sha256; /* sha256 NULL or "": no pin */
    double stall_timeout_s;
    int tries;
    bool quiet;
} qm9_fetch;
s3f_status qm9_source_get(const qm9_fetch *fetch, qm9_source *out);
/* Makes the data directory (one level) unless it exists. */
s3f_status qm9_make_dir(const char *dir);
/* After the file turned out unreadable (rc, with its message): one freshly
 * downloaded is moved aside to <path>.bad so the next run downloads again;
 * for one that was already there, the message says to delete it. */
s3f_status qm9_source_reject(const qm9_source *source, s3f_status rc);

/* ---- bases.c ---- */

/* Precomputed bases of every edge of the file, in file edge order, mapped
 * read-only from a cache file in data_dir shared by every loader thread. */
typedef struct qm9_bases {
    int width;         /* W = s3f_basis_packed_width(max_degree) */
    const float *rows; /* (ΣE, W) inside the mapping */
    void *map;         /* the whole mapping */
    size_t map_size;
    char path[4096];
} qm9_bases;

/* Opens the cache for (max_degree, f32, unpadded, sha256) in data_dir,
 * building it first when missing: logs its size, refuses when the disk
 * lacks the space, writes it atomically. */
s3f_status qm9_bases_open(const qm9_data *data, const char *data_dir, const char *sha256,
                          int max_degree, bool quiet, qm9_bases *out);
void qm9_bases_close(qm9_bases *bases);

#endif
