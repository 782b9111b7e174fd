/* trainer.c — the epoch loop of s3f_train (trainer.h): batches, optimizer
 * steps at accumulation boundaries, stop requests, end-of-epoch metrics,
 * evaluation and checkpoints. The per-batch work is in trainer_step.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <time.h>

#include "trainer_internal.h"

static s3f_status check_config(const s3f_train_config *c)
{
    if (c->epochs <= 0 || c->batch_size <= 0 || c->accumulate_grad_batches < 1 ||
        c->eval_interval <= 0 || c->gradient_clip < 0 || c->num_workers < 0)
        return s3f_fail(S3F_ERR_ARG,
                        "training: need epochs, batch_size, eval_interval > 0, "
                        "accumulate_grad_batches >= 1, gradient_clip >= 0, num_workers >= 0");
    return s3f_schedule_check(&c->schedule);
}

/* A metric of epoch `epoch` (1-based). */
static void emit(const train_run *run, int64_t epoch, const char *name, const char *split,
                 double value)
{
    if (!run->obs || !run->obs->metrics) return;
    s3f_metric m = {name, split, value, run->step, epoch, 0};
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    m.wall_time = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
    run->obs->metrics(run->obs->user, &m, 1);
}

static void report_progress(const train_run *run, int64_t batches, int64_t molecules, double t0)
{
    if (!run->obs || !run->obs->progress) return;
    double elapsed = omp_get_wtime() - t0;
    s3f_progress p = {run->epoch + 1,
                      run->cfg->epochs,
                      run->batch,
                      batches,
                      run->loss_sum / (double)(run->batch ? run->batch : 1),
                      elapsed > 0 ? (double)molecules / elapsed : 0,
                      elapsed};
    run->obs->progress(run->obs->user, &p);
}

/* Trains the rest of the current epoch; stops early (interrupted) on request. */
static s3f_status train_epoch(train_run *run)
{
    const s3f_train_config *c = run->cfg;
    int64_t batches = s3f_loader_batches(run->loader), molecules = 0;
    double t0 = omp_get_wtime();
    S3F_RETURN_IF_ERR(s3f_loader_begin_epoch_at(run->loader, run->epoch, run->batch));
    if (!c->schedule_per_step) run->lr = s3f_schedule_lr(&c->schedule, run->epoch);
    while (run->batch < batches) {
        s3f_graph_batch *batch = NULL;
        double loss = 0;
        if (c->schedule_per_step) run->lr = s3f_schedule_lr(&c->schedule, run->step);
        S3F_RETURN_IF_ERR(s3f_loader_next(run->loader, &batch));
        s3f_status rc = trainer_batch(run, batch, run->epoch * batches + run->batch, &loss);
        molecules += batch->num_graphs;
        s3f_graph_batch_destroy(batch);
        S3F_RETURN_IF_ERR(rc);
        run->loss_sum += loss;
        run->batch++;
        if (run->batch % c->accumulate_grad_batches == 0 || run->batch == batches) {
            S3F_RETURN_IF_ERR(trainer_optimizer_step(run));
            if (s3f_stop_requested() && run->batch < batches) {
                run->result->interrupted = true;
                trainer_text(run, "stopping: checkpoint at epoch %lld, batch %lld",
                             (long long)run->epoch + 1, (long long)run->batch);
                return trainer_save(run, "last", NAN);
            }
        }
        report_progress(run, batches, molecules, t0);
    }
    run->result->last_train_loss = run->loss_sum / (double)(batches ? batches : 1);
    return S3F_OK;
}

static s3f_status evaluate_and_keep_best(train_run *run)
{
    double mae;
    s3f_train_setup const *s = run->setup;
    S3F_RETURN_IF_ERR(
        s3f_evaluate(s, S3F_SPLIT_VAL, run->cfg->batch_size, run->cfg->num_workers, &mae));
    run->result->last_val_mae = mae;
    emit(run, run->epoch, "mae", "val", mae);
    if (isnan(run->result->best_val_mae) || mae < run->result->best_val_mae) {
        run->result->best_val_mae = mae;
        S3F_RETURN_IF_ERR(trainer_save(run, "best", mae));
    }
    return S3F_OK;
}

/* After a full epoch: metrics, evaluation, checkpoints; moves to the next. */
static s3f_status end_epoch(train_run *run)
{
    const s3f_train_config *c = run->cfg;
    int64_t done = run->epoch + 1;
    emit(run, done, "loss", "train", run->result->last_train_loss);
    emit(run, done, "lr", "train", run->lr);
    /* the position moves first, so checkpoints of this epoch say it is done */
    run->result->epochs_done = done;
    run->epoch = done;
    run->batch = 0;
    run->loss_sum = 0;
    if (done % c->eval_interval == 0 || done == c->epochs)
        S3F_RETURN_IF_ERR(evaluate_and_keep_best(run));
    S3F_RETURN_IF_ERR(trainer_save(run, "last", run->result->last_val_mae));
    if (c->ckpt_interval > 0 && done % c->ckpt_interval == 0) {
        char name[64];
        snprintf(name, sizeof name, "epoch_%lld", (long long)done);
        S3F_RETURN_IF_ERR(trainer_save(run, name, run->result->last_val_mae));
    }
    return S3F_OK;
}

static s3f_status open_run(train_run *run)
{
    const s3f_train_config *c = run->cfg;
    const s3f_dataset_desc *d = run->setup->desc;
    run->params = run->setup->model->params(run->setup->model_state);
    s3f_loader_opts o = {run->setup->dataset,
                         run->setup->dataset_state,
                         S3F_SPLIT_TRAIN,
                         d->split_size[S3F_SPLIT_TRAIN],
                         c->batch_size,
                         true,
                         c->seed,
                         c->num_workers,
                         0,
                         1,
                         d->layout,
                         d->target_mean,
                         d->target_std};
    S3F_RETURN_IF_ERR(s3f_ctx_create(c->arena_limit, &run->ctx));
    S3F_RETURN_IF_ERR(s3f_loader_create(&o, &run->loader));
    run->epoch = c->start_epoch;
    run->batch = c->start_batch;
    run->step = c->start_step;
    run->loss_sum = c->start_loss_sum;
    s3f_params_zero_grad(run->params);
    return S3F_OK;
}

s3f_status s3f_train(const s3f_train_config *config, const s3f_train_setup *setup,
                     const s3f_train_observer *observer, s3f_train_result *result)
{
    bool resumed = config->start_epoch > 0 || config->start_batch > 0 || config->start_step > 0;
    *result = (s3f_train_result){config->start_epoch,
                                 config->start_step,
                                 NAN,
                                 NAN,
                                 resumed ? config->start_best_mae : NAN,
                                 false,
                                 0};
    S3F_RETURN_IF_ERR(check_config(config));
    train_run run = {.cfg = config, .setup = setup, .obs = observer, .result = result};
    s3f_status rc = open_run(&run);
    while (rc == S3F_OK && run.epoch < config->epochs && !result->interrupted) {
        rc = train_epoch(&run);
        if (rc == S3F_OK && !result->interrupted) rc = end_epoch(&run);
        /* a stop asked for during the last step of an epoch: `last` is already written */
        if (rc == S3F_OK && s3f_stop_requested() && run.epoch < config->epochs)
            result->interrupted = true;
    }
    result->steps = run.step;
    if (run.ctx) result->arena_peak_bytes = s3f_arena_peak(s3f_ctx_arena(run.ctx));
    s3f_loader_destroy(run.loader);
    s3f_ctx_destroy(run.ctx);
    return rc;
}
