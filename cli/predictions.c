/* predictions.c — per-molecule predictions of a model session
 * (predictions.h). The loader gives raw targets (no normalisation) in the
 * split's index order; the model's normalised outputs are mapped back with
 * the session's mean and std: value = pred x std + mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predictions.h"

s3f_status model_forward_batch(const model_session *s, s3f_ctx_t *ctx, const s3f_graph_batch *batch,
                               s3f_tensor **pred)
{
    bool previous = s3f_ctx_set_grad(ctx, false);
    s3f_status rc = s->model_i->forward(s->model, ctx, batch, pred);
    s3f_ctx_set_grad(ctx, previous);
    S3F_RETURN_IF_ERR(rc);
    int64_t expect = batch->num_graphs * s->desc.layout.targets;
    if (s3f_tensor_numel(*pred) != expect)
        return s3f_fail(S3F_ERR_SHAPE,
                        "the model gave %lld predictions for %lld molecules x %d targets",
                        (long long)s3f_tensor_numel(*pred), (long long)batch->num_graphs,
                        s->desc.layout.targets);
    return S3F_OK;
}

static s3f_status reserve(prediction_set *p, int64_t more)
{
    if (p->count + more <= p->capacity) return S3F_OK;
    int64_t cap = p->capacity ? p->capacity : 256, t = p->targets;
    while (cap < p->count + more) cap *= 2;
    uint8_t *split = realloc(p->split, (size_t)cap);
    if (split) p->split = split;
    int64_t *index = realloc(p->index, (size_t)cap * sizeof *index);
    if (index) p->index = index;
    double *pred = realloc(p->pred, (size_t)(cap * t) * sizeof *pred);
    if (pred) p->pred = pred;
    double *target = realloc(p->target, (size_t)(cap * t) * sizeof *target);
    if (target) p->target = target;
    if (!split || !index || !pred || !target) return s3f_fail(S3F_ERR_NOMEM, "out of memory");
    p->capacity = cap;
    return S3F_OK;
}

static void append(const model_session *s, s3f_dataset_split split, const s3f_graph_batch *batch,
                   const s3f_tensor *pred, prediction_set *p)
{
    const double *mean = s->desc.target_mean, *std = s->desc.target_std;
    int t = p->targets;
    for (int64_t b = 0; b < batch->num_graphs; b++, p->count++) {
        p->split[p->count] = (uint8_t)split;
        p->index[p->count] = ((const int64_t *)batch->ids->data)[b];
        for (int k = 0; k < t; k++) {
            double v = s3f_tensor_get(pred, b * t + k);
            p->pred[p->count * t + k] = std ? v * std[k] + mean[k] : v;
            p->target[p->count * t + k] = ((const float *)batch->targets->data)[b * t + k];
        }
    }
}

s3f_status predictions_collect(const model_session *s, s3f_dataset_split split, int batch_size,
                               int workers, prediction_set *out)
{
    s3f_loader_opts o = {s->dataset_i,
                         s->dataset,
                         split,
                         s->desc.split_size[split],
                         batch_size,
                         false,
                         0,
                         workers,
                         0,
                         1,
                         s->desc.layout,
                         NULL,
                         NULL};
    s3f_loader_t *loader = NULL;
    s3f_ctx_t *ctx = NULL;
    s3f_graph_batch *batch = NULL;
    s3f_status rc = S3F_OK;
    out->targets = s->desc.layout.targets;
    if (o.size == 0) return S3F_OK;
    S3F_TRY(s3f_loader_create(&o, &loader));
    S3F_TRY(s3f_ctx_create(0, &ctx));
    S3F_TRY(s3f_loader_begin_epoch(loader, 0));
    for (;;) {
        s3f_tensor *pred = NULL;
        S3F_TRY(s3f_loader_next(loader, &batch));
        if (!batch) break;
        S3F_TRY(model_forward_batch(s, ctx, batch, &pred));
        S3F_TRY(reserve(out, batch->num_graphs));
        append(s, split, batch, pred, out);
        s3f_ctx_reset(ctx);
        s3f_graph_batch_destroy(batch);
        batch = NULL;
    }
fail:
    s3f_graph_batch_destroy(batch);
    s3f_ctx_destroy(ctx);
    s3f_loader_destroy(loader);
    return rc;
}

void predictions_free(prediction_set *p)
{
    free(p->split);
    free(p->index);
    free(p->pred);
    free(p->target);
    memset(p, 0, sizeof *p);
}

double predictions_error(const prediction_set *p, int64_t i)
{
    double sum = 0;
    int known = 0;
    for (int k = 0; k < p->targets; k++) {
        double t = p->target[i * p->targets + k];
        if (isnan(t)) continue;
        sum += fabs(p->pred[i * p->targets + k] - t);
        known++;
    }
    return known ? sum / known : NAN;
}

double predictions_mae(const prediction_set *p, int64_t *known)
{
    double sum = 0;
    int64_t n = 0;
    for (int64_t j = 0; j < p->count * p->targets; j++) {
        if (isnan(p->target[j])) continue;
        sum += fabs(p->pred[j] - p->target[j]);
        n++;
    }
    if (known) *known = n;
    return n ? sum / (double)n : NAN;
}
