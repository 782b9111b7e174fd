/* cmd_run.c — `se3flow run RECIPE`: resolve the recipe, print it
 * (--dry-run) or train with it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run_record.h"
#include "run_setup.h"
#include "run_train.h"

#define MAX_ARGS 64

typedef struct run_args {
    run_request request;
    const char *sets[MAX_ARGS], *paths[MAX_ARGS];
    bool dry_run, quiet;
    const char *name, *resume, *runs_dir, *db;
} run_args;

void cmd_run_usage(FILE *out)
{
    fprintf(
        out,
        "usage: se3flow run RECIPE [--set KEY=VALUE]... [--dry-run] [--resume CKPT]\n"
        "                   [--name NAME] [--runs-dir DIR] [--plugin-path DIR]... [--quiet]\n\n"
        "Trains with the recipe RECIPE (YAML). Sections: seed, dataset, model, optimizer,\n"
        "schedule, train, loggers; 'extends: other.yaml' merges another recipe under this one.\n\n"
        "  --set KEY=VALUE   override a recipe value (typed as YAML: 3, 2e-3, true, [1, 2])\n"
        "  --dry-run         print the resolved recipe (every default filled in) and exit\n"
        "  --resume CKPT     continue from a checkpoint written by an earlier run\n"
        "  --name NAME       a name for the run (default: the recipe's file name)\n"
        "  --runs-dir DIR    where run directories are made (default: runs)\n"
        "  --plugin-path DIR also look for plugins in DIR (before $SE3FLOW_PLUGIN_PATH)\n"
        "  --quiet           print nothing but errors\n\n"
        "The host's own options (the plugins' are listed by 'se3flow plugins show NAME'):\n");
    const char *sections[] = {"", "train", "schedule"};
    for (int k = 0; k < 3; k++)
        for (const s3f_option *o = s3f_host_options(sections[k]); o && o->name; o++) {
            char key[64];
            snprintf(key, sizeof key, "%s%s%s", sections[k], *sections[k] ? "." : "", o->name);
            fprintf(out, "  %-31s %-7s %-21s %s\n", key, s3f_option_type_name(o->type),
                    o->default_value ? o->default_value : "(required)", o->help);
        }
    fprintf(out,
            "\nCtrl-C stops after the current step and writes a checkpoint (a second Ctrl-C\n"
            "quits at once). Exit status: 0 trained, 1 the run failed, 2 bad usage or recipe,\n"
            "130 stopped by Ctrl-C / SIGTERM (resumable).\n\n"
            "Fault injection for tests: SE3FLOW_FAULT_NAN_BATCH=N makes the loss of the N-th\n"
            "batch (0-based, counted over epochs) NaN; SE3FLOW_FAULT_WRITE=N makes the N-th\n"
            "file write of checkpoints fail as a full disk would.\n");
}

static int parse(int argc, char **argv, run_args *a)
{
    static const struct option options[] = {{"set", required_argument, NULL, 's'},
                                            {"dry-run", no_argument, NULL, 'd'},
                                            {"plugin-path", required_argument, NULL, 'p'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"resume", required_argument, NULL, 'r'},
                                            {"runs-dir", required_argument, NULL, 'D'},
                                            {"db", required_argument, NULL, 'b'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 's' && a->request.set_count < MAX_ARGS)
            a->sets[a->request.set_count++] = optarg;
        else if (opt == 'p' && a->request.plugin_path_count < MAX_ARGS)
            a->paths[a->request.plugin_path_count++] = optarg;
        else if (opt == 'd')
            a->dry_run = true;
        else if (opt == 'q')
            a->quiet = true;
        else if (opt == 'n')
            a->name = optarg;
        else if (opt == 'r')
            a->resume = optarg;
        else if (opt == 'D')
            a->runs_dir = optarg;
        else
            return CLI_EXIT_USAGE;
    }
    if (optind + 1 != argc) return CLI_EXIT_USAGE;
    a->request.recipe_path = argv[optind];
    a->request.sets = a->sets;
    a->request.plugin_paths = a->paths;
    return CLI_EXIT_OK;
}

/* <runs-dir>/<run id>, made now (or found again when resuming). */
static s3f_status make_run_dir(const run_args *a, int64_t id, char *dir, size_t size)
{
    const char *root = a->runs_dir ? a->runs_dir : "runs";
    if (mkdir(root, 0777) != 0 && errno != EEXIST)
        return s3f_fail(S3F_ERR_IO, "cannot make the runs directory %s: %s", root, strerror(errno));
    snprintf(dir, size, "%s/%lld", root, (long long)id);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return s3f_fail(S3F_ERR_IO, "cannot make the run directory %s: %s", dir, strerror(errno));
    return S3F_OK;
}

