/* runs_list.c — `se3flow runs [OPTIONS]`: the runs that match the filters,
 * as an aligned table, JSON (an array of objects) or CSV.
 *
 * Not here: filtering and sorting themselves (the run store's query). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "runs.h"

typedef enum { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } list_format;

typedef struct list_options {
    const char *db;
    s3f_run_query query;
    list_format format;
} list_options;

/* The table's columns; a row is these texts for one run. */
enum {
    COL_ID,
    COL_NAME,
    COL_KIND,
    COL_STATUS,
    COL_TASK,
    COL_EPOCHS,
    COL_BEST,
    COL_DURATION,
    COL_STARTED,
    COL_COUNT
};
static const char *const k_headers[COL_COUNT] = {"ID",     "NAME",     "KIND",     "STATUS", "TASK",
                                                 "EPOCHS", "BEST VAL", "DURATION", "STARTED"};
typedef char row_text[COL_COUNT][160];

static void row_of(const s3f_run_record *run, double now, row_text row)
{
    const char *key = NULL;
    double value = NAN;
    snprintf(row[COL_ID], sizeof row[0], "%lld", (long long)run->id);
    snprintf(row[COL_NAME], sizeof row[0], "%s", run->name);
    snprintf(row[COL_KIND], sizeof row[0], "%s", run->kind);
    snprintf(row[COL_STATUS], sizeof row[0], "%s", s3f_run_status_name(run->status));
    snprintf(row[COL_TASK], sizeof row[0], "%s", run->task[0] ? run->task : "-");
    snprintf(row[COL_EPOCHS], sizeof row[0], "%lld", (long long)run->epochs);
    if (runs_best_validation(run, &key, &value))
        snprintf(row[COL_BEST], sizeof row[0], "%s %.4g", key, value);
    else
        snprintf(row[COL_BEST], sizeof row[0], "-");
    runs_format_duration(s3f_run_record_duration(run, now), row[COL_DURATION], sizeof row[0]);
    runs_format_time(run->start_time, row[COL_STARTED], sizeof row[0]);
}

/* Characters on screen of UTF-8 text (bytes that do not continue one). */
static int display_width(const char *text)
{
    int width = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        width += (*c & 0xc0) != 0x80;
    return width;
}

static void print_row(const char *const *cells, const int *widths)
{
    for (int c = 0; c < COL_COUNT; c++) {
        bool last = c == COL_COUNT - 1;
        int pad = widths[c] - display_width(cells[c]);
        if (c == COL_ID || c == COL_EPOCHS) printf("%*s", pad, ""); /* numbers align right */
        printf("%s", cells[c]);
        if (!last && c != COL_ID && c != COL_EPOCHS) printf("%*s", pad, "");
        if (!last) printf("  ");
    }
    printf("\n");
}

static int print_table(const s3f_run_list *list, double now)
{
    row_text *rows = calloc((size_t)list->count + 1, sizeof *rows);
    if (!rows) return cli_report(s3f_fail(S3F_ERR_NOMEM, "cannot allocate the table"), "runs");
    int widths[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) widths[c] = (int)strlen(k_headers[c]);
    for (int r = 0; r < list->count; r++) {
        row_of(&list->runs[r], now, rows[r]);
        for (int c = 0; c < COL_COUNT; c++)
            if (display_width(rows[r][c]) > widths[c]) widths[c] = display_width(rows[r][c]);
    }
    print_row(k_headers, widths);
    for (int r = 0; r < list->count; r++) {
        const char *cells[COL_COUNT];
        for (int c = 0; c < COL_COUNT; c++) cells[c] = rows[r][c];
        print_row(cells, widths);
    }
    free(rows);
    return CLI_EXIT_OK;
}

static int print_csv(const s3f_run_list *list, double now)
{
    printf("id,name,kind,status,task,epochs,best_metric,best_value,duration_s,started\n");
    for (int r = 0; r < list->count; r++) {
        const s3f_run_record *run = &list->runs[r];
        const char *key = "";
        double value = NAN;
        char started[32];
        runs_format_iso(run->start_time, started, sizeof started);
        printf("%lld,", (long long)run->id);
        const char *texts[] = {run->name, run->kind, s3f_run_status_name(run->status), run->task};
        for (int t = 0; t < 4; t++) runs_csv_field(stdout, texts[t]), fputc(',', stdout);
        printf("%lld,", (long long)run->epochs);
        bool has_best = runs_best_validation(run, &key, &value);
        runs_csv_field(stdout, key);
        if (has_best && !isnan(value))
            printf(",%.10g", value);
        else
            printf(",");
        printf(",%.3f,%s\n", s3f_run_record_duration(run, now), started);
    }
    return CLI_EXIT_OK;
}

/* "best_validation": {"metric": "val_mae", "value": 0.04}, or null. */
static void add_best(cJSON *o, const s3f_run_record *run)
{
    const char *key = NULL;
    double value = NAN;
    if (!runs_best_validation(run, &key, &value)) {
        cJSON_AddNullToObject(o, "best_validation");
        return;
    }
    cJSON *best = cJSON_AddObjectToObject(o, "best_validation");
    cJSON_AddStringToObject(best, "metric", key);
    cJSON_AddNumberToObject(best, "value", value);
}

