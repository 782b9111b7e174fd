/* run_store.h — the run store: every run's identity, recipe, status, metrics,
 * checkpoints and best/final values, in one SQLite database.
 *
 *     s3f_run_store_t *store = NULL;
 *     S3F_TRY(s3f_run_store_open(s3f_run_store_path(db_option), S3F_RUN_STORE_CREATE, &store));
 *     S3F_TRY(s3f_run_store_begin(store, &(s3f_run_desc){.name = "qm9_homo", .kind = "train",
 *                                 .recipe_yaml = resolved, .recipe_path = path}, &run_id));
 *     S3F_TRY(s3f_run_store_log_metrics(store, run_id, metrics, count));   // every epoch
 *     S3F_TRY(s3f_run_store_add_checkpoint(store, run_id, &checkpoint));
 *     S3F_TRY(s3f_run_store_finish(store, run_id, S3F_RUN_COMPLETED, "done"));
 *     s3f_run_store_close(store);
 *
 * What it is not: it keeps no tensors (checkpoint files are the checkpoint
 * module's; the store records their path and hash) and prints nothing.
 *
 * Durability: the database is in WAL mode; every write is one transaction
 * (BEGIN IMMEDIATE ... COMMIT), so a writer killed at any instant leaves the
 * database consistent, and several processes may log to one database at once
 * (each waits up to S3F_RUN_STORE_BUSY_TIMEOUT_MS for the write lock).
 *
 * Status lifecycle: a run starts `running` and ends `completed`, `failed` or
 * `interrupted` (s3f_run_store_finish). A run still stored as running whose
 * process is gone is *reported* as `crashed` (never written as such, so a
 * slow run on another host recovers when its heartbeat returns):
 *  - on this host: its pid no longer exists (kill(pid, 0) fails with ESRCH);
 *  - on another host: its heartbeat is older than
 *    S3F_RUN_HEARTBEAT_TIMEOUT_S. Every write refreshes the heartbeat; a
 *    writer that may go longer without writing calls s3f_run_store_heartbeat.
 * s3f_run_store_resume makes any ended or crashed run `running` again.
 *
 * Summary values ("best.val_mae", "final.train_loss"): every metric logged
 * updates `final.<key>` (the last value logged) and `best.<key>`
 * (the minimum: se3flow's metrics are losses and errors), where <key> is
 * "<split>_<name>", or "<name>" when the split is "". A metric for which
 * higher is better is recorded with s3f_run_store_set_summary.
 *
 * Schema: versioned with PRAGMA user_version and upgraded in place, inside
 * one transaction, when an older database is opened; a database from a newer
 * se3flow is refused.
 *
 * Ownership: strings passed in are borrowed for the call. Records and lists
 * handed out are owned by the caller and freed with their _destroy function.
 *
 * Thread safety: a store handle is used by one thread at a time; open one
 * handle per thread or process (they may share a database file). */
#ifndef SE3FLOW_RUN_STORE_H
#define SE3FLOW_RUN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "se3flow/plugin.h"
#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_run_store s3f_run_store_t;

/* The schema version this se3flow writes (PRAGMA user_version). */
#define S3F_RUN_STORE_SCHEMA_VERSION 3
/* How long a write waits for another process's write lock. */
#define S3F_RUN_STORE_BUSY_TIMEOUT_MS 15000
/* A running run on another host whose heartbeat is older is `crashed`. */
#define S3F_RUN_HEARTBEAT_TIMEOUT_S 300.0
/* Where the database is when neither --db nor SE3FLOW_DB says. */
#define S3F_RUN_STORE_DEFAULT_PATH "se3flow.db"

typedef enum s3f_run_status {
    S3F_RUN_RUNNING = 1,
    S3F_RUN_COMPLETED = 2,
    S3F_RUN_FAILED = 3,
    S3F_RUN_INTERRUPTED = 4,
    S3F_RUN_CRASHED = 5, /* derived when read; never stored */
} s3f_run_status;

/* "running", "completed", "failed", "interrupted", "crashed"; "unknown". */
S3F_API const char *s3f_run_status_name(s3f_run_status status);
/* The status called `name`. S3F_ERR_ARG listing the names otherwise. */
S3F_API s3f_status s3f_run_status_parse(const char *name, s3f_run_status *out);

/* ---- opening ------------------------------------------------------------ */

/* The database path: `option` (--db) when not NULL or empty, else the
 * environment variable SE3FLOW_DB when set and not empty, else
 * S3F_RUN_STORE_DEFAULT_PATH (relative to the working directory). The
 * pointer is `option`, the environment's or a literal: borrowed. */
S3F_API const char *s3f_run_store_path(const char *option);

enum {
    S3F_RUN_STORE_CREATE = 1u, /* create the file when it does not exist */
};

