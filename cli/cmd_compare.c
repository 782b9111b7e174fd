/* cmd_compare.c — `se3flow compare A B`: two checkpoints (or runs, meaning
 * their best checkpoints) side by side: recipe differences, parameter
 * differences, and both models evaluated on the same molecules with a paired
 * bootstrap interval of their MAE difference. Recorded as a `compare` run.
 *
 * Both models read A's dataset (one copy in memory); each denormalises with
 * its own checkpoint's target normalisation. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare_report.h"
#include "predictions.h"
#include "tool_record.h"

#define MAX_PATHS 64

typedef struct compare_args {
    const char *a, *b, *split, *db, *name;
    const char *paths[MAX_PATHS];
    int path_count;
    long batch_size;
    unsigned long long seed;
    bool json;
} compare_args;

void cmd_compare_usage(FILE *out)
{
    fprintf(out,
            "usage: se3flow compare A B [--split test|val|train] [--json] [--seed N]\n"
            "                       [--batch-size N] [--plugin-path DIR]... [--name NAME] [--db "
            "FILE]\n\n"
            "A and B are checkpoint files or run ids (a run id means that run's best checkpoint).\n"
            "Prints: the keys where their resolved recipes differ; per parameter tensor its shape\n"
            "and relative L2 difference ||B - A|| / ||A|| (and tensors only in one); both models\n"
            "evaluated on the same split of A's dataset (default test): the MAE of each, the\n"
            "paired difference MAE(A) - MAE(B) with a 95%% confidence interval from %d bootstrap\n"
            "resamples of the molecules (percentile method, Philox stream of --seed, default 0),\n"
            "and the share of molecules where each model has the smaller error.\n\n"
            "  --json  one JSON object instead of text (fields listed in cli/compare_report.h)\n\n"
            "The comparison is recorded as a `compare` run linked to both checkpoints.\n",
            COMPARE_BOOTSTRAP_RESAMPLES);
}

static int parse(int argc, char **argv, compare_args *a)
{
    static const struct option options[] = {
        {"split", required_argument, NULL, 's'},       {"json", no_argument, NULL, 'j'},
        {"seed", required_argument, NULL, 'S'},        {"batch-size", required_argument, NULL, 'B'},
        {"plugin-path", required_argument, NULL, 'p'}, {"name", required_argument, NULL, 'n'},
        {"db", required_argument, NULL, 'b'},          {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 's')
            a->split = optarg;
        else if (opt == 'j')
            a->json = true;
        else if (opt == 'S')
            a->seed = strtoull(optarg, NULL, 10);
        else if (opt == 'B')
            a->batch_size = strtol(optarg, NULL, 10);
        else if (opt == 'p' && a->path_count < MAX_PATHS)
            a->paths[a->path_count++] = optarg;
        else if (opt == 'n')
            a->name = optarg;
        else if (opt == 'b')
            a->db = optarg;
        else
            return CLI_EXIT_USAGE;
    }
    if (optind + 2 != argc || a->batch_size < 0) return CLI_EXIT_USAGE;
    a->a = argv[optind], a->b = argv[optind + 1];
    return CLI_EXIT_OK;
}

/* A run id's newest best checkpoint; a path is itself. */
static s3f_status resolve(const char *db, const char *what, char *path, size_t size)
{
    char *end;
    long long id = strtoll(what, &end, 10);
    if (!*what || *end || id <= 0) {
        snprintf(path, size, "%s", what);
        return S3F_OK;
    }
    s3f_run_store_t *store = NULL;
    s3f_checkpoint_list *list = NULL;
    s3f_status rc = S3F_OK;
    path[0] = '\0';
    S3F_TRY(s3f_run_store_open(s3f_run_store_path(db), 0, &store));
    S3F_TRY(s3f_run_store_checkpoints(store, id, &list));
    for (int i = 0; i < list->count; i++) {
        const char *p = list->checkpoints[i].path, *slash = strrchr(p, '/');
        if (!strcmp(slash ? slash + 1 : p, "best.safetensors")) snprintf(path, size, "%s", p);
    }
    if (!path[0]) rc = s3f_fail(S3F_ERR_ARG, "run %lld has no best checkpoint", id);
fail:
    s3f_checkpoint_list_destroy(list);
    s3f_run_store_close(store);
    return rc;
}

/* Per-molecule errors of one model on the split. */
static s3f_status errors_of(const model_session *s, s3f_dataset_split split, int batch,
                            double **out, int64_t *n)
{
    prediction_set p = {0};
    s3f_status rc = predictions_collect(s, split, batch, (int)s->setup.train.num_workers, &p);
    double *e = rc == S3F_OK ? malloc((size_t)(p.count ? p.count : 1) * sizeof *e) : NULL;
    if (rc == S3F_OK && !e) rc = s3f_fail(S3F_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; rc == S3F_OK && i < p.count; i++) e[i] = predictions_error(&p, i);
    *n = p.count;
    predictions_free(&p);
    *out = e;
    return rc;
}

