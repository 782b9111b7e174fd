/* trainer.h — the training loop that `se3flow run` drives (SPEC §15.3).
 *
 * Per epoch: batches from the loader (shuffled by seed and epoch); L1 loss
 * on normalised targets divided by accumulate_grad_batches; an optimizer
 * step every accumulate_grad_batches batches and at the end of the epoch,
 * after optional clipping of the global gradient L2 norm; the learning rate
 * from the schedule (per epoch, as the reference, or per step); evaluation
 * on the validation split every eval_interval epochs and after the last,
 * reporting MAE in physical units (normalised MAE x the training std);
 * checkpoints `last` (every epoch and on interruption), `best` (by
 * validation MAE) and `epoch_N` (every ckpt_interval epochs).
 *
 * Interruption: when s3f_stop_requested() turns true (the CLI's SIGINT /
 * SIGTERM handler calls s3f_request_stop), the loop finishes the optimizer
 * step in progress, writes `last` with its position in the epoch and
 * returns with result.interrupted set. Resuming from that checkpoint
 * (start_* fields) continues bit for bit: the loader's order depends only on
 * (seed, epoch), and gradient accumulation never spans the stop.
 *
 * A non-finite loss or gradient stops the run with S3F_ERR_NUMERIC naming
 * epoch, batch and step; the last good checkpoint is kept. */
#ifndef SE3FLOW_TRAINER_H
#define SE3FLOW_TRAINER_H

#include "se3flow/checkpoint.h"
#include "se3flow/plugin.h"
#include "se3flow/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_train_config {
    int64_t epochs;              /* > 0 */
    int batch_size;              /* > 0 */
    int accumulate_grad_batches; /* >= 1 */
    double gradient_clip;        /* global L2 norm; 0: off */
    int64_t eval_interval;       /* > 0 */
    int64_t ckpt_interval;       /* > 0: also keep epoch_N every N epochs */
    int num_workers;
    uint64_t seed;
    s3f_schedule schedule;
    bool schedule_per_step;  /* false: per epoch (the reference) */
    const char *ckpt_dir;    /* existing directory; NULL: write no checkpoints */
    const char *recipe_yaml; /* stored in checkpoints; may be NULL */
    int64_t run_id;
    size_t arena_limit;   /* bytes; 0: no limit */
    int64_t poison_batch; /* test switch: this global batch's loss becomes NaN; -1 off */
    /* Where to start: all 0 for a new run; a resumed run takes them from its
     * checkpoint's metadata (epoch, batch, step, loss_sum, best_metric). */
    int64_t start_epoch, start_batch, start_step;
    double start_loss_sum, start_best_mae;
} s3f_train_config;

/* Where progress goes. Every member may be NULL. */
typedef struct s3f_train_observer {
    void *user;
    void (*metrics)(void *user, const s3f_metric *metrics, int count);
    void (*progress)(void *user, const s3f_progress *progress);
    void (*text)(void *user, const char *text);
    void (*checkpoint)(void *user, const char *path, int64_t epoch, int64_t step,
                       const char *metric_name, double metric);
} s3f_train_observer;

/* The plugins' instances (all borrowed). */
typedef struct s3f_train_setup {
    const s3f_dataset_i *dataset;
    void *dataset_state;
    const s3f_dataset_desc *desc;
    const s3f_model_i *model;
    void *model_state;
    const s3f_optimizer_i *optimizer;
    void *optimizer_state;
} s3f_train_setup;

typedef struct s3f_train_result {
    int64_t epochs_done; /* completed epochs */
    int64_t steps;       /* optimizer steps in all */
    double last_train_loss;
    double last_val_mae; /* NaN if never evaluated */
    double best_val_mae; /* NaN if never evaluated */
    bool interrupted;
    size_t arena_peak_bytes; /* high-water mark of the step arena (for `se3flow bench`) */
} s3f_train_result;

/* Trains. *result is filled on success and on failure alike (as far as the
 * run got). */
S3F_API s3f_status s3f_train(const s3f_train_config *config, const s3f_train_setup *setup,
                             const s3f_train_observer *observer, s3f_train_result *result);

/* Validation-style evaluation of the model on a split: MAE in physical
 * units (mean over molecules and targets of |pred - target| x std). */
S3F_API s3f_status s3f_evaluate(const s3f_train_setup *setup, s3f_dataset_split split,
                                int batch_size, int num_workers, double *mae);

/* Asks a running s3f_train to stop at the next optimizer step (async-signal
 * safe: it only sets a flag), and reads/clears the flag. */
S3F_API void s3f_request_stop(void);
S3F_API bool s3f_stop_requested(void);
S3F_API void s3f_clear_stop(void);

#ifdef __cplusplus
}
#endif
#endif