/* The recipe's file name without directory and extension. */
static void default_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(out, size, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out) *dot = '\0';
}

/* A run id: digits only (a checkpoint path never is). */
static bool is_run_id(const char *text, int64_t *id)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    *id = v;
    return *text && !*end && v > 0;
}

/* Begins a new record, or reopens the one being resumed; fills the run
 * directory and the checkpoint to start from. */
static s3f_status open_record(const run_args *a, const run_setup *setup, const char *name,
                              run_record *record, char *dir, size_t dir_size, char *ckpt,
                              size_t ckpt_size)
{
    int64_t id;
    ckpt[0] = '\0';
    if (a->resume && is_run_id(a->resume, &id)) {
        S3F_RETURN_IF_ERR(run_record_resume(record, a->db, id, ckpt, ckpt_size));
        return make_run_dir(a, id, dir, dir_size);
    }
    if (a->resume) snprintf(ckpt, ckpt_size, "%s", a->resume);
    S3F_RETURN_IF_ERR(run_record_begin(record, a->db, setup, name, a->request.recipe_path));
    return make_run_dir(a, record->id, dir, dir_size);
}

static void summary(const run_args *a, const run_record *record, const s3f_train_result *r,
                    const char *dir)
{
    if (a->quiet) return;
    printf("run %lld %s: %lld epochs, best validation MAE %.6g; files in %s\n",
           (long long)record->id, r->interrupted ? "interrupted" : "completed",
           (long long)r->epochs_done, r->best_val_mae, dir);
    if (r->interrupted)
        printf("continue with: se3flow run %s --resume %lld\n", a->request.recipe_path,
               (long long)record->id);
}

static int train(const run_args *a, run_setup *setup)
{
    char name[128], dir[1024], ckpt[4096];
    if (a->name)
        snprintf(name, sizeof name, "%s", a->name);
    else
        default_name(a->request.recipe_path, name, sizeof name);
    run_record record = {0};
    s3f_train_result result = {0};
    s3f_status rc = open_record(a, setup, name, &record, dir, sizeof dir, ckpt, sizeof ckpt);
    if (rc != S3F_OK) {
        run_record_end(&record, rc, &result);
        return cli_report(rc, "run");
    }
    run_job job = {
        setup, record.id, name, dir, ckpt[0] ? ckpt : NULL, a->quiet, run_record_sink(&record)};
    run_install_signal_handlers();
    rc = run_train(&job, &result);
    run_record_end(&record, rc, &result);
    if (rc != S3F_OK) return cli_report(rc, "run");
    summary(a, &record, &result, dir);
    return result.interrupted ? CLI_EXIT_INTERRUPTED : CLI_EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    memset(&a, 0, sizeof a);
    if (parse(argc, argv, &a) != CLI_EXIT_OK) {
        cmd_run_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    run_setup setup;
    s3f_status rc = run_setup_load(&a.request, &setup);
    if (rc != S3F_OK) return cli_report(rc, a.request.recipe_path);
    int code = CLI_EXIT_OK;
    if (a.dry_run)
        fputs(setup.resolved, stdout);
    else
        code = train(&a, &setup);
    run_setup_free(&setup);
    return code;
}
