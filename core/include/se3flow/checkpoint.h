/* checkpoint.h — model, optimizer and training state in one safetensors file.
 *
 * Tensors: every model parameter under its reference name (so the file loads
 * into the PyTorch reference's state dict as it is), and the optimizer's
 * state tensors under "optimizer.<name>". Metadata (strings): the resolved
 * recipe, epoch, step, run id, seed, target normalisation, the loader's
 * position, and se3flow's version; keys are listed below. Files are written
 * atomically (safetensors.h).
 *
 * Loading checks the whole file against the model first and reports every
 * mismatch at once (missing, unexpected, or differently shaped tensors, by
 * name), so a checkpoint from another model shape says exactly how it
 * differs; nothing is modified unless everything fits. */
#ifndef SE3FLOW_CHECKPOINT_H
#define SE3FLOW_CHECKPOINT_H

#include "se3flow/params.h"
#include "se3flow/safetensors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define S3F_CKPT_MAX_TARGETS 32

/* Training state kept beside the tensors. Strings are borrowed when saving;
 * after loading they point into the open file (valid until it is closed). */
typedef struct s3f_checkpoint_meta {
    const char *recipe_yaml; /* "se3flow.recipe" */
    int64_t epoch;           /* "se3flow.epoch": epochs completed */
    int64_t step;            /* "se3flow.step": optimizer steps completed */
    int64_t batch;           /* "se3flow.batch": batches done in the unfinished epoch */
    double loss_sum;         /* "se3flow.loss_sum": their summed loss (for the epoch mean) */
    double best_metric;      /* "se3flow.best_metric": best validation MAE so far; NaN if none */
    int64_t run_id;          /* "se3flow.run_id" (0: none) */
    uint64_t seed;           /* "se3flow.seed" */
    int targets;             /* entries of mean/std */
    double target_mean[S3F_CKPT_MAX_TARGETS]; /* "se3flow.target_mean": JSON list */
    double target_std[S3F_CKPT_MAX_TARGETS];  /* "se3flow.target_std" */
    double metric;           /* "se3flow.metric": e.g. validation MAE; NaN if none */
    const char *metric_name; /* "se3flow.metric_name" */
} s3f_checkpoint_meta;

/* Optimizer state as the optimizer plugin exposes it (borrowed). */
typedef struct s3f_checkpoint_state {
    int count;
    const char *const *names;
    s3f_tensor *const *tensors;
} s3f_checkpoint_state;

/* Writes params, optimizer state (may be NULL) and meta to `path`. */
S3F_API s3f_status s3f_checkpoint_save(const char *path, const s3f_params_t *params,
                                       const s3f_checkpoint_state *optimizer,
                                       const s3f_checkpoint_meta *meta);

/* Reads `file` into params (and optimizer state, if given and present) and
 * meta. S3F_ERR_SHAPE listing every mismatched tensor when the file does not
 * fit the model; S3F_ERR_FORMAT when metadata is malformed. */
S3F_API s3f_status s3f_checkpoint_load(const s3f_safetensors_t *file, s3f_params_t *params,
                                       const s3f_checkpoint_state *optimizer,
                                       s3f_checkpoint_meta *meta);

/* Only the metadata (for `ckpt info`, `compare`, resume planning). */
S3F_API s3f_status s3f_checkpoint_read_meta(const s3f_safetensors_t *file,
                                            s3f_checkpoint_meta *meta);

#ifdef __cplusplus
}
#endif
#endif
