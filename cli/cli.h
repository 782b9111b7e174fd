/* cli.h — what the se3flow subcommands share: exit codes, the subcommand
 * signature and common output helpers. Only cli/ calls exit(). */
#ifndef SE3FLOW_CLI_H
#define SE3FLOW_CLI_H

#include <stdio.h>

#include "se3flow/se3flow.h"

/* Exit codes, documented in `se3flow --help`. */
enum {
    CLI_EXIT_OK = 0,     /* the work succeeded */
    CLI_EXIT_FAILED = 1, /* the work failed (training diverged, a file could not be written, ...) */
    CLI_EXIT_USAGE = 2,  /* bad command line or recipe */
    CLI_EXIT_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM after a checkpoint (128 + SIGINT) */
};

/* A subcommand: argv[0] is the subcommand's name. Returns an exit code. */
typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `se3flow help` */
    cli_command_fn run;
    void (*usage)(FILE *out); /* full help for `se3flow help NAME` and `NAME --help` */
} cli_command;

/* The table of subcommands (cli/main.c), terminated by a NULL name. */
extern const cli_command cli_commands[];

/* Prints "se3flow: <what>: <status string>: <detail>" to stderr and returns
 * the exit code that fits the status (usage errors -> 2, others -> 1). */
int cli_report(s3f_status rc, const char *what);

/* Subcommands, one file each (cli/cmd_<name>.c). */
int cmd_data(int argc, char **argv);
void cmd_data_usage(FILE *out);
int cmd_version(int argc, char **argv);
void cmd_version_usage(FILE *out);
int cmd_help(int argc, char **argv);
void cmd_help_usage(FILE *out);
int cmd_ckpt(int argc, char **argv);
void cmd_ckpt_usage(FILE *out);
int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *out);
int cmd_plugins(int argc, char **argv);
void cmd_plugins_usage(FILE *out);
int cmd_runs(int argc, char **argv);
void cmd_runs_usage(FILE *out);
int cmd_predict(int argc, char **argv);
void cmd_predict_usage(FILE *out);
int cmd_bench(int argc, char **argv);
void cmd_bench_usage(FILE *out);
int cmd_compare(int argc, char **argv);
void cmd_compare_usage(FILE *out);

#endif