typedef struct compare_state {
    char path_a[4096], path_b[4096];
    model_session a, b;
    recipe_diff recipes;
    param_diff params;
    double *err_a, *err_b;
} compare_state;

static s3f_status evaluate(const compare_args *args, compare_state *st, compare_report *r)
{
    s3f_dataset_split split;
    int64_t na, nb;
    S3F_RETURN_IF_ERR(model_split_parse(r->split, &split));
    int batch = (int)(args->batch_size ? args->batch_size : st->a.setup.train.batch_size);
    S3F_RETURN_IF_ERR(errors_of(&st->a, split, batch, &st->err_a, &na));
    S3F_RETURN_IF_ERR(errors_of(&st->b, split, batch, &st->err_b, &nb));
    if (na != nb)
        return s3f_fail(S3F_ERR_INTERNAL, "A has %lld molecules, B %lld", (long long)na,
                        (long long)nb);
    return paired_compare(st->err_a, st->err_b, na, args->seed, &r->result);
}

static s3f_status open_both(const compare_args *args, compare_state *st)
{
    S3F_RETURN_IF_ERR(resolve(args->db, args->a, st->path_a, sizeof st->path_a));
    S3F_RETURN_IF_ERR(resolve(args->db, args->b, st->path_b, sizeof st->path_b));
    model_request r = {.ckpt_path = st->path_a, .quiet = true};
    r.recipe = (run_request){.plugin_paths = args->paths, .plugin_path_count = args->path_count};
    S3F_RETURN_IF_ERR(model_session_open(&r, &st->a));
    r.ckpt_path = st->path_b;
    r.data_from = &st->a;
    return model_session_open(&r, &st->b);
}

static void record_outcome(tool_record *record, const compare_state *st, const compare_report *r)
{
    const paired_result *p = &r->result;
    char metric[64];
    tool_record_metric(record, "mae_a", r->split, p->mean_a);
    tool_record_metric(record, "mae_b", r->split, p->mean_b);
    tool_record_metric(record, "mae_a_minus_b", r->split, p->diff);
    snprintf(metric, sizeof metric, "%s_mae", r->split);
    tool_record_link(record, st->path_a, st->a.meta.epoch, st->a.meta.step, metric, p->mean_a);
    tool_record_link(record, st->path_b, st->b.meta.epoch, st->b.meta.step, metric, p->mean_b);
}

static s3f_status compare(const compare_args *args, compare_state *st, tool_record *record)
{
    compare_report r = {.split = args->split ? args->split : "test", .seed = args->seed};
    char name[8300], message[256];
    S3F_RETURN_IF_ERR(open_both(args, st));
    snprintf(name, sizeof name, "compare %s %s", st->path_a, st->path_b);
    S3F_RETURN_IF_ERR(tool_record_begin(record, args->db, "compare", args->name ? args->name : name,
                                        &st->a.setup));
    S3F_RETURN_IF_ERR(
        recipe_diff_make(st->a.meta.recipe_yaml, st->b.meta.recipe_yaml, &st->recipes));
    S3F_RETURN_IF_ERR(param_diff_make(st->a.file, st->b.file, &st->params));
    S3F_RETURN_IF_ERR(evaluate(args, st, &r));
    r.path_a = st->path_a, r.path_b = st->path_b;
    r.unit = st->a.desc.target_units ? st->a.desc.target_units[0] : "";
    r.recipes = &st->recipes, r.params = &st->params;
    if (args->json)
        S3F_RETURN_IF_ERR(compare_report_json(stdout, &r));
    else
        compare_report_text(stdout, &r);
    record_outcome(record, st, &r);
    snprintf(message, sizeof message, "MAE A - B %.6g, 95%% CI [%.6g, %.6g]", r.result.diff,
             r.result.ci_low, r.result.ci_high);
    tool_record_end(record, S3F_OK, message);
    return S3F_OK;
}

int cmd_compare(int argc, char **argv)
{
    compare_args args;
    memset(&args, 0, sizeof args);
    if (parse(argc, argv, &args) != CLI_EXIT_OK) {
        cmd_compare_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    s3f_dataset_split split;
    if (args.split && model_split_parse(args.split, &split) != S3F_OK)
        return cli_report(S3F_ERR_ARG, "compare");
    compare_state *st = calloc(1, sizeof *st);
    if (!st) return cli_report(s3f_fail(S3F_ERR_NOMEM, "out of memory"), "compare");
    tool_record record = {0};
    s3f_status rc = compare(&args, st, &record);
    tool_record_end(&record, rc, NULL); /* a no-op once ended */
    free(st->err_a);
    free(st->err_b);
    param_diff_free(&st->params);
    recipe_diff_free(&st->recipes);
    model_session_close(&st->b);
    model_session_close(&st->a);
    free(st);
    return rc == S3F_OK ? CLI_EXIT_OK : cli_report(rc, "compare");
}
