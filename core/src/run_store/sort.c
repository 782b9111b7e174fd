/* sort.c — ordering listed runs by a field or a summary value, and a run's
 * duration (which the `duration` order and the CLI both use).
 *
 * Not here: filtering (list.c).
 *
 * Invariant: the order is total and stable across calls: ties fall back to
 * the id, and runs lacking a summary key come last in either direction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_store_internal.h"

typedef enum sort_field {
    SORT_ID,
    SORT_NAME,
    SORT_KIND,
    SORT_STATUS,
    SORT_TASK,
    SORT_STARTED,
    SORT_DURATION,
    SORT_EPOCHS,
    SORT_SUMMARY,
} sort_field;

typedef struct sort_spec {
    sort_field field;
    const char *key; /* SORT_SUMMARY */
    int direction;   /* 1 ascending, -1 descending */
    double now;
} sort_spec;

double s3f_run_record_duration(const s3f_run_record *run, double now)
{
    double end = run->end_time;
    if (isnan(end)) end = run->status == S3F_RUN_RUNNING ? now : run->heartbeat_time;
    if (isnan(end) || isnan(run->start_time) || end < run->start_time) return 0;
    return end - run->start_time;
}

static s3f_status parse_sort(const char *text, sort_spec *spec)
{
    static const struct {
        const char *name;
        sort_field field;
    } fields[] = {{"id", SORT_ID},
                  {"name", SORT_NAME},
                  {"kind", SORT_KIND},
                  {"status", SORT_STATUS},
                  {"task", SORT_TASK},
                  {"started", SORT_STARTED},
                  {"duration", SORT_DURATION},
                  {"epochs", SORT_EPOCHS}};
    if (!text) text = "-id";
    spec->direction = text[0] == '-' ? -1 : 1;
    const char *key = text + (text[0] == '-' || text[0] == '+');
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (strcmp(key, fields[k].name) == 0) {
            spec->field = fields[k].field;
            return S3F_OK;
        }
    if (!strchr(key, '.') || key[0] == '.')
        return s3f_fail(S3F_ERR_ARG,
                        "no sort key '%s'; use id, name, kind, status, task, started, duration, "
                        "epochs or a summary value such as best.val_mae ('-' first: descending)",
                        text);
    spec->field = SORT_SUMMARY;
    spec->key = key;
    return S3F_OK;
}

static int sign(double a, double b)
{
    return (a > b) - (a < b);
}

/* <0, 0, >0 as a sorts before b ascending; summary keys handled apart. */
static int compare_field(const s3f_run_record *a, const s3f_run_record *b, const sort_spec *s)
{
    switch (s->field) {
    case SORT_NAME:
        return strcmp(a->name, b->name);
    case SORT_KIND:
        return strcmp(a->kind, b->kind);
    case SORT_TASK:
        return strcmp(a->task, b->task);
    case SORT_STATUS:
        return strcmp(s3f_run_status_name(a->status), s3f_run_status_name(b->status));
    case SORT_STARTED:
        return sign(a->start_time, b->start_time);
    case SORT_DURATION:
        return sign(s3f_run_record_duration(a, s->now), s3f_run_record_duration(b, s->now));
    case SORT_EPOCHS:
        return sign((double)a->epochs, (double)b->epochs);
    default:
        return 0;
    }
}

static int compare_runs(const void *pa, const void *pb, void *context)
{
    const s3f_run_record *a = pa, *b = pb;
    const sort_spec *s = context;
    int order = 0;
    if (s->field == SORT_SUMMARY) {
        double x = s3f_run_record_summary(a, s->key), y = s3f_run_record_summary(b, s->key);
        if (isnan(x) != isnan(y)) return isnan(x) ? 1 : -1; /* missing last */
        if (!isnan(x)) order = sign(x, y);
    } else {
        order = compare_field(a, b, s);
    }
    if (order == 0) order = sign((double)a->id, (double)b->id);
    return order * s->direction;
}

s3f_status store_sort_runs(s3f_run_record *runs, int count, const char *key)
{
    sort_spec spec = {.now = store_now()};
    S3F_RETURN_IF_ERR(parse_sort(key, &spec));
    if (count > 1) qsort_r(runs, (size_t)count, sizeof *runs, compare_runs, &spec);
    return S3F_OK;
}
