/* trainer_step.c — one batch (forward, loss, backward) and one optimizer
 * step (clip, finiteness check, update), and checkpoint writing. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "se3flow/ops.h"
#include "trainer_internal.h"

void trainer_text(const train_run *run, const char *fmt, ...)
{
    if (!run->obs || !run->obs->text) return;
    char text[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    run->obs->text(run->obs->user, text);
}

/* The batch's targets as a step tensor of the prediction's dtype and shape. */
static s3f_status targets_like(s3f_ctx_t *ctx, const s3f_graph_batch *batch, const s3f_tensor *pred,
                               s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, pred->dtype, pred->shape, out));
    return s3f_tensor_cast(*out, batch->targets);
}

s3f_status trainer_batch(train_run *run, const s3f_graph_batch *batch, int64_t global_batch,
                         double *loss_value)
{
    const s3f_train_setup *s = run->setup;
    s3f_tensor *pred = NULL, *target = NULL, *loss = NULL;
    s3f_status rc = s->model->forward(s->model_state, run->ctx, batch, &pred);
    if (rc == S3F_OK && s3f_tensor_numel(pred) != s3f_tensor_numel(batch->targets))
        rc = s3f_fail(S3F_ERR_SHAPE, "the model gave %lld predictions for %lld targets",
                      (long long)s3f_tensor_numel(pred),
                      (long long)s3f_tensor_numel(batch->targets));
    if (rc == S3F_OK) rc = targets_like(run->ctx, batch, pred, &target);
    if (rc == S3F_OK) rc = s3f_l1_loss(run->ctx, pred, target, &loss);
    double scale = 1.0 / run->cfg->accumulate_grad_batches;
    if (global_batch == run->cfg->poison_batch) scale = NAN;
    if (rc == S3F_OK) rc = s3f_scale(run->ctx, loss, scale, &loss);
    if (rc == S3F_OK) *loss_value = s3f_tensor_get(loss, 0);
    if (rc == S3F_OK && !isfinite(*loss_value))
        rc = s3f_fail(S3F_ERR_NUMERIC,
                      "the loss became %g at epoch %lld, batch %lld (step %lld); the run stops and "
                      "keeps its last good checkpoint",
                      *loss_value, (long long)run->epoch + 1, (long long)run->batch + 1,
                      (long long)run->step);
    if (rc == S3F_OK) rc = s3f_backward(run->ctx, loss);
    s3f_ctx_reset(run->ctx);
    return rc;
}

static double grad_norm(const s3f_tensor *grads)
{
    double sum = 0;
    int64_t n = s3f_tensor_numel(grads);
    if (grads->dtype == S3F_F32)
        for (int64_t i = 0; i < n; i++)
            sum += (double)((const float *)grads->data)[i] * ((const float *)grads->data)[i];
    else
        for (int64_t i = 0; i < n; i++)
            sum += ((const double *)grads->data)[i] * ((const double *)grads->data)[i];
    return sqrt(sum);
}

s3f_status trainer_optimizer_step(train_run *run)
{
    s3f_tensor *grads = s3f_params_grads(run->params);
    double norm = grad_norm(grads), clip = run->cfg->gradient_clip;
    if (!isfinite(norm))
        return s3f_fail(
            S3F_ERR_NUMERIC,
            "the gradient norm became %g at epoch %lld, batch %lld (step %lld); the run "
            "stops and keeps its last good checkpoint",
            norm, (long long)run->epoch + 1, (long long)run->batch, (long long)run->step);
    if (clip > 0 && norm > clip) { /* as torch.nn.utils.clip_grad_norm_ */
        double coef = clip / (norm + 1e-6);
        int64_t n = s3f_tensor_numel(grads);
        for (int64_t i = 0; i < n; i++) s3f_tensor_set(grads, i, s3f_tensor_get(grads, i) * coef);
    }
    S3F_RETURN_IF_ERR(run->setup->optimizer->step(run->setup->optimizer_state, run->lr));
    s3f_params_zero_grad(run->params);
    run->step++;
    return S3F_OK;
}

s3f_status trainer_save(train_run *run, const char *name, double metric)
{
    if (!run->cfg->ckpt_dir) return S3F_OK;
    const s3f_dataset_desc *d = run->setup->desc;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.safetensors", run->cfg->ckpt_dir, name);
    s3f_checkpoint_meta meta = {.recipe_yaml = run->cfg->recipe_yaml,
                                .epoch = run->epoch,
                                .step = run->step,
                                .batch = run->batch,
                                .loss_sum = run->loss_sum,
                                .best_metric = run->result->best_val_mae,
                                .run_id = run->cfg->run_id,
                                .seed = run->cfg->seed,
                                .metric = metric,
                                .metric_name = "val_mae"};
    meta.targets =
        d->target_mean && d->layout.targets <= S3F_CKPT_MAX_TARGETS ? d->layout.targets : 0;
    for (int k = 0; k < meta.targets; k++)
        meta.target_mean[k] = d->target_mean[k], meta.target_std[k] = d->target_std[k];
    s3f_checkpoint_state opt = {0, NULL, NULL};
    S3F_RETURN_IF_ERR(run->setup->optimizer->state_tensors(run->setup->optimizer_state, &opt.count,
                                                           &opt.names, &opt.tensors));
    S3F_RETURN_IF_ERR(s3f_checkpoint_save(path, run->params, &opt, &meta));
    if (run->obs && run->obs->checkpoint)
        run->obs->checkpoint(run->obs->user, path, run->epoch, run->step, "val_mae", metric);
    return S3F_OK;
}