/* Opens (and with S3F_RUN_STORE_CREATE creates) the database at `path`,
 * sets WAL mode and the busy timeout, and brings an older schema up to
 * S3F_RUN_STORE_SCHEMA_VERSION. *out is written only on success; close it
 * with s3f_run_store_close.
 * S3F_ERR_IO: the file cannot be opened or created (names it; without
 * S3F_RUN_STORE_CREATE, a missing file), or stays locked.
 * S3F_ERR_FORMAT: the file is not an SQLite database.
 * S3F_ERR_UNSUPPORTED: the schema is newer than this se3flow's.
 * S3F_ERR_NOMEM. */
S3F_API s3f_status s3f_run_store_open(const char *path, unsigned flags, s3f_run_store_t **out);

/* Closes the database. NULL is a no-op. */
S3F_API void s3f_run_store_close(s3f_run_store_t *store);

/* The path the store was opened with (owned by the store). */
S3F_API const char *s3f_run_store_file(const s3f_run_store_t *store);

/* ---- writing ------------------------------------------------------------ */

/* What a run is, given when it begins. Strings borrowed; NULL means "". */
typedef struct s3f_run_desc {
    const char *name;        /* required, not empty: what the user calls it */
    const char *kind;        /* required: "train", "predict", "bench", "compare", ... */
    const char *recipe_yaml; /* the resolved recipe */
    const char *recipe_path; /* the recipe file; its bytes are hashed (SHA-256) */
    const char *task;        /* what is predicted ("homo"); NULL: the recipe's
                                dataset.target, else dataset.task, else "" */
    bool has_seed;
    int64_t seed;
    const char *device;          /* "cpu", "cuda:0", ... */
    const char *plugin_versions; /* e.g. "xyz 1.0.0, se3_transformer 0.1.0" */
} s3f_run_desc;

/* Records a new run, `running`, started now by this process on this host,
 * with se3flow's version. *run_id is written only on success.
 * S3F_ERR_ARG: no name or kind. S3F_ERR_IO: the recipe file cannot be read
 * for hashing, or the database write failed. */
S3F_API s3f_status s3f_run_store_begin(s3f_run_store_t *store, const s3f_run_desc *desc,
                                       int64_t *run_id);

/* Marks run `run_id` running again, owned by this process on this host
 * (resuming a run keeps its id, metrics and checkpoints; end time and final
 * message are cleared). S3F_ERR_ARG: no such run. S3F_ERR_STATE: the run is
 * running in a process that is still alive. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_resume(s3f_run_store_t *store, int64_t run_id);

/* Refreshes the run's heartbeat to now. S3F_ERR_ARG: no such run. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_heartbeat(s3f_run_store_t *store, int64_t run_id);

/* Appends `count` metrics (all or none) and updates the run's best/final
 * summary values and heartbeat. Names must not be empty; split NULL is "".
 * A NaN value is stored (read back as NaN) but never becomes a best value.
 * S3F_ERR_ARG: no such run, an empty name, count < 0. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_log_metrics(s3f_run_store_t *store, int64_t run_id,
                                             const s3f_metric *metrics, int count);

/* Sets one summary value ("best.val_accuracy") of the run, replacing any.
 * S3F_ERR_ARG: no such run, empty key. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_set_summary(s3f_run_store_t *store, int64_t run_id,
                                             const char *key, double value);

/* A checkpoint of a run. Passed in: strings borrowed; sha256 NULL makes the
 * store hash the file at `path`. Handed out in a list: strings owned by it. */
typedef struct s3f_checkpoint_info {
    const char *path; /* the file, as given when recorded */
    int64_t epoch, step;
    const char *sha256;      /* 64 lowercase hex digits */
    const char *metric_name; /* what it was judged by ("val_mae"); may be "" */
    double metric_value;     /* NaN when none */
    double time;             /* Unix seconds when recorded (out only) */
} s3f_checkpoint_info;

/* Records a checkpoint file of the run. S3F_ERR_ARG: no such run, no path,
 * a sha256 that is not 64 hex digits. S3F_ERR_IO: the file cannot be read
 * for hashing, or the write failed. */
S3F_API s3f_status s3f_run_store_add_checkpoint(s3f_run_store_t *store, int64_t run_id,
                                                const s3f_checkpoint_info *checkpoint);

/* Records the data file the run reads and the SHA-256 of its bytes (a
 * dataset's source_path and source_sha256), replacing any; strings borrowed.
 * S3F_ERR_ARG: no such run, no path, a sha256 that is not 64 hex digits.
 * S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_set_data(s3f_run_store_t *store, int64_t run_id, const char *path,
                                          const char *sha256);

/* Ends the run with `status` (completed, failed or interrupted) and a final
 * message (NULL: none), at the current time. S3F_ERR_ARG: no such run, a
 * status that is not an end. S3F_ERR_STATE: the run has already ended.
 * S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_finish(s3f_run_store_t *store, int64_t run_id,
                                        s3f_run_status status, const char *message);

/* ---- reading ------------------------------------------------------------ */

