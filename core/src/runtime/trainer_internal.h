/* trainer_internal.h — the state of one training run, shared by the files
 * of the training loop (internal to core). */
#ifndef SE3FLOW_TRAINER_INTERNAL_H
#define SE3FLOW_TRAINER_INTERNAL_H

#include "se3flow/context.h"
#include "se3flow/loader.h"
#include "se3flow/trainer.h"

typedef struct train_run {
    const s3f_train_config *cfg;
    const s3f_train_setup *setup;
    const s3f_train_observer *obs;
    s3f_train_result *result;
    s3f_params_t *params;
    s3f_ctx_t *ctx;
    s3f_loader_t *loader;
    int64_t epoch, batch, step; /* position: epoch being trained, batches done in it */
    double loss_sum;            /* of the batches done in this epoch */
    double lr;
} train_run;

/* Forward, loss, backward of one batch; adds the loss to *loss. Gradients
 * accumulate in the parameter slab. */
s3f_status trainer_batch(train_run *run, const s3f_graph_batch *batch, int64_t global_batch,
                         double *loss);
/* Clips, checks for non-finite gradients, steps the optimizer, zeroes grads. */
s3f_status trainer_optimizer_step(train_run *run);
/* Writes <ckpt_dir>/<name>.safetensors and tells the observer. */
s3f_status trainer_save(train_run *run, const char *name, double metric);
/* Predictions for a batch (no gradients), as a heap f64 (B, T) tensor. */
s3f_status trainer_predict(const s3f_train_setup *setup, s3f_ctx_t *ctx,
                           const s3f_graph_batch *batch, s3f_tensor **out);
void trainer_text(const train_run *run, const char *fmt, ...);

#endif
