/* liveness.c — whether a run stored as running still has a live process:
 * the rule behind the reported `crashed` status (run_store.h).
 *
 * Not here: writing statuses; `crashed` is only ever derived.
 *
 * Invariant: a run is reported crashed only when stored as running, and
 * never for a process that may still exist (EPERM from kill means it
 * exists under another user). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "run_store_internal.h"

static bool process_gone(int64_t pid)
{
    if (pid <= 0 || pid != (int64_t)(pid_t)pid) return true;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

s3f_run_status store_reported_status(const s3f_run_store_t *store, s3f_run_status stored,
                                     const char *host, int64_t pid, double heartbeat_time,
                                     double now)
{
    if (stored != S3F_RUN_RUNNING) return stored;
    if (strcmp(host, store->host) == 0) return process_gone(pid) ? S3F_RUN_CRASHED : stored;
    bool stale = isnan(heartbeat_time) || now - heartbeat_time > S3F_RUN_HEARTBEAT_TIMEOUT_S;
    return stale ? S3F_RUN_CRASHED : stored;
}