/* The run's stored texts, every one as a string ("" when absent). */
static void add_texts(cJSON *o, const s3f_run_record *run)
{
    const struct {
        const char *key, *text;
    } texts[] = {{"name", run->name},
                 {"kind", run->kind},
                 {"status", s3f_run_status_name(run->status)},
                 {"task", run->task},
                 {"host", run->host},
                 {"device", run->device},
                 {"version", run->version},
                 {"plugin_versions", run->plugin_versions},
                 {"recipe_path", run->recipe_path},
                 {"recipe_sha256", run->recipe_sha256},
                 {"data_path", run->data_path},
                 {"data_sha256", run->data_sha256},
                 {"message", run->message}};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
        cJSON_AddStringToObject(o, texts[t].key, texts[t].text);
}

/* One run as a JSON object; NaN values print as null. */
static cJSON *json_of(const s3f_run_record *run, double now)
{
    char started[32], ended[32];
    runs_format_iso(run->start_time, started, sizeof started);
    runs_format_iso(run->end_time, ended, sizeof ended);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)run->id);
    add_texts(o, run);
    cJSON_AddNumberToObject(o, "epochs", (double)run->epochs);
    add_best(o, run);
    cJSON_AddNumberToObject(o, "duration_s", s3f_run_record_duration(run, now));
    cJSON_AddStringToObject(o, "started", started);
    if (ended[0])
        cJSON_AddStringToObject(o, "ended", ended);
    else
        cJSON_AddNullToObject(o, "ended");
    cJSON_AddNumberToObject(o, "pid", (double)run->pid);
    if (run->has_seed)
        cJSON_AddNumberToObject(o, "seed", (double)run->seed);
    else
        cJSON_AddNullToObject(o, "seed");
    cJSON *summary = cJSON_AddObjectToObject(o, "summary");
    for (int i = 0; i < run->summary_count; i++)
        cJSON_AddNumberToObject(summary, run->summary[i].key, run->summary[i].value);
    return o;
}

static int print_json(const s3f_run_list *list, double now)
{
    cJSON *array = cJSON_CreateArray();
    for (int r = 0; array && r < list->count; r++)
        cJSON_AddItemToArray(array, json_of(&list->runs[r], now));
    char *text = array ? cJSON_Print(array) : NULL;
    cJSON_Delete(array);
    if (!text) return cli_report(s3f_fail(S3F_ERR_NOMEM, "cannot build the JSON"), "runs");
    printf("%s\n", text);
    cJSON_free(text);
    return CLI_EXIT_OK;
}

/* Fills *o from argv; returns -1 when the options are fine, else an exit code. */
static int parse_options(int argc, char **argv, list_options *o)
{
    static const struct option longs[] = {
        RUNS_DB_OPTION,
        {"status", required_argument, NULL, 's'},
        {"name", required_argument, NULL, 'n'},
        {"since", required_argument, NULL, 'S'},
        {"where", required_argument, NULL, 'w'},
        {"sort", required_argument, NULL, 'o'},
        {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    char *end = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
        switch (c) {
        case 'D':
            o->db = optarg;
            break;
        case 's':
            o->query.status = optarg;
            break;
        case 'n':
            o->query.name_glob = optarg;
            break;
        case 'w':
            o->query.where = optarg;
            break;
        case 'o':
            o->query.sort = optarg;
            break;
        case 'j':
        case 'c':
            if (o->format != FORMAT_TABLE)
                return runs_usage_error("give --json or --csv, not both");
            o->format = c == 'j' ? FORMAT_JSON : FORMAT_CSV;
            break;
        case 'S':
            if (!runs_parse_since(optarg, runs_now(), &o->query.since))
                return runs_usage_error("--since '%s': use a date (2026-11-01, "
                                        "2026-11-01T14:30) or an age (90m, 12h, 3d, 2w)",
                                        optarg);
            break;
        case 'l':
            o->query.limit = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o->query.limit <= 0)
                return runs_usage_error("--limit '%s': give a positive number", optarg);
            break;
        case ':':
            return runs_usage_error("%s needs a value", argv[optind - 1]);
        default:
            return runs_usage_error("unknown option '%s'; see 'se3flow runs --help'",
                                    argv[optind - 1]);
        }
    }
    if (optind < argc) return runs_usage_error("unexpected argument '%s'", argv[optind]);
    return -1;
}

static void say_empty(const list_options *o, const char *file)
{
    const s3f_run_query *q = &o->query;
    bool filtered = q->status || q->name_glob || q->since > 0 || q->where;
    fprintf(stderr, "se3flow runs: %s in %s%s\n", filtered ? "no runs match" : "no runs yet", file,
            q->where ? " (a --where key that a run lacks compares false)" : "");
}

int runs_list(int argc, char **argv)
{
    list_options o = {0};
    int exit_code = parse_options(argc, argv, &o);
    if (exit_code >= 0) return exit_code;
    s3f_run_store_t *store = NULL;
    if (!runs_open(o.db, &store, &exit_code)) return exit_code;
    s3f_run_list *list = NULL;
    s3f_status rc = s3f_run_store_list(store, &o.query, &list);
    if (rc != S3F_OK) {
        exit_code = cli_report(rc, "runs");
    } else {
        double now = runs_now();
        if (o.format == FORMAT_JSON)
            exit_code = print_json(list, now);
        else if (o.format == FORMAT_CSV)
            exit_code = print_csv(list, now);
        else
            exit_code = print_table(list, now);
        if (list->count == 0 && o.format == FORMAT_TABLE) say_empty(&o, s3f_run_store_file(store));
    }
    s3f_run_list_destroy(list);
    s3f_run_store_close(store);
    return exit_code;
}
