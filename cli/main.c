/* main.c — the se3flow executable: finds the subcommand and runs it.
 *
 * Each subcommand lives in its own cmd_<name>.c and registers itself in the
 * table below; main() only dispatches. */
#include <string.h>

#include "cli.h"

const cli_command cli_commands[] = {
    {"help", "show help for se3flow or one of its subcommands", cmd_help, cmd_help_usage},
    {"run", "train with a recipe (or print it resolved with --dry-run)", cmd_run, cmd_run_usage},
    {"predict", "predict with a checkpoint on a split or an input file", cmd_predict,
     cmd_predict_usage},
    {"bench", "measure training or inference throughput, latency and memory", cmd_bench,
     cmd_bench_usage},
    {"compare", "compare two checkpoints: recipes, parameters and accuracy", cmd_compare,
     cmd_compare_usage},
    {"ckpt", "inspect a checkpoint file, or convert its layout", cmd_ckpt, cmd_ckpt_usage},
    {"runs", "list, show, plot and delete recorded runs", cmd_runs, cmd_runs_usage},
    {"plugins", "list the installed plugins, or show one plugin's options", cmd_plugins,
     cmd_plugins_usage},
    {"data", "describe a recipe's dataset (info) or download its data (fetch)", cmd_data,
     cmd_data_usage},
    {"version", "print the versions of se3flow and its libraries", cmd_version, cmd_version_usage},
    {NULL, NULL, NULL, NULL},
};

int cli_report(s3f_status rc, const char *what)
{
    fprintf(stderr, "se3flow: %s: %s: %s\n", what, s3f_status_string(rc), s3f_last_error());
    return rc == S3F_ERR_ARG || rc == S3F_ERR_FORMAT ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

static const cli_command *find_command(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) return cmd_help(1, (char *[]){"help", NULL});
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) name = "help";
    if (!strcmp(name, "--version")) name = "version";
    const cli_command *command = find_command(name);
    if (!command) {
        fprintf(stderr, "se3flow: unknown command '%s'; run 'se3flow help' for the list\n",
                argv[1]);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            command->usage(stdout);
            return CLI_EXIT_OK;
        }
    return command->run(argc - 1, argv + 1);
}
