/* run_train.h — one training run from a resolved setup: plugins opened,
 * loggers and the run record fed, Ctrl-C turned into a clean stop, and the
 * run's outcome. The command line and the run store stay in cmd_run.c. */
#ifndef SE3FLOW_CLI_RUN_TRAIN_H
#define SE3FLOW_CLI_RUN_TRAIN_H

#include "run_setup.h"

/* Where metrics and checkpoints also go besides the loggers (the run store);
 * members may be NULL. */
typedef struct run_sink {
    void *user;
    void (*metrics)(void *user, const s3f_metric *metrics, int count);
    void (*checkpoint)(void *user, const char *path, int64_t epoch, int64_t step,
                       const char *metric_name, double metric);
    void (*progress)(void *user); /* often, for heartbeats; must be cheap */
    void (*data)(void *user, const char *path, const char *sha256); /* the dataset's file */
} run_sink;

typedef struct run_job {
    run_setup *setup;
    int64_t run_id;
    const char *run_name;
    const char *run_dir;     /* exists; checkpoints go here unless train.ckpt_dir is set */
    const char *resume_from; /* checkpoint to continue, or NULL */
    bool quiet;
    run_sink sink;
} run_job;

/* Trains. Returns the status of the work; *result says how far it got. */
s3f_status run_train(const run_job *job, s3f_train_result *result);

/* Installs SIGINT/SIGTERM handlers: the first asks the trainer to stop at
 * the next step (it writes a checkpoint); a second one exits at once with
 * status 130 (SQLite's journal keeps the run store consistent). */
void run_install_signal_handlers(void);

#endif
