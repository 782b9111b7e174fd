/* cmd_predict.c — `se3flow predict --ckpt FILE`: a trained model's
 * per-molecule predictions on a split of its own dataset, or on every
 * molecule of an input file, in physical units; the MAE where targets are
 * known; recorded as a `predict` run linked to the checkpoint. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "predict_input.h"
#include "predict_output.h"
#include "predictions.h"
#include "tool_record.h"

#define MAX_ARGS 64

typedef struct predict_args {
    const char *ckpt, *split, *input, *output, *name, *db;
    const char *sets[MAX_ARGS + PREDICT_INPUT_MAX_SETS], *paths[MAX_ARGS];
    int set_count, path_count;
    long batch_size;
    bool quiet;
} predict_args;

void cmd_predict_usage(FILE *out)
{
    fprintf(out,
            "usage: se3flow predict --ckpt FILE [--split test|val|train | --input FILE]\n"
            "                       [--output PREDS.csv|PREDS.jsonl] [--batch-size N]\n"
            "                       [--set KEY=VALUE]... [--plugin-path DIR]... [--name NAME]\n"
            "                       [--db FILE] [--quiet]\n\n"
            "Predicts with the model of a checkpoint, built from the recipe stored in it.\n\n"
            "  --ckpt FILE       the checkpoint (e.g. runs/12/best.safetensors)\n"
            "  --split S         a split of the checkpoint's dataset: test (default), val, train\n"
            "  --input FILE      molecules from FILE instead: an extended XYZ file (.xyz, read by\n"
            "                    the xyz plugin) or a QM9-layout .npz (read by the qm9 plugin);\n"
            "                    every molecule of the file is predicted\n"
            "  --output FILE     write one row per molecule: split, index in the split, and per\n"
            "                    target its prediction, target and absolute error (physical\n"
            "                    units; empty/null where the target is unknown); .csv or .jsonl\n"
            "  --batch-size N    molecules per batch (default: the recipe's train.batch_size)\n"
            "  --set KEY=VALUE   override a value of the stored recipe (e.g. dataset.test_size)\n"
            "  --name NAME       the run's name (default: predict <checkpoint>)\n"
            "  --db FILE         the run store (default: $SE3FLOW_DB, else se3flow.db)\n\n"
            "Prints the MAE (mean over molecules and targets of |prediction - target|) where\n"
            "targets are known, and records a `predict` run whose checkpoint list holds the\n"
            "checkpoint read (with its SHA-256). Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

static int parse(int argc, char **argv, predict_args *a)
{
    static const struct option options[] = {{"ckpt", required_argument, NULL, 'c'},
                                            {"split", required_argument, NULL, 's'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"batch-size", required_argument, NULL, 'B'},
                                            {"set", required_argument, NULL, 'S'},
                                            {"plugin-path", required_argument, NULL, 'p'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"db", required_argument, NULL, 'b'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    char *end;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'c')
            a->ckpt = optarg;
        else if (opt == 's')
            a->split = optarg;
        else if (opt == 'i')
            a->input = optarg;
        else if (opt == 'o')
            a->output = optarg;
        else if (opt == 'n')
            a->name = optarg;
        else if (opt == 'b')
            a->db = optarg;
        else if (opt == 'q')
            a->quiet = true;
        else if (opt == 'S' && a->set_count < MAX_ARGS)
            a->sets[a->set_count++] = optarg;
        else if (opt == 'p' && a->path_count < MAX_ARGS)
            a->paths[a->path_count++] = optarg;
        else if (opt == 'B' && (a->batch_size = strtol(optarg, &end, 10)) > 0 && !*end)
            continue;
        else
            return CLI_EXIT_USAGE;
    }
    if (optind != argc || !a->ckpt || (a->split && a->input)) return CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

/* The overrides: --set first, then those that --input needs. */
static s3f_status add_input_sets(predict_args *a, predict_input *in)
{
    if (!a->input) return S3F_OK;
    S3F_RETURN_IF_ERR(predict_input_sets(a->ckpt, a->input, in));
    for (int i = 0; i < in->count; i++) a->sets[a->set_count++] = in->sets[i];
    return S3F_OK;
}

