/* cmd_help.c — `se3flow help [COMMAND]`: the command list, exit codes, or one
 * command's full usage. */
#include <string.h>

#include "cli.h"

void cmd_help_usage(FILE *out)
{
    fprintf(out, "usage: se3flow help [COMMAND]\n\n"
                 "Without COMMAND, lists the commands; with it, prints that command's usage\n"
                 "(the same as 'se3flow COMMAND --help').\n");
}

static void overview(FILE *out)
{
    fprintf(out, "usage: se3flow COMMAND [OPTIONS]\n\n"
                 "se3flow trains and runs SE(3)-equivariant graph networks on molecules.\n\n"
                 "commands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'se3flow help COMMAND' for a command's options.\n\n"
                 "exit status:\n"
                 "  0  success\n"
                 "  1  the work failed (see the message; runs record it too)\n"
                 "  2  usage or recipe error\n"
                 "  130  stopped by Ctrl-C or SIGTERM after writing a checkpoint\n");
}

int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        overview(stdout);
        return CLI_EXIT_OK;
    }
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) {
            c->usage(stdout);
            return CLI_EXIT_OK;
        }
    fprintf(stderr, "se3flow: no command '%s'; run 'se3flow help' for the list\n", argv[1]);
    return CLI_EXIT_USAGE;
}
