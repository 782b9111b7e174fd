/* run_train.c — opens the recipe's plugins, feeds loggers and the run
 * record, and runs s3f_train (run_train.h).
 *
 * Ownership: every plugin instance opened here is closed here, in reverse
 * order, whatever happens; loggers are told the final status. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_train.h"

typedef struct opened {
    void *dataset, *model, *optimizer;
    void *loggers[RUN_MAX_LOGGERS];
    int logger_count;
    s3f_dataset_desc desc;
} opened;

/* ---- signals ---- */

static volatile sig_atomic_t g_signals;

static void on_signal(int sig)
{
    if (g_signals++ == 0) {
        s3f_request_stop();
        static const char note[] =
            "\nse3flow: stopping after this step (Ctrl-C again to quit now)\n";
        ssize_t ignored = write(STDERR_FILENO, note, sizeof note - 1);
        (void)ignored;
        return;
    }
    _exit(130);
}

void run_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- the observer: loggers and the sink ---- */

typedef struct fanout {
    const run_job *job;
    opened *o;
} fanout;

static const s3f_logger_i *logger_fn(const run_job *job, int i)
{
    return job->setup->loggers[i].descriptor->interface;
}

static void on_metrics(void *user, const s3f_metric *m, int n)
{
    fanout *f = user;
    for (int i = 0; i < f->o->logger_count; i++)
        if (logger_fn(f->job, i)->log_metrics(f->o->loggers[i], m, n) != S3F_OK)
            fprintf(stderr, "se3flow: a logger failed: %s\n", s3f_last_error());
    if (f->job->sink.metrics) f->job->sink.metrics(f->job->sink.user, m, n);
}

static void on_progress(void *user, const s3f_progress *p)
{
    fanout *f = user;
    for (int i = 0; i < f->o->logger_count; i++)
        if (logger_fn(f->job, i)->progress) logger_fn(f->job, i)->progress(f->o->loggers[i], p);
    if (f->job->sink.progress) f->job->sink.progress(f->job->sink.user);
}

static void on_text(void *user, const char *text)
{
    fanout *f = user;
    for (int i = 0; i < f->o->logger_count; i++)
        if (logger_fn(f->job, i)->log_text) logger_fn(f->job, i)->log_text(f->o->loggers[i], text);
}

static void on_checkpoint(void *user, const char *path, int64_t epoch, int64_t step,
                          const char *metric_name, double metric)
{
    fanout *f = user;
    if (f->job->sink.checkpoint)
        f->job->sink.checkpoint(f->job->sink.user, path, epoch, step, metric_name, metric);
}

/* ---- opening and closing the plugins ---- */

/* Which bytes the run trains on (the dataset's file and its SHA-256), into
 * every logger that keeps text and into the run record. */
static void log_source(const run_job *job, opened *o)
{
    if (!o->desc.source_path) return;
    char text[4400];
    snprintf(text, sizeof text, "dataset %s: %s (sha256 %s)", job->setup->dataset.descriptor->name,
             o->desc.source_path, o->desc.source_sha256 ? o->desc.source_sha256 : "unknown");
    fanout f = {job, o};
    on_text(&f, text);
    if (job->sink.data && o->desc.source_sha256)
        job->sink.data(job->sink.user, o->desc.source_path, o->desc.source_sha256);
}

static s3f_status open_all(const run_job *job, opened *o)
{
    run_setup *s = job->setup;
    const s3f_dataset_i *d = s->dataset.descriptor->interface;
    const s3f_model_i *m = s->model.descriptor->interface;
    const s3f_optimizer_i *opt = s->optimizer.descriptor->interface;
    s3f_dataset_env env = {(uint64_t)s->top.seed, RUN_DATA_DIR, job->quiet};
    S3F_RETURN_IF_ERR(d->open(s->dataset.options, &env, &o->dataset));
    S3F_RETURN_IF_ERR(d->describe(o->dataset, &o->desc));
    S3F_RETURN_IF_ERR(
        m->create(s->model.options, &o->desc, S3F_CPU, (uint64_t)s->top.seed, &o->model));
    S3F_RETURN_IF_ERR(opt->create(s->optimizer.options, m->params(o->model), &o->optimizer));
    s3f_run_info info = {job->run_id,  job->run_name, "train",
                         job->run_dir, s->resolved,   job->quiet};
    for (int i = 0; i < s->logger_count; i++) {
        S3F_RETURN_IF_ERR(logger_fn(job, i)->open(s->loggers[i].options, &info, &o->loggers[i]));
        o->logger_count++;
    }
    log_source(job, o);
    return S3F_OK;
}

static void close_all(const run_job *job, opened *o, const char *status)
{
    run_setup *s = job->setup;
    for (int i = o->logger_count - 1; i >= 0; i--) logger_fn(job, i)->close(o->loggers[i], status);
    if (o->optimizer)
        ((const s3f_optimizer_i *)s->optimizer.descriptor->interface)->destroy(o->optimizer);
    if (o->model) ((const s3f_model_i *)s->model.descriptor->interface)->destroy(o->model);
    if (o->dataset) ((const s3f_dataset_i *)s->dataset.descriptor->interface)->close(o->dataset);
}

/* ---- the training configuration from the recipe's sections ---- */

