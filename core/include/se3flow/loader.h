/* loader.h — batches of molecules from a dataset, in a seeded order, built
 * ahead of time by worker threads while the model computes.
 *
 * Each epoch has an order: the split's indices 0..size-1, shuffled by
 * (seed, epoch) when asked (Fisher–Yates over Philox draws, so the order
 * depends on nothing else), then sharded: rank r of `world` ranks takes
 * positions r, r+world, r+2·world, ... Batches are consecutive runs of
 * batch_size molecules of that order; the last, smaller batch is kept (as
 * the reference's DataLoader does). Workers build batches (dataset get,
 * collate, target normalisation) into a ring of slots, and s3f_loader_next
 * hands them out strictly in order, so the batches are bitwise the same for
 * any number of workers, 0 included (built on the calling thread).
 *
 * One thread drives a loader (begin_epoch/next/destroy); the dataset's get
 * must be thread-safe (plugin.h). */
#ifndef SE3FLOW_LOADER_H
#define SE3FLOW_LOADER_H

#include "se3flow/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_loader_opts {
    const s3f_dataset_i *dataset; /* borrowed; outlives the loader */
    void *dataset_state;          /* borrowed */
    s3f_dataset_split split;
    int64_t size;   /* molecules in the split */
    int batch_size; /* > 0 */
    bool shuffle;
    uint64_t seed;
    int workers;     /* 0: build on the calling thread */
    int rank, world; /* 0 <= rank < world; world 1 for one process */
    s3f_graph_layout layout;
    /* (T) each; batches then hold (target - mean) / std. NULL: raw targets. */
    const double *target_mean;
    const double *target_std;
} s3f_loader_opts;

typedef struct s3f_loader s3f_loader_t;

/* Copies the options (the mean/std arrays too). Starts the workers. */
S3F_API s3f_status s3f_loader_create(const s3f_loader_opts *opts, s3f_loader_t **out);
/* Stops the workers (waiting for batches in progress) and frees everything. */
S3F_API void s3f_loader_destroy(s3f_loader_t *loader);

/* Batches this rank gets per epoch. */
S3F_API int64_t s3f_loader_batches(const s3f_loader_t *loader);

/* Starts epoch `epoch` (any batches of a previous epoch not taken are
 * dropped). Must be called before the first s3f_loader_next. */
S3F_API s3f_status s3f_loader_begin_epoch(s3f_loader_t *loader, int64_t epoch);
/* The same, starting at batch `first` of the epoch (to resume mid-epoch);
 * batches before it are never built. */
S3F_API s3f_status s3f_loader_begin_epoch_at(s3f_loader_t *loader, int64_t epoch, int64_t first);

/* The next batch of the epoch (caller takes ownership; free with
 * s3f_graph_batch_destroy), or *out = NULL when the epoch is done. A failure
 * while building (the dataset's get or collation) is returned here with the
 * dataset's message and the molecule's split index. */
S3F_API s3f_status s3f_loader_next(s3f_loader_t *loader, s3f_graph_batch **out);

/* The epoch's order for this rank (borrowed; valid until the next
 * begin_epoch): batch b holds order[b*batch_size ...]. For tests and tools. */
S3F_API const int64_t *s3f_loader_order(const s3f_loader_t *loader, int64_t *count);

#ifdef __cplusplus
}
#endif
#endif
