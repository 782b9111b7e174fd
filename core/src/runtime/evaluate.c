/* evaluate.c — predictions without gradients, and the MAE of a split in
 * physical units (SPEC §15.4: mean of |pred - target| over molecules and
 * targets, in normalised units, times the training std). */
#include <math.h>

#include "trainer_internal.h"

s3f_status trainer_predict(const s3f_train_setup *setup, s3f_ctx_t *ctx,
                           const s3f_graph_batch *batch, s3f_tensor **out)
{
    bool previous = s3f_ctx_set_grad(ctx, false);
    s3f_tensor *pred = NULL, *copy = NULL;
    s3f_status rc = setup->model->forward(setup->model_state, ctx, batch, &pred);
    int64_t expect = batch->num_graphs * setup->desc->layout.targets;
    if (rc == S3F_OK && s3f_tensor_numel(pred) != expect)
        rc = s3f_fail(S3F_ERR_SHAPE,
                      "the model gave %lld predictions for %lld molecules x %d targets",
                      (long long)s3f_tensor_numel(pred), (long long)batch->num_graphs,
                      setup->desc->layout.targets);
    if (rc == S3F_OK) rc = s3f_tensor_create(S3F_F64, batch->targets->shape, &copy);
    if (rc == S3F_OK) rc = s3f_tensor_cast(copy, pred);
    s3f_ctx_set_grad(ctx, previous);
    s3f_ctx_reset(ctx);
    if (rc != S3F_OK)
        s3f_tensor_destroy(copy);
    else
        *out = copy;
    return rc;
}

/* Adds sum over the batch of |pred - target| x std_k to *error. */
static void accumulate(const s3f_tensor *pred, const s3f_graph_batch *batch, const double *std,
                       int targets, double *error)
{
    const double *p = pred->data;
    const float *t = batch->targets->data;
    for (int64_t b = 0; b < batch->num_graphs; b++)
        for (int k = 0; k < targets; k++)
            *error += fabs(p[b * targets + k] - (double)t[b * targets + k]) * (std ? std[k] : 1);
}

s3f_status s3f_evaluate(const s3f_train_setup *setup, s3f_dataset_split split, int batch_size,
                        int num_workers, double *mae)
{
    const s3f_dataset_desc *d = setup->desc;
    s3f_loader_opts o = {setup->dataset,
                         setup->dataset_state,
                         split,
                         d->split_size[split],
                         batch_size,
                         false,
                         0,
                         num_workers,
                         0,
                         1,
                         d->layout,
                         d->target_mean,
                         d->target_std};
    s3f_loader_t *loader = NULL;
    s3f_ctx_t *ctx = NULL;
    s3f_status rc = S3F_OK;
    double error = 0;
    int64_t count = 0;
    S3F_TRY(s3f_loader_create(&o, &loader));
    S3F_TRY(s3f_ctx_create(0, &ctx));
    S3F_TRY(s3f_loader_begin_epoch(loader, 0));
    for (;;) {
        s3f_graph_batch *batch = NULL;
        s3f_tensor *pred = NULL;
        S3F_TRY(s3f_loader_next(loader, &batch));
        if (!batch) break;
        rc = trainer_predict(setup, ctx, batch, &pred);
        if (rc == S3F_OK) accumulate(pred, batch, d->target_std, d->layout.targets, &error);
        count += batch->num_graphs * d->layout.targets;
        s3f_tensor_destroy(pred);
        s3f_graph_batch_destroy(batch);
        if (rc != S3F_OK) goto fail;
    }
    *mae = count ? error / (double)count : NAN;
fail:
    s3f_ctx_destroy(ctx);
    s3f_loader_destroy(loader);
    return rc;
}
