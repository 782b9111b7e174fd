/* runs_cli_support.h — driving the se3flow binary from the `runs` CLI
 * tests: run it with arguments (stdin not a terminal, or a pseudo-terminal
 * that answers a prompt), capture exit code, stdout and stderr; build a
 * database of sample runs with the run store API.
 *
 * The binary's path comes from the compile definition S3F_TEST_CLI. */
#ifndef SE3FLOW_RUNS_CLI_SUPPORT_H
#define SE3FLOW_RUNS_CLI_SUPPORT_H

#include <stdint.h>

#include "se3flow/run_store.h"
#include "test_support.h"

typedef struct cli_result {
    int code;  /* exit status; 128 + signal when killed */
    char *out; /* stdout, NUL-terminated, heap */
    char *err; /* stderr (with a terminal: everything the terminal showed) */
} cli_result;

/* A scratch directory and database for one test. */
typedef struct cli_fixture {
    char dir[64];
    char db[128];
} cli_fixture;

void cli_fixture_setup(cli_fixture *fx);
void cli_fixture_teardown(cli_fixture *fx);

/* Runs `se3flow ARGS...` (NULL-terminated) with stdin from /dev/null, in
 * the working directory `dir` (NULL: this process's), with this process's
 * environment (so SE3FLOW_DB as the test set it). */
cli_result cli_run_in(const char *dir, const char *const *args);
cli_result cli_run(const char *const *args);
/* Runs it on a pseudo-terminal; when `prompt` appears in its output, types
 * `answer`. Output and errors both land in .err (a terminal merges them). */
cli_result cli_run_tty(const char *const *args, const char *prompt, const char *answer);
void cli_result_free(cli_result *r);
/* Number of occurrences of `needle` in `text`. */
int cli_count(const char *text, const char *needle);

/* Sample database: run 1 "qm9_homo" completed (10 epochs, best.val_mae
 * 0.04, a checkpoint file homo_epoch10.safetensors in the fixture dir), run
 * 2 "qm9, lumo" failed (best.val_mae 0.2), run 3 "md17" crashed (its
 * process is gone; best.val_mae 0.5), with recipes for --where. */
void cli_make_sample(const cli_fixture *fx);

#endif
