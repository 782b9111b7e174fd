/* cmd_runs.c — `se3flow runs`: finds which runs subcommand is meant (list,
 * show, metrics, rm, plot), and prints the usage they share.
 *
 * Not here: any subcommand's work (runs_<name>.c). */
#include <string.h>

#include "runs.h"

void cmd_runs_usage(FILE *out)
{
    fprintf(out,
            "usage: se3flow runs [OPTIONS]                 list runs\n"
            "       se3flow runs show ID                   one run in full\n"
            "       se3flow runs metrics ID [--name N] [--csv]\n"
            "       se3flow runs rm ID [--yes] [--delete-files]\n"
            "       se3flow runs plot ID [ID...] --metric NAME -o FILE.svg\n\n"
            "Every form takes --db PATH: the run store (default: $SE3FLOW_DB, else\n"
            "se3flow.db in the working directory).\n\n"
            "Listing shows id, name, kind, status, task, epochs done, the best\n"
            "validation value, duration and start time. A run whose process died\n"
            "without ending it shows as 'crashed' (its pid is gone on this host, or its\n"
            "heartbeat is older than %.0f s on another).\n"
            "  --status S      running, completed, failed, interrupted or crashed\n"
            "  --name GLOB     names matching a glob: 'qm9_*'\n"
            "  --since WHEN    started since a date (2026-11-01, 2026-11-01T14:30) or\n"
            "                  within an age (90m, 12h, 3d, 2w)\n"
            "  --where EXPR    runs for which EXPR holds (below)\n"
            "  --sort KEY      id, name, kind, status, task, started, duration, epochs\n"
            "                  or a summary value (best.val_mae); '-KEY' descending;\n"
            "                  default -id (newest first)\n"
            "  --limit N       at most N runs\n"
            "  --json, --csv   machine-readable output instead of the table\n\n"
            "%s\n"
            "show: the run's fields, summary values, each metric with a sparkline of\n"
            "its course, checkpoints and the resolved recipe.\n"
            "metrics: every logged value (or those named N) as a table or CSV.\n"
            "rm: deletes the run's records after asking (on a terminal) or with --yes;\n"
            "without a terminal --yes is required. Checkpoint files are kept unless\n"
            "--delete-files.\n"
            "plot: an SVG line chart of metric NAME (e.g. val_mae, or loss when logged\n"
            "without a split) against step, one line per run.\n\n"
            "exit status: 0 success, 1 the store could not be read or written,\n"
            "2 bad options, an unknown run or a malformed --where.\n",
            S3F_RUN_HEARTBEAT_TIMEOUT_S, s3f_run_where_help());
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} k_subcommands[] = {
    {"show", runs_show},
    {"metrics", runs_metrics},
    {"rm", runs_rm},
    {"plot", runs_plot},
};

/* The index in argv of the subcommand word: the first argument that is not
 * an option, passing over --db's value. 0 when there is none (a listing). */
static int find_subcommand(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0)
            i++;
        else if (strncmp(argv[i], "--db=", 5) == 0)
            continue;
        else if (argv[i][0] == '-')
            return 0;
        else
            return i;
    }
    return 0;
}

int cmd_runs(int argc, char **argv)
{
    int at = find_subcommand(argc, argv);
    if (at == 0) return runs_list(argc, argv);
    for (size_t k = 0; k < sizeof k_subcommands / sizeof k_subcommands[0]; k++) {
        if (strcmp(argv[at], k_subcommands[k].name) != 0) continue;
        /* The subcommand's name becomes argv[0]; options before it move after. */
        char *word = argv[at];
        memmove(argv + 2, argv + 1, (size_t)(at - 1) * sizeof *argv);
        argv[1] = word;
        return k_subcommands[k].run(argc - 1, argv + 1);
    }
    return runs_usage_error("no subcommand '%s'; use show, metrics, rm or plot (or none to "
                            "list runs)",
                            argv[at]);
}
