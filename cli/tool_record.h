/* tool_record.h — the run store entry of a command that is not training
 * (kind `predict`, `bench` or `compare`): begun with its resolved recipe,
 * given metrics, summary values and the checkpoints it read (the link to
 * them, with their SHA-256), and ended with a status and message.
 *
 * A failure to write the record is reported on stderr but never hides the
 * command's own result. */
#ifndef SE3FLOW_CLI_TOOL_RECORD_H
#define SE3FLOW_CLI_TOOL_RECORD_H

#include "run_setup.h"
#include "se3flow/run_store.h"

typedef struct tool_record {
    s3f_run_store_t *store;
    int64_t id; /* 0 until begun */
} tool_record;

/* Opens the store (--db, $SE3FLOW_DB, se3flow.db) and begins a run of
 * `kind` named `name` with the setup's resolved recipe. */
s3f_status tool_record_begin(tool_record *r, const char *db_option, const char *kind,
                             const char *name, const run_setup *setup);

/* A checkpoint this command read, with the figure it got from it
 * (metric_name may be "" and value NaN). */
void tool_record_link(tool_record *r, const char *ckpt_path, int64_t epoch, int64_t step,
                      const char *metric_name, double value);

/* One metric (split may be ""), stored at step 0, epoch 0. */
void tool_record_metric(tool_record *r, const char *name, const char *split, double value);

/* Ends the run: completed when rc is S3F_OK, else failed with the current
 * error message (kept for the caller); message NULL means none. */
void tool_record_end(tool_record *r, s3f_status rc, const char *message);

#endif
