/* bench_run.c — timed training and inference loops (bench_run.h). */
#include <stdio.h>
#include <string.h>

#include "bench_run.h"
#include "predictions.h"

typedef struct train_timing {
    bench_clock *clock;
    int64_t train_size;
    int batch_size;
    s3f_status rc;
} train_timing;

/* The trainer reports after every batch; the batch's molecule count follows
 * from its position (the last batch of an epoch may be smaller). */
static void on_progress(void *user, const s3f_progress *p)
{
    train_timing *t = user;
    int64_t first = (p->batch - 1) * t->batch_size, left = t->train_size - first;
    bool done = false;
    if (t->rc != S3F_OK) return;
    t->rc = bench_clock_batch(t->clock, p->epoch - 1, left < t->batch_size ? left : t->batch_size,
                              &done);
    if (done || t->rc != S3F_OK) s3f_request_stop();
}

static s3f_train_config train_config(const model_session *s, const bench_plan *plan)
{
    const s3f_train_options *t = &s->setup.train;
    double lr = s->setup.schedule.lr;
    return (s3f_train_config){.epochs = plan->epochs,
                              .batch_size = plan->batch_size,
                              .accumulate_grad_batches = (int)t->accumulate_grad_batches,
                              .gradient_clip = t->gradient_clip,
                              .eval_interval = plan->epochs, /* only after the last epoch */
                              .num_workers = (int)t->num_workers,
                              .seed = (uint64_t)s->setup.top.seed,
                              .schedule = {S3F_SCHEDULE_CONSTANT, lr, lr, plan->epochs, 0},
                              .recipe_yaml = s->setup.resolved,
                              .poison_batch = -1};
}

static s3f_status bench_train(model_session *s, const bench_plan *plan, bench_clock *clock,
                              size_t *arena_peak)
{
    const s3f_optimizer_i *opt = s->setup.optimizer.descriptor->interface;
    void *state = NULL;
    if (s->setup.train.amp)
        return s3f_fail(S3F_ERR_UNSUPPORTED, "train.amp needs the CUDA backend, which this "
                                             "build does not use; set train.amp=false");
    S3F_RETURN_IF_ERR(
        opt->create(s->setup.optimizer.options, s->model_i->params(s->model), &state));
    s3f_train_config config = train_config(s, plan);
    s3f_train_setup setup = model_session_train_setup(s);
    setup.optimizer = opt, setup.optimizer_state = state;
    train_timing timing = {clock, s->desc.split_size[S3F_SPLIT_TRAIN], plan->batch_size, S3F_OK};
    s3f_train_observer observer = {&timing, NULL, on_progress, NULL, NULL};
    s3f_train_result result;
    bench_clock_start(clock);
    s3f_status rc = s3f_train(&config, &setup, &observer, &result);
    s3f_clear_stop();
    opt->destroy(state);
    *arena_peak = result.arena_peak_bytes;
    return rc != S3F_OK ? rc : timing.rc;
}

/* One epoch of forward passes; *done when the clock has all it needs. */
static s3f_status infer_epoch(model_session *s, s3f_loader_t *loader, s3f_ctx_t *ctx, int64_t epoch,
                              bench_clock *clock, bool *done)
{
    S3F_RETURN_IF_ERR(s3f_loader_begin_epoch(loader, epoch));
    while (!*done) {
        s3f_graph_batch *batch = NULL;
        s3f_tensor *pred;
        S3F_RETURN_IF_ERR(s3f_loader_next(loader, &batch));
        if (!batch) break;
        s3f_status rc = model_forward_batch(s, ctx, batch, &pred);
        s3f_ctx_reset(ctx);
        int64_t molecules = batch->num_graphs;
        s3f_graph_batch_destroy(batch);
        S3F_RETURN_IF_ERR(rc);
        S3F_RETURN_IF_ERR(bench_clock_batch(clock, epoch, molecules, done));
    }
    return S3F_OK;
}

static s3f_status bench_inference(model_session *s, const bench_plan *plan, bench_clock *clock,
                                  size_t *arena_peak)
{
    s3f_loader_opts o = {s->dataset_i,
                         s->dataset,
                         S3F_SPLIT_TRAIN,
                         s->desc.split_size[S3F_SPLIT_TRAIN],
                         plan->batch_size,
                         true,
                         (uint64_t)s->setup.top.seed,
                         (int)s->setup.train.num_workers,
                         0,
                         1,
                         s->desc.layout,
                         s->desc.target_mean,
                         s->desc.target_std};
    s3f_loader_t *loader = NULL;
    s3f_ctx_t *ctx = NULL;
    s3f_status rc = S3F_OK;
    bool done = false;
    S3F_TRY(s3f_loader_create(&o, &loader));
    S3F_TRY(s3f_ctx_create(0, &ctx));
    bench_clock_start(clock);
    for (int64_t e = 0; e < plan->epochs && !done; e++)
        S3F_TRY(infer_epoch(s, loader, ctx, e, clock, &done));
    *arena_peak = s3f_arena_peak(s3f_ctx_arena(ctx));
fail:
    s3f_ctx_destroy(ctx);
    s3f_loader_destroy(loader);
    return rc;
}

s3f_status bench_run(model_session *s, const bench_plan *plan, bench_clock *clock,
                     size_t *arena_peak)
{
    *arena_peak = 0;
    return plan->train ? bench_train(s, plan, clock, arena_peak)
                       : bench_inference(s, plan, clock, arena_peak);
}
