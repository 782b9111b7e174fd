/* cmd_bench.c — `se3flow bench --recipe R`: throughput, latency and peak
 * memory of training or inference with a recipe's model and data, measured
 * as the reference's benchmark mode does (SPEC §15.6, bench_clock.h), printed
 * like the reference README's performance tables and recorded as a `bench`
 * run. The weights are the recipe's fresh initialisation. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cjson/cJSON.h>

#include "bench_run.h"
#include "cli.h"
#include "tool_record.h"

#define MAX_ARGS 64

typedef struct bench_args {
    const char *recipe, *mode, *name, *db;
    const char *sets[MAX_ARGS], *paths[MAX_ARGS];
    int set_count, path_count;
    long batch_size, epochs, warmup, steps; /* -1: not given */
    bool json, quiet;
} bench_args;

typedef struct bench_outcome {
    bench_figures f;
    int batch_size;
    int64_t epochs, warmup, steps;
    size_t arena_peak;
    double rss_peak; /* bytes */
} bench_outcome;

void cmd_bench_usage(FILE *out)
{
    fprintf(out,
            "usage: se3flow bench --recipe R [--mode train|inference] [--batch-size B]\n"
            "                     [--epochs N [--warmup W] | --steps S [--warmup W]] [--json]\n"
            "                     [--set KEY=VALUE]... [--plugin-path DIR]... [--name NAME] [--db "
            "FILE]\n\n"
            "Times training (the trainer with a constant learning rate, no checkpoints) or\n"
            "inference (forward passes over the shuffled training split) with the recipe's model\n"
            "and data, fresh weights.\n\n"
            "  --mode M          train (default) or inference\n"
            "  --batch-size B    molecules per batch (default: the recipe's train.batch_size)\n"
            "  --epochs N        epochs to run (default: the recipe's train.epochs)\n"
            "  --warmup W        untimed warm-up: W epochs (default 1 if N > 1, else 0), or with\n"
            "                    --steps W batches (default 1)\n"
            "  --steps S         time S batches (after the warm-up) instead of whole epochs\n"
            "  --json            one JSON object instead of the table\n\n"
            "Figures (SPEC 15.6): the time of every batch boundary after the warm-up is taken;\n"
            "deltas are consecutive differences. Throughput as the reference defines it:\n"
            "batch size / mean delta (the last, smaller batch counted as full); also total\n"
            "molecules / total time; both in molecules per millisecond, and per second.\n"
            "Latency: mean, 90th, 95th and 99th percentile of the deltas (linear\n"
            "interpolation). Peak memory: the step arena's high-water mark and the process's\n"
            "peak resident set size. Recorded as a `bench` run with metrics\n"
            "throughput_<mode>, throughput_total_<mode>, latency_<mode>_mean|90|95|99,\n"
            "total_time_<mode>, arena_peak_bytes, rss_peak_bytes.\n");
}

static bool number(const char *text, long *out)
{
    char *end;
    *out = strtol(text, &end, 10);
    return *text && !*end && *out >= 0;
}

