/* run_record.h — a training run's entry in the run store: begun with the
 * resolved recipe, fed metrics, checkpoints (with SHA-256) and heartbeats
 * while it trains, and ended with its status and message. Also finds what
 * `--resume RUN_ID` continues from. */
#ifndef SE3FLOW_CLI_RUN_RECORD_H
#define SE3FLOW_CLI_RUN_RECORD_H

#include "run_setup.h"
#include "run_train.h"
#include "se3flow/run_store.h"

typedef struct run_record {
    s3f_run_store_t *store;
    int64_t id;
    double last_heartbeat; /* seconds (monotonic) */
} run_record;

/* Opens the store (creating it), records a new `train` run. */
s3f_status run_record_begin(run_record *r, const char *db_option, const run_setup *setup,
                            const char *name, const char *recipe_path);

/* Reopens run `id` to continue it: marks it running again and finds its
 * newest `last` checkpoint (path written to ckpt, size bytes). */
s3f_status run_record_resume(run_record *r, const char *db_option, int64_t id, char *ckpt,
                             size_t size);

/* The sink that feeds this record (for run_job.sink). */
run_sink run_record_sink(run_record *r);

/* Ends the run from the training outcome and closes the store. */
void run_record_end(run_record *r, s3f_status rc, const s3f_train_result *result);

#endif