static s3f_schedule_kind schedule_kind(const char *name)
{
    if (!strcmp(name, "constant")) return S3F_SCHEDULE_CONSTANT;
    if (!strcmp(name, "warmup_cosine")) return S3F_SCHEDULE_WARMUP_COSINE;
    return S3F_SCHEDULE_COSINE_RESTARTS;
}

static s3f_train_config make_config(const run_job *job, const s3f_dataset_desc *desc)
{
    const run_setup *s = job->setup;
    const s3f_train_options *t = &s->train;
    const s3f_schedule_options *sc = &s->schedule;
    bool per_step = !strcmp(sc->step_per, "step");
    int64_t batches = (desc->split_size[S3F_SPLIT_TRAIN] + t->batch_size - 1) / t->batch_size;
    int64_t steps_per_epoch =
        (batches + t->accumulate_grad_batches - 1) / t->accumulate_grad_batches;
    int64_t unit = per_step ? steps_per_epoch : 1;
    s3f_train_config c = {.epochs = t->epochs,
                          .batch_size = (int)t->batch_size,
                          .accumulate_grad_batches = (int)t->accumulate_grad_batches,
                          .gradient_clip = t->gradient_clip,
                          .eval_interval = t->eval_interval,
                          .ckpt_interval = t->ckpt_interval,
                          .num_workers = (int)t->num_workers,
                          .seed = (uint64_t)s->top.seed,
                          .schedule_per_step = per_step,
                          .ckpt_dir = *t->ckpt_dir ? t->ckpt_dir : job->run_dir,
                          .recipe_yaml = s->resolved,
                          .run_id = job->run_id,
                          .poison_batch = -1};
    c.schedule =
        (s3f_schedule){schedule_kind(sc->name), sc->lr, sc->min_lr < 0 ? sc->lr / 10 : sc->min_lr,
                       t->epochs * unit, sc->warmup_epochs * unit};
    return c;
}

/* Restores parameters, optimizer state and the position from a checkpoint. */
static s3f_status resume(const run_job *job, opened *o, s3f_train_config *c)
{
    const run_setup *s = job->setup;
    const s3f_model_i *m = s->model.descriptor->interface;
    const s3f_optimizer_i *opt = s->optimizer.descriptor->interface;
    s3f_checkpoint_state state = {0, NULL, NULL};
    S3F_RETURN_IF_ERR(opt->state_tensors(o->optimizer, &state.count, &state.names, &state.tensors));
    s3f_safetensors_t *f = NULL;
    s3f_checkpoint_meta meta;
    S3F_RETURN_IF_ERR(s3f_safetensors_open(job->resume_from, &f));
    s3f_status rc = s3f_checkpoint_load(f, m->params(o->model), &state, &meta);
    if (rc == S3F_OK) {
        c->start_epoch = meta.epoch, c->start_batch = meta.batch, c->start_step = meta.step;
        c->start_loss_sum = meta.loss_sum, c->start_best_mae = meta.best_metric;
    }
    s3f_safetensors_close(f);
    if (rc != S3F_OK) return s3f_fail_context(rc, "resuming from %s: ", job->resume_from);
    return S3F_OK;
}

/* Test switches for fault injection (documented in `se3flow run --help`):
 * SE3FLOW_FAULT_NAN_BATCH=n makes the loss of global batch n NaN;
 * SE3FLOW_FAULT_WRITE=n makes the n-th checkpoint write fail as a full disk
 * would. */
static void apply_fault_switches(s3f_train_config *c)
{
    const char *nan_batch = getenv("SE3FLOW_FAULT_NAN_BATCH"),
               *write = getenv("SE3FLOW_FAULT_WRITE");
    if (nan_batch && *nan_batch) c->poison_batch = strtoll(nan_batch, NULL, 10);
    if (write && *write) s3f_fault_fail_write_at(strtol(write, NULL, 10));
}

static const char *final_status(s3f_status rc, const s3f_train_result *r)
{
    if (rc != S3F_OK) return "failed";
    return r->interrupted ? "interrupted" : "completed";
}

s3f_status run_train(const run_job *job, s3f_train_result *result)
{
    opened o;
    memset(&o, 0, sizeof o);
    *result = (s3f_train_result){0, 0, NAN, NAN, NAN, false, 0};
    if (job->setup->train.amp)
        return s3f_fail(S3F_ERR_UNSUPPORTED,
                        "train.amp needs the CUDA backend, which this run "
                        "does not use; set train.amp=false to train on the CPU");
    s3f_status rc = open_all(job, &o);
    s3f_train_config config = make_config(job, &o.desc);
    if (rc == S3F_OK && job->resume_from) rc = resume(job, &o, &config);
    apply_fault_switches(&config);
    fanout f = {job, &o};
    s3f_train_observer obs = {&f, on_metrics, on_progress, on_text, on_checkpoint};
    const run_setup *s = job->setup;
    s3f_train_setup ts = {s->dataset.descriptor->interface,
                          o.dataset,
                          &o.desc,
                          s->model.descriptor->interface,
                          o.model,
                          s->optimizer.descriptor->interface,
                          o.optimizer};
    if (rc == S3F_OK) rc = s3f_train(&config, &ts, &obs, result);
    char message[1024];
    snprintf(message, sizeof message, "%s", rc == S3F_OK ? "" : s3f_last_error());
    close_all(job, &o, final_status(rc, result));
    if (rc != S3F_OK) s3f_fail(rc, "%s", message); /* closing may have replaced the message */
    return rc;
}