static int parse(int argc, char **argv, bench_args *a)
{
    static const struct option options[] = {{"recipe", required_argument, NULL, 'r'},
                                            {"mode", required_argument, NULL, 'm'},
                                            {"batch-size", required_argument, NULL, 'B'},
                                            {"epochs", required_argument, NULL, 'e'},
                                            {"warmup", required_argument, NULL, 'w'},
                                            {"steps", required_argument, NULL, 's'},
                                            {"json", no_argument, NULL, 'j'},
                                            {"set", required_argument, NULL, 'S'},
                                            {"plugin-path", required_argument, NULL, 'p'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"db", required_argument, NULL, 'b'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    bool ok = true;
    optind = 1;
    a->batch_size = a->epochs = a->warmup = a->steps = -1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'r')
            a->recipe = optarg;
        else if (opt == 'm')
            a->mode = optarg;
        else if (opt == 'B')
            ok &= number(optarg, &a->batch_size) && a->batch_size > 0;
        else if (opt == 'e')
            ok &= number(optarg, &a->epochs) && a->epochs > 0;
        else if (opt == 'w')
            ok &= number(optarg, &a->warmup);
        else if (opt == 's')
            ok &= number(optarg, &a->steps) && a->steps > 0;
        else if (opt == 'j')
            a->json = true;
        else if (opt == 'q')
            a->quiet = true;
        else if (opt == 'S' && a->set_count < MAX_ARGS)
            a->sets[a->set_count++] = optarg;
        else if (opt == 'p' && a->path_count < MAX_ARGS)
            a->paths[a->path_count++] = optarg;
        else if (opt == 'n')
            a->name = optarg;
        else if (opt == 'b')
            a->db = optarg;
        else
            ok = false;
    }
    if (!a->mode) a->mode = "train";
    ok &= optind == argc && a->recipe && !(a->steps > 0 && a->epochs > 0);
    ok &= !strcmp(a->mode, "train") || !strcmp(a->mode, "inference");
    return ok ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

/* The plan and the clock from the arguments and the recipe. */
static void plan_of(const bench_args *a, const model_session *s, bench_plan *plan,
                    bench_clock *clock, bench_outcome *o)
{
    int64_t epochs = a->epochs > 0 ? a->epochs : s->setup.train.epochs;
    plan->train = !strcmp(a->mode, "train");
    plan->batch_size = (int)(a->batch_size > 0 ? a->batch_size : s->setup.train.batch_size);
    memset(clock, 0, sizeof *clock);
    if (a->steps > 0) {
        clock->warmup_batches = a->warmup >= 0 ? a->warmup : 1;
        clock->max_timed = a->steps;
        int64_t per_epoch =
            (s->desc.split_size[S3F_SPLIT_TRAIN] + plan->batch_size - 1) / plan->batch_size;
        plan->epochs = (clock->warmup_batches + a->steps) / (per_epoch ? per_epoch : 1) + 1;
    } else {
        clock->warmup_epochs = a->warmup >= 0 ? a->warmup : epochs > 1 ? 1 : 0;
        plan->epochs = epochs;
    }
    *o = (bench_outcome){.batch_size = plan->batch_size,
                         .epochs = plan->epochs,
                         .warmup = a->steps > 0 ? clock->warmup_batches : clock->warmup_epochs,
                         .steps = a->steps > 0 ? a->steps : 0};
}

static double rss_peak_bytes(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? 1024.0 * (double)u.ru_maxrss : NAN;
}

static void print_table(const bench_args *a, const model_session *s, const bench_outcome *o)
{
    const bench_figures *f = &o->f;
    printf("%s benchmark: %s on %s, CPU, batch size %d, %s\n\n", a->mode,
           s->setup.model.descriptor->name, s->setup.dataset.descriptor->name, o->batch_size,
           o->steps ? "timed steps after warm-up batches" : "epochs after warm-up epochs");
    printf("| Batch size | Throughput [mol/ms] | Throughput, total [mol/ms] | Throughput [mol/s] "
           "| Latency Avg [ms] | Latency 90%% [ms] | Latency 95%% [ms] | Latency 99%% [ms] |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    printf("| %d | %.4g | %.4g | %.0f | %.4g | %.4g | %.4g | %.4g |\n\n", o->batch_size,
           f->throughput, f->throughput_total, 1e3 * f->throughput, f->latency_mean, f->latency_p90,
           f->latency_p95, f->latency_p99);
    printf("%lld batches (%lld molecules) timed in %.1f ms; warm-up %lld %s\n",
           (long long)f->batches, (long long)f->molecules, f->total_time, (long long)o->warmup,
           o->steps ? "batches" : "epochs");
    printf("peak memory: step arena %.1f MiB, resident set %.1f MiB\n",
           (double)o->arena_peak / 1048576.0, o->rss_peak / 1048576.0);
}

static s3f_status print_json(const bench_args *a, const bench_outcome *o, int64_t run_id)
{
    const bench_figures *f = &o->f;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "mode", a->mode);
    cJSON_AddStringToObject(j, "device", "cpu");
    cJSON_AddNumberToObject(j, "run_id", (double)run_id);
    cJSON_AddNumberToObject(j, "batch_size", o->batch_size);
    cJSON_AddNumberToObject(j, "epochs", (double)o->epochs);
    cJSON_AddNumberToObject(j, "warmup", (double)o->warmup);
    cJSON_AddStringToObject(j, "warmup_unit", o->steps ? "batches" : "epochs");
    cJSON_AddNumberToObject(j, "timed_batches", (double)f->batches);
    cJSON_AddNumberToObject(j, "molecules", (double)f->molecules);
    cJSON_AddNumberToObject(j, "throughput_mol_per_ms", f->throughput);
    cJSON_AddNumberToObject(j, "throughput_total_mol_per_ms", f->throughput_total);
    cJSON_AddNumberToObject(j, "throughput_mol_per_s", 1e3 * f->throughput);
    cJSON_AddNumberToObject(j, "total_time_ms", f->total_time);
    cJSON *l = cJSON_AddObjectToObject(j, "latency_ms");
    cJSON_AddNumberToObject(l, "mean", f->latency_mean);
    cJSON_AddNumberToObject(l, "p90", f->latency_p90);
    cJSON_AddNumberToObject(l, "p95", f->latency_p95);
    cJSON_AddNumberToObject(l, "p99", f->latency_p99);
    cJSON *m = cJSON_AddObjectToObject(j, "peak_memory_bytes");
    cJSON_AddNumberToObject(m, "arena", (double)o->arena_peak);
    cJSON_AddNumberToObject(m, "rss", o->rss_peak);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return s3f_fail(S3F_ERR_NOMEM, "out of memory printing JSON");
    printf("%s\n", text);
    cJSON_free(text);
    return S3F_OK;
}