typedef struct s3f_summary_value {
    char *key; /* "best.val_mae" */
    double value;
} s3f_summary_value;

/* One run as stored, with its status as reported (crashed derived). Every
 * string is owned by the record and never NULL ("" when absent). */
typedef struct s3f_run_record {
    int64_t id;
    char *name, *kind, *task;
    s3f_run_status status;
    char *recipe_yaml, *recipe_path, *recipe_sha256;
    bool has_seed;
    int64_t seed;
    char *device, *host;
    int64_t pid;
    char *version, *plugin_versions;
    char *data_path, *data_sha256; /* the data file read and its SHA-256; "" when not recorded */
    double start_time, end_time;   /* Unix seconds; end_time NaN while running */
    double heartbeat_time;
    char *message;
    int64_t epochs; /* the highest epoch with a metric; 0 when none */
    int summary_count;
    s3f_summary_value *summary; /* sorted by key */
} s3f_run_record;

/* The run's summary value `key`, or NaN when it has none. */
S3F_API double s3f_run_record_summary(const s3f_run_record *run, const char *key);

/* Seconds the run has lasted: to its end; while running, to `now` (Unix
 * seconds); when crashed, to its last heartbeat. */
S3F_API double s3f_run_record_duration(const s3f_run_record *run, double now);

/* The run `run_id`. *out is written only on success; free it with
 * s3f_run_record_destroy. S3F_ERR_ARG: no such run. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_get(s3f_run_store_t *store, int64_t run_id, s3f_run_record **out);
/* NULL is a no-op. */
S3F_API void s3f_run_record_destroy(s3f_run_record *run);

/* Which runs to list. Zero/NULL members do not filter. */
typedef struct s3f_run_query {
    const char *status;    /* a status name, "crashed" included */
    const char *name_glob; /* SQLite GLOB on the name: "qm9_*" */
    double since;          /* started at or after (Unix seconds); 0: any */
    /* An expression over recipe keys, summary values and run fields, e.g.
     * `model.num_layers >= 4 and best.val_mae < 0.05`; see s3f_run_where_help. */
    const char *where;
    /* id, name, kind, status, task, started, duration, epochs or a summary
     * key ("best.val_mae"); '-' in front sorts descending. NULL: "-id".
     * Runs without the summary key sort last either way. */
    const char *sort;
    int limit; /* at most this many (after filtering and sorting); 0: all */
} s3f_run_query;

typedef struct s3f_run_list {
    int count;
    s3f_run_record *runs; /* count records, owned by the list */
} s3f_run_list;

/* The runs that `query` selects (NULL: all), in its order. *out is written
 * only on success; free it with s3f_run_list_destroy.
 * S3F_ERR_ARG: a malformed where expression (the message points at the
 * column), an unknown status or sort key. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_list(s3f_run_store_t *store, const s3f_run_query *query,
                                      s3f_run_list **out);
/* NULL is a no-op. */
S3F_API void s3f_run_list_destroy(s3f_run_list *list);

/* A few lines describing the where language, for usage texts. Static. */
S3F_API const char *s3f_run_where_help(void);

/* Metrics handed out; each metric's name and split are owned by the list. */
typedef struct s3f_metric_list {
    int count;
    s3f_metric *metrics;
} s3f_metric_list;

/* The run's metrics named `name` (NULL: all), ordered by split, name, step
 * and insertion. *out is written only on success; free it with
 * s3f_metric_list_destroy. S3F_ERR_ARG: no such run. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_metrics(s3f_run_store_t *store, int64_t run_id, const char *name,
                                         s3f_metric_list **out);
/* NULL is a no-op. */
S3F_API void s3f_metric_list_destroy(s3f_metric_list *list);

typedef struct s3f_checkpoint_list {
    int count;
    s3f_checkpoint_info *checkpoints; /* strings owned by the list */
} s3f_checkpoint_list;

/* The run's checkpoints in the order recorded. *out is written only on
 * success; free it with s3f_checkpoint_list_destroy. S3F_ERR_ARG: no such
 * run. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_checkpoints(s3f_run_store_t *store, int64_t run_id,
                                             s3f_checkpoint_list **out);
/* NULL is a no-op. */
S3F_API void s3f_checkpoint_list_destroy(s3f_checkpoint_list *list);

/* Deletes the run with its metrics, checkpoint records and summary values,
 * in one transaction. Files on disk are not touched: when `files` is not
 * NULL, *files receives the run's checkpoints (written only on success) so
 * the caller may delete them. S3F_ERR_ARG: no such run. S3F_ERR_IO. */
S3F_API s3f_status s3f_run_store_delete(s3f_run_store_t *store, int64_t run_id,
                                        s3f_checkpoint_list **files);

#ifdef __cplusplus
}
#endif
#endif
