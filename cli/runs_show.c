/* runs_show.c — `se3flow runs show ID`: one run in full — its fields, its
 * summary values, each metric series with a sparkline of its course, its
 * checkpoints and the resolved recipe it ran with.
 *
 * Not here: the sparkline itself (runs_format.c). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runs.h"

#define SPARK_WIDTH 40

static void print_fields(const s3f_run_record *run, double now)
{
    char started[32], ended[32], duration[32];
    runs_format_time(run->start_time, started, sizeof started);
    runs_format_time(run->end_time, ended, sizeof ended);
    runs_format_duration(s3f_run_record_duration(run, now), duration, sizeof duration);
    printf("run %lld  %s  (%s, %s)\n", (long long)run->id, run->name, run->kind,
           s3f_run_status_name(run->status));
    printf("  task       %s\n", run->task[0] ? run->task : "-");
    printf("  started    %s   ended %s   duration %s\n", started, ended, duration);
    printf("  host       %s (pid %lld)\n", run->host, (long long)run->pid);
    printf("  device     %s\n", run->device[0] ? run->device : "-");
    if (run->has_seed) printf("  seed       %lld\n", (long long)run->seed);
    printf("  se3flow    %s\n", run->version);
    if (run->plugin_versions[0]) printf("  plugins    %s\n", run->plugin_versions);
    if (run->recipe_path[0])
        printf("  recipe     %s (sha256 %s)\n", run->recipe_path,
               run->recipe_sha256[0] ? run->recipe_sha256 : "-");
    if (run->data_path[0])
        printf("  data       %s (sha256 %s)\n", run->data_path, run->data_sha256);
    if (run->message[0]) printf("  message    %s\n", run->message);
    if (run->summary_count) printf("\nsummary\n");
    for (int i = 0; i < run->summary_count; i++)
        printf("  %-24s %.6g\n", run->summary[i].key, run->summary[i].value);
}

/* One series: metrics[from, to) share split and name, ordered by step. */
static void print_series(const s3f_metric *metrics, int from, int to, double *values)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = from; i < to; i++) {
        values[i - from] = metrics[i].value;
        if (isfinite(metrics[i].value))
            lo = fmin(lo, metrics[i].value), hi = fmax(hi, metrics[i].value);
    }
    char key[160], spark[3 * SPARK_WIDTH + 1];
    runs_metric_key(&metrics[from], key, sizeof key);
    runs_sparkline(values, to - from, SPARK_WIDTH, spark);
    printf("  %-20s %6d  %-10.4g %-10.4g %-10.4g %-10.4g %s\n", key, to - from, metrics[from].value,
           metrics[to - 1].value, lo, hi, spark);
}

static s3f_status print_metrics(s3f_run_store_t *store, int64_t id)
{
    s3f_metric_list *list = NULL;
    S3F_RETURN_IF_ERR(s3f_run_store_metrics(store, id, NULL, &list));
    double *values = malloc((size_t)(list->count ? list->count : 1) * sizeof *values);
    if (!values) {
        s3f_metric_list_destroy(list);
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the metrics summary");
    }
    if (list->count)
        printf("\nmetrics\n  %-20s %6s  %-10s %-10s %-10s %-10s %s\n", "METRIC", "N", "FIRST",
               "LAST", "MIN", "MAX", "COURSE");
    for (int from = 0, to; from < list->count; from = to) {
        const s3f_metric *m = &list->metrics[from];
        for (to = from + 1; to < list->count; to++)
            if (strcmp(list->metrics[to].name, m->name) ||
                strcmp(list->metrics[to].split, m->split))
                break;
        print_series(list->metrics, from, to, values);
    }
    free(values);
    s3f_metric_list_destroy(list);
    return S3F_OK;
}

static s3f_status print_checkpoints(s3f_run_store_t *store, int64_t id)
{
    s3f_checkpoint_list *list = NULL;
    S3F_RETURN_IF_ERR(s3f_run_store_checkpoints(store, id, &list));
    if (list->count)
        printf("\ncheckpoints\n  %6s %8s  %-22s %-16s %s\n", "EPOCH", "STEP", "METRIC", "SHA256",
               "PATH");
    for (int i = 0; i < list->count; i++) {
        const s3f_checkpoint_info *c = &list->checkpoints[i];
        char metric[64] = "-";
        if (c->metric_name[0])
            snprintf(metric, sizeof metric, "%s %.4g", c->metric_name, c->metric_value);
        printf("  %6lld %8lld  %-22s %.16s %s\n", (long long)c->epoch, (long long)c->step, metric,
               c->sha256, c->path);
    }
    s3f_checkpoint_list_destroy(list);
    return S3F_OK;
}

static void print_recipe(const char *yaml)
{
    printf("\nrecipe (resolved)\n");
    if (!yaml[0]) printf("  (none stored)\n");
    for (const char *line = yaml; *line;) {
        const char *end = strchr(line, '\n');
        int length = end ? (int)(end - line) : (int)strlen(line);
        printf("  %.*s\n", length, line);
        line += length + (end != NULL);
    }
}

int runs_show(int argc, char **argv)
{
    static const struct option longs[] = {RUNS_DB_OPTION, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
        if (c != 'D') return runs_usage_error("show: bad option '%s'", argv[optind - 1]);
        db = optarg;
    }
    int64_t id = 0;
    if (optind != argc - 1) return runs_usage_error("show: give one run id");
    if (!runs_parse_id(argv[optind], &id)) return CLI_EXIT_USAGE;
    s3f_run_store_t *store = NULL;
    s3f_run_record *run = NULL;
    int exit_code = CLI_EXIT_OK;
    if (!runs_open(db, &store, &exit_code)) return exit_code;
    s3f_status rc = s3f_run_store_get(store, id, &run);
    if (rc == S3F_OK) {
        print_fields(run, runs_now());
        rc = print_metrics(store, id);
    }
    if (rc == S3F_OK) rc = print_checkpoints(store, id);
    if (rc == S3F_OK) print_recipe(run->recipe_yaml);
    if (rc != S3F_OK) exit_code = cli_report(rc, "runs show");
    s3f_run_record_destroy(run);
    s3f_run_store_close(store);
    return exit_code;
}
