/* runs_plot.c — `se3flow runs plot ID [ID...] --metric NAME -o FILE.svg`:
 * one metric of several runs, against step, overlaid in one SVG chart.
 *
 * NAME is the metric's key as summaries and `runs show` write it:
 * "val_mae" (split val, name mae), or "loss" for a metric logged without a
 * split; a bare name that exactly one split of a run logged also works.
 *
 * Not here: drawing (runs_svg.c). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "runs.h"

typedef struct plot_options {
    const char *db, *metric, *output;
    int count;
    int64_t *ids; /* (count) */
} plot_options;

/* Lists the run's metric keys into `out`, for the error message. */
static void list_keys(const s3f_metric_list *list, char *out, size_t size)
{
    char key[160];
    out[0] = '\0';
    for (int i = 0; i < list->count; i++) {
        if (i > 0 && !strcmp(list->metrics[i].name, list->metrics[i - 1].name) &&
            !strcmp(list->metrics[i].split, list->metrics[i - 1].split))
            continue;
        runs_metric_key(&list->metrics[i], key, sizeof key);
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", n ? ", " : "", key);
    }
    if (!out[0]) snprintf(out, size, "none");
}

/* The [from, to) range of the series called `wanted` (contiguous: the list
 * is ordered by split, name, step). By key first, then by bare name when
 * exactly one split has it. */
static bool find_series(const s3f_metric_list *list, const char *wanted, int *from, int *to)
{
    char key[160];
    int by_name = -1, splits_with_name = 0;
    *from = -1;
    for (int i = 0; i < list->count; i++) {
        const s3f_metric *m = &list->metrics[i];
        runs_metric_key(m, key, sizeof key);
        bool new_series = i == 0 || strcmp(m->name, list->metrics[i - 1].name) ||
                          strcmp(m->split, list->metrics[i - 1].split);
        if (*from < 0 && strcmp(key, wanted) == 0) *from = i;
        if (new_series && strcmp(m->name, wanted) == 0) by_name = i, splits_with_name++;
    }
    if (*from < 0 && splits_with_name == 1) *from = by_name;
    if (*from < 0) return false;
    for (*to = *from + 1; *to < list->count; (*to)++)
        if (strcmp(list->metrics[*to].name, list->metrics[*from].name) ||
            strcmp(list->metrics[*to].split, list->metrics[*from].split))
            break;
    return true;
}

static s3f_status fill_series(const s3f_metric_list *list, const s3f_run_record *run,
                              const char *metric, runs_series *s)
{
    int from, to;
    if (!find_series(list, metric, &from, &to)) {
        char keys[512];
        list_keys(list, keys, sizeof keys);
        return s3f_fail(S3F_ERR_ARG, "run %lld has no metric '%s'; it has: %s", (long long)run->id,
                        metric, keys);
    }
    snprintf(s->label, sizeof s->label, "#%lld %s", (long long)run->id, run->name);
    s->count = to - from;
    s->x = malloc((size_t)s->count * sizeof *s->x);
    s->y = malloc((size_t)s->count * sizeof *s->y);
    if (!s->x || !s->y) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the plot's points");
    for (int i = 0; i < s->count; i++) {
        s->x[i] = (double)list->metrics[from + i].step;
        s->y[i] = list->metrics[from + i].value;
    }
    return S3F_OK;
}

static s3f_status load_series(s3f_run_store_t *store, int64_t id, const char *metric,
                              runs_series *s)
{
    s3f_run_record *run = NULL;
    s3f_metric_list *list = NULL;
    s3f_status rc = s3f_run_store_get(store, id, &run);
    if (rc == S3F_OK) rc = s3f_run_store_metrics(store, id, NULL, &list);
    if (rc == S3F_OK) rc = fill_series(list, run, metric, s);
    s3f_metric_list_destroy(list);
    s3f_run_record_destroy(run);
    return rc;
}

static s3f_status plot(s3f_run_store_t *store, const plot_options *o)
{
    runs_series *series = calloc((size_t)o->count, sizeof *series);
    if (!series) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the plot");
    s3f_status rc = S3F_OK;
    for (int i = 0; rc == S3F_OK && i < o->count; i++)
        rc = load_series(store, o->ids[i], o->metric, &series[i]);
    if (rc == S3F_OK)
        rc = runs_svg_write(o->output, o->metric, "step", o->metric, series, o->count);
    for (int i = 0; i < o->count; i++) {
        free(series[i].x);
        free(series[i].y);
    }
    free(series);
    return rc;
}

/* Returns -1 when the options are fine, else an exit code. */
static int parse_options(int argc, char **argv, plot_options *o)
{
    static const struct option longs[] = {RUNS_DB_OPTION,
                                          {"metric", required_argument, NULL, 'm'},
                                          {"output", required_argument, NULL, 'o'},
                                          {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", longs, NULL)) != -1) {
        if (c == 'D')
            o->db = optarg;
        else if (c == 'm')
            o->metric = optarg;
        else if (c == 'o')
            o->output = optarg;
        else
            return runs_usage_error("plot: bad option '%s'", argv[optind - 1]);
    }
    if (!o->metric || !o->output)
        return runs_usage_error("plot: give --metric NAME and -o FILE.svg");
    if (optind >= argc) return runs_usage_error("plot: give at least one run id");
    o->count = argc - optind;
    if (!(o->ids = calloc((size_t)o->count, sizeof *o->ids)))
        return cli_report(s3f_fail(S3F_ERR_NOMEM, "cannot allocate run ids"), "runs plot");
    for (int i = 0; i < o->count; i++)
        if (!runs_parse_id(argv[optind + i], &o->ids[i])) return CLI_EXIT_USAGE;
    return -1;
}

int runs_plot(int argc, char **argv)
{
    plot_options o = {0};
    int exit_code = parse_options(argc, argv, &o);
    s3f_run_store_t *store = NULL;
    if (exit_code < 0 && runs_open(o.db, &store, &exit_code)) {
        s3f_status rc = plot(store, &o);
        exit_code = rc == S3F_OK ? CLI_EXIT_OK : cli_report(rc, "runs plot");
        if (rc == S3F_OK)
            printf("wrote %s (%d run%s)\n", o.output, o.count, o.count > 1 ? "s" : "");
    }
    s3f_run_store_close(store);
    free(o.ids);
    return exit_code;
}
