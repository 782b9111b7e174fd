/* runs_rm.c — `se3flow runs rm ID [--yes] [--delete-files]`: deletes a run's
 * records after confirmation; its checkpoint files stay unless asked.
 *
 * Confirmation: on a terminal the user is asked; without one (a script, a
 * pipe) nothing can be asked, so --yes is required and its absence is a
 * usage error that deletes nothing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runs.h"

typedef struct rm_options {
    const char *db;
    bool yes, delete_files;
    int64_t id;
} rm_options;

/* Asks on the terminal; true for "y" or "yes". */
static bool confirm(const s3f_run_record *run, int checkpoints, bool delete_files)
{
    fprintf(stderr,
            "delete run %lld '%s' (%s, %s) with its metrics and %d checkpoint record(s)%s? "
            "[y/N] ",
            (long long)run->id, run->name, run->kind, s3f_run_status_name(run->status), checkpoints,
            delete_files ? " and files" : "; files are kept");
    char answer[16] = "";
    if (!fgets(answer, sizeof answer, stdin)) return false;
    answer[strcspn(answer, "\r\n")] = '\0';
    return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 || strcmp(answer, "yes") == 0;
}

/* Deletes the files; counts what could not be (already gone is fine). */
static int delete_files(const s3f_checkpoint_list *files)
{
    int failed = 0;
    for (int i = 0; i < files->count; i++) {
        const char *path = files->checkpoints[i].path;
        if (unlink(path) == 0)
            printf("deleted %s\n", path);
        else if (errno == ENOENT)
            printf("already gone: %s\n", path);
        else {
            fprintf(stderr, "se3flow runs rm: cannot delete %s: %s\n", path, strerror(errno));
            failed++;
        }
    }
    return failed;
}

static int remove_run(s3f_run_store_t *store, const rm_options *o)
{
    s3f_checkpoint_list *files = NULL;
    s3f_status rc = s3f_run_store_delete(store, o->id, &files);
    if (rc != S3F_OK) return cli_report(rc, "runs rm");
    printf("deleted run %lld from %s\n", (long long)o->id, s3f_run_store_file(store));
    int failed = 0;
    if (o->delete_files)
        failed = delete_files(files);
    else
        for (int i = 0; i < files->count; i++) printf("kept %s\n", files->checkpoints[i].path);
    s3f_checkpoint_list_destroy(files);
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

/* Returns -1 when the options are fine, else an exit code. */
static int parse_options(int argc, char **argv, rm_options *o)
{
    static const struct option longs[] = {RUNS_DB_OPTION,
                                          {"yes", no_argument, NULL, 'y'},
                                          {"delete-files", no_argument, NULL, 'f'},
                                          {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":y", longs, NULL)) != -1) {
        if (c == 'D')
            o->db = optarg;
        else if (c == 'y')
            o->yes = true;
        else if (c == 'f')
            o->delete_files = true;
        else
            return runs_usage_error("rm: bad option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1) return runs_usage_error("rm: give one run id");
    return runs_parse_id(argv[optind], &o->id) ? -1 : CLI_EXIT_USAGE;
}

/* Whether to go ahead: --yes, or a "yes" typed on the terminal. */
static int decide(s3f_run_store_t *store, const rm_options *o, bool *go)
{
    s3f_run_record *run = NULL;
    s3f_checkpoint_list *files = NULL;
    s3f_status rc = s3f_run_store_get(store, o->id, &run);
    if (rc == S3F_OK) rc = s3f_run_store_checkpoints(store, o->id, &files);
    int exit_code = CLI_EXIT_OK;
    if (rc != S3F_OK)
        exit_code = cli_report(rc, "runs rm");
    else if (o->yes)
        *go = true;
    else if (!isatty(STDIN_FILENO))
        exit_code = runs_usage_error("rm: stdin is not a terminal, so nothing can be asked; "
                                     "pass --yes to delete run %lld",
                                     (long long)o->id);
    else if (!(*go = confirm(run, files->count, o->delete_files)))
        fprintf(stderr, "kept run %lld\n", (long long)o->id);
    s3f_checkpoint_list_destroy(files);
    s3f_run_record_destroy(run);
    return exit_code;
}

int runs_rm(int argc, char **argv)
{
    rm_options o = {0};
    int exit_code = parse_options(argc, argv, &o);
    if (exit_code >= 0) return exit_code;
    s3f_run_store_t *store = NULL;
    if (!runs_open(o.db, &store, &exit_code)) return exit_code;
    bool go = false;
    exit_code = decide(store, &o, &go);
    if (exit_code == CLI_EXIT_OK && go) exit_code = remove_run(store, &o);
    s3f_run_store_close(store);
    return exit_code;
}