/* The split asked for, or every split for --input. */
static s3f_status collect(const predict_args *a, const model_session *s, prediction_set *p)
{
    int batch = (int)(a->batch_size ? a->batch_size : s->setup.train.batch_size);
    int workers = (int)s->setup.train.num_workers;
    if (a->input) {
        for (int k = 0; k < S3F_SPLIT_COUNT; k++)
            S3F_RETURN_IF_ERR(predictions_collect(s, (s3f_dataset_split)k, batch, workers, p));
        return S3F_OK;
    }
    s3f_dataset_split split;
    S3F_RETURN_IF_ERR(model_split_parse(a->split ? a->split : "test", &split));
    return predictions_collect(s, split, batch, workers, p);
}

static void report(const predict_args *a, const model_session *s, const prediction_set *p,
                   tool_record *record, char *message, size_t size)
{
    int64_t known;
    double mae = predictions_mae(p, &known);
    const char *what = a->input ? a->input : a->split ? a->split : "test";
    const char *unit = s->desc.target_units ? s->desc.target_units[0] : "";
    snprintf(message, size, "%lld molecules of %s with %s (trained by run %lld, epoch %lld)%s%s",
             (long long)p->count, what, a->ckpt, (long long)s->meta.run_id,
             (long long)s->meta.epoch, a->output ? "; predictions in " : "",
             a->output ? a->output : "");
    if (!a->quiet) printf("%s\n", message);
    if (known && !a->quiet) printf("MAE %.9g %s over %lld values\n", mae, unit, (long long)known);
    if (!known && !a->quiet) printf("no targets known: no MAE\n");
    const char *split = a->input ? "input" : what;
    if (known) tool_record_metric(record, "mae", split, mae);
    char metric[64];
    snprintf(metric, sizeof metric, "%s_mae", split);
    tool_record_link(record, a->ckpt, s->meta.epoch, s->meta.step, known ? metric : "",
                     known ? mae : NAN);
}

static s3f_status predict(predict_args *a, tool_record *record)
{
    predict_input in;
    model_session s;
    prediction_set p = {0};
    char name[512], message[1024];
    s3f_status rc = S3F_OK;
    memset(&s, 0, sizeof s);
    S3F_TRY(add_input_sets(a, &in));
    model_request r = {.ckpt_path = a->ckpt, .quiet = a->quiet};
    r.recipe = (run_request){.sets = a->sets,
                             .set_count = a->set_count,
                             .plugin_paths = a->paths,
                             .plugin_path_count = a->path_count};
    S3F_TRY(model_session_open(&r, &s));
    snprintf(name, sizeof name, "predict %s", a->ckpt);
    S3F_TRY(tool_record_begin(record, a->db, "predict", a->name ? a->name : name, &s.setup));
    S3F_TRY(collect(a, &s, &p));
    if (a->output) S3F_TRY(predict_output_write(a->output, &p, s.desc.target_names));
    report(a, &s, &p, record, message, sizeof message);
fail:
    tool_record_end(record, rc, rc == S3F_OK ? message : NULL);
    predictions_free(&p);
    model_session_close(&s);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    predict_args a;
    memset(&a, 0, sizeof a);
    if (parse(argc, argv, &a) != CLI_EXIT_OK) {
        cmd_predict_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    s3f_dataset_split split;
    s3f_status rc = S3F_OK;
    if (a.split) rc = model_split_parse(a.split, &split);
    if (rc == S3F_OK && a.output) rc = predict_output_write(a.output, NULL, NULL);
    if (rc != S3F_OK) return cli_report(rc, "predict");
    tool_record record = {0};
    rc = predict(&a, &record);
    return rc == S3F_OK ? CLI_EXIT_OK : cli_report(rc, "predict");
}
