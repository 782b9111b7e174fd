/* status.c — the names of run statuses, both ways.
 *
 * Not here: deciding a run's status (liveness.c, write.c).
 *
 * Invariant: the stored names are exactly these strings (the schema's CHECK
 * lists the four that may be stored). */
#include <string.h>

#include "se3flow/run_store.h"

static const char *const k_names[] = {
    [S3F_RUN_RUNNING] = "running", [S3F_RUN_COMPLETED] = "completed",
    [S3F_RUN_FAILED] = "failed",   [S3F_RUN_INTERRUPTED] = "interrupted",
    [S3F_RUN_CRASHED] = "crashed",
};

const char *s3f_run_status_name(s3f_run_status status)
{
    if (status < S3F_RUN_RUNNING || status > S3F_RUN_CRASHED) return "unknown";
    return k_names[status];
}

s3f_status s3f_run_status_parse(const char *name, s3f_run_status *out)
{
    for (int s = S3F_RUN_RUNNING; s <= S3F_RUN_CRASHED; s++)
        if (name && strcmp(name, k_names[s]) == 0) {
            *out = (s3f_run_status)s;
            return S3F_OK;
        }
    return s3f_fail(S3F_ERR_ARG,
                    "no run status '%s'; use running, completed, failed, interrupted or crashed",
                    name ? name : "(null)");
}