/* Metric names as the reference's DLLogger keys (SPEC 15.6). */
static void record_figures(tool_record *r, const char *mode, const bench_outcome *o)
{
    const bench_figures *f = &o->f;
    const char *names[] = {"throughput_%s", "throughput_total_%s", "latency_%s_mean",
                           "latency_%s_90", "latency_%s_95",       "latency_%s_99",
                           "total_time_%s"};
    double values[] = {f->throughput,  f->throughput_total, f->latency_mean, f->latency_p90,
                       f->latency_p95, f->latency_p99,      f->total_time};
    for (int i = 0; i < 7; i++) {
        char name[64];
        snprintf(name, sizeof name, names[i], mode);
        tool_record_metric(r, name, "", values[i]);
    }
    tool_record_metric(r, "arena_peak_bytes", "", (double)o->arena_peak);
    tool_record_metric(r, "rss_peak_bytes", "", o->rss_peak);
}

static s3f_status bench(const bench_args *a, model_session *s, tool_record *record)
{
    bench_plan plan;
    bench_clock clock;
    bench_outcome o;
    char name[512], message[256];
    s3f_status rc = S3F_OK;
    memset(&clock, 0, sizeof clock);
    model_request r = {.quiet = true};
    r.recipe = (run_request){.recipe_path = a->recipe,
                             .sets = a->sets,
                             .set_count = a->set_count,
                             .plugin_paths = a->paths,
                             .plugin_path_count = a->path_count};
    S3F_TRY(model_session_open(&r, s));
    plan_of(a, s, &plan, &clock, &o);
    snprintf(name, sizeof name, "bench %s %s", a->mode, a->recipe);
    S3F_TRY(tool_record_begin(record, a->db, "bench", a->name ? a->name : name, &s->setup));
    S3F_TRY(bench_run(s, &plan, &clock, &o.arena_peak));
    S3F_TRY(bench_clock_figures(&clock, plan.batch_size, &o.f));
    o.rss_peak = rss_peak_bytes();
    if (a->json)
        S3F_TRY(print_json(a, &o, record->id));
    else if (!a->quiet)
        print_table(a, s, &o);
    record_figures(record, a->mode, &o);
    snprintf(message, sizeof message, "%s: %.4g mol/ms (reference definition), %.4g mol/ms total",
             a->mode, o.f.throughput, o.f.throughput_total);
fail:
    tool_record_end(record, rc, rc == S3F_OK ? message : NULL);
    bench_clock_free(&clock);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    bench_args a;
    memset(&a, 0, sizeof a);
    if (parse(argc, argv, &a) != CLI_EXIT_OK) {
        cmd_bench_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    model_session s;
    memset(&s, 0, sizeof s);
    tool_record record = {0};
    s3f_status rc = bench(&a, &s, &record);
    model_session_close(&s);
    return rc == S3F_OK ? CLI_EXIT_OK : cli_report(rc, "bench");
}
