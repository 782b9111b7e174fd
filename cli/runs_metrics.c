/* runs_metrics.c — `se3flow runs metrics ID [--name N] [--csv]`: every value
 * a run logged (or those named N), in step order per series, as a table or
 * CSV. */
#include <getopt.h>
#include <string.h>

#include "runs.h"

typedef struct metrics_options {
    const char *db, *name;
    bool csv;
    int64_t id;
} metrics_options;

static void print_csv(const s3f_metric_list *list)
{
    printf("step,epoch,split,name,value,wall_time\n");
    for (int i = 0; i < list->count; i++) {
        const s3f_metric *m = &list->metrics[i];
        printf("%lld,%lld,", (long long)m->step, (long long)m->epoch);
        runs_csv_field(stdout, m->split);
        fputc(',', stdout);
        runs_csv_field(stdout, m->name);
        printf(",%.10g,%.3f\n", m->value, m->wall_time);
    }
}

static void print_table(const s3f_metric_list *list)
{
    int width = (int)strlen("METRIC");
    char key[160];
    for (int i = 0; i < list->count; i++) {
        runs_metric_key(&list->metrics[i], key, sizeof key);
        if ((int)strlen(key) > width) width = (int)strlen(key);
    }
    printf("%10s %6s  %-*s  %-14s %s\n", "STEP", "EPOCH", width, "METRIC", "VALUE", "TIME");
    for (int i = 0; i < list->count; i++) {
        const s3f_metric *m = &list->metrics[i];
        char when[32];
        runs_metric_key(m, key, sizeof key);
        runs_format_iso(m->wall_time, when, sizeof when);
        printf("%10lld %6lld  %-*s  %-14.8g %s\n", (long long)m->step, (long long)m->epoch, width,
               key, m->value, when);
    }
}

/* Returns -1 when the options are fine, else an exit code. */
static int parse_options(int argc, char **argv, metrics_options *o)
{
    static const struct option longs[] = {RUNS_DB_OPTION,
                                          {"name", required_argument, NULL, 'n'},
                                          {"csv", no_argument, NULL, 'c'},
                                          {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
        if (c == 'D')
            o->db = optarg;
        else if (c == 'n')
            o->name = optarg;
        else if (c == 'c')
            o->csv = true;
        else
            return runs_usage_error("metrics: bad option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1) return runs_usage_error("metrics: give one run id");
    return runs_parse_id(argv[optind], &o->id) ? -1 : CLI_EXIT_USAGE;
}

int runs_metrics(int argc, char **argv)
{
    metrics_options o = {0};
    int exit_code = parse_options(argc, argv, &o);
    if (exit_code >= 0) return exit_code;
    s3f_run_store_t *store = NULL;
    if (!runs_open(o.db, &store, &exit_code)) return exit_code;
    exit_code = CLI_EXIT_OK;
    s3f_metric_list *list = NULL;
    s3f_status rc = s3f_run_store_metrics(store, o.id, o.name, &list);
    if (rc != S3F_OK)
        exit_code = cli_report(rc, "runs metrics");
    else if (o.csv)
        print_csv(list);
    else
        print_table(list);
    if (rc == S3F_OK && list->count == 0 && o.name)
        fprintf(stderr, "se3flow runs metrics: run %lld has no metric named '%s'\n",
                (long long)o.id, o.name);
    s3f_metric_list_destroy(list);
    s3f_run_store_close(store);
    return exit_code;
}
