/* cmd_plugins.c — `se3flow plugins [show NAME]`: what is installed, where it
 * came from, whether it can run here, and each plugin's declared options. */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "se3flow/plugin_host.h"

void cmd_plugins_usage(FILE *out)
{
    fprintf(out, "usage: se3flow plugins [--plugin-path DIR]...\n"
                 "       se3flow plugins show NAME [--plugin-path DIR]...\n\n"
                 "Lists the plugins found (name, kind, version, summary, file, whether it can run\n"
                 "here), or prints one plugin's options: type, default, range or choices, help.\n\n"
                 "Search order: --plugin-path directories, $SE3FLOW_PLUGIN_PATH (':'-separated),\n"
                 "the build tree (when se3flow runs from it), the install prefix.\n");
}

static void print_list(const s3f_plugin_host_t *host)
{
    printf("%-18s %-10s %-8s %-4s %s\n", "NAME", "KIND", "VERSION", "OK", "SUMMARY");
    for (int i = 0; i < s3f_plugin_host_count(host); i++) {
        const s3f_plugin_info *p = s3f_plugin_host_at(host, i);
        const s3f_plugin_descriptor *d = p->descriptor;
        printf("%-18s %-10s %-8s %-4s %s\n", d->name, s3f_plugin_kind_name(d->kind), d->version,
               p->available ? "yes" : "no", d->summary);
        printf("%-18s   file: %s\n", "", p->path);
        if (!p->available) printf("%-18s   cannot run here: %s\n", "", p->reason);
        if (p->shadowed_by) printf("%-18s   shadowed by %s\n", "", p->shadowed_by);
    }
    if (s3f_plugin_host_count(host) == 0) {
        printf("(no plugins found; searched:");
        for (int i = 0; i < s3f_plugin_host_path_count(host); i++)
            printf(" %s", s3f_plugin_host_path(host, i));
        printf(")\n");
    }
    for (int i = 0; i < s3f_plugin_host_problem_count(host); i++)
        fprintf(stderr, "refused: %s\n", s3f_plugin_host_problem(host, i));
}

/* "[1, 64]", "one of: max, mean", or "" */
static void format_allowed(const s3f_option *o, char *buf, size_t size)
{
    buf[0] = '\0';
    if (o->type == S3F_OPTION_CHOICE && o->choices) {
        size_t used = (size_t)snprintf(buf, size, "one of:");
        for (int i = 0; o->choices[i] && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", o->choices[i]);
    } else if (o->type == S3F_OPTION_INT || o->type == S3F_OPTION_FLOAT ||
               o->type == S3F_OPTION_INT_LIST || o->type == S3F_OPTION_FLOAT_LIST) {
        snprintf(buf, size, "[%g, %g]", o->min, o->max);
    }
}

static void print_options(const s3f_plugin_info *p)
{
    const s3f_plugin_descriptor *d = p->descriptor;
    printf("%s %s (%s) — %s\nfile: %s\n", d->name, d->version, s3f_plugin_kind_name(d->kind),
           d->summary, p->path);
    if (!p->available) printf("cannot run here: %s\n", p->reason);
    if (!d->options[0].name) {
        printf("\nno options\n");
        return;
    }
    printf("\n%-24s %-10s %-12s %-22s %s\n", "OPTION", "TYPE", "DEFAULT", "ALLOWED", "HELP");
    for (const s3f_option *o = d->options; o->name; o++) {
        char allowed[256];
        format_allowed(o, allowed, sizeof allowed);
        printf("%-24s %-10s %-12s %-22s %s\n", o->name, s3f_option_type_name(o->type),
               o->default_value ? o->default_value : "(required)", allowed, o->help);
    }
}

static int show(const s3f_plugin_host_t *host, const char *name)
{
    int shown = 0;
    for (int i = 0; i < s3f_plugin_host_count(host); i++) {
        const s3f_plugin_info *p = s3f_plugin_host_at(host, i);
        if (strcmp(p->descriptor->name, name) || p->shadowed_by) continue;
        if (shown++) printf("\n");
        print_options(p);
    }
    if (shown) return CLI_EXIT_OK;
    fprintf(stderr, "se3flow: no plugin called '%s'; 'se3flow plugins' lists them\n", name);
    return CLI_EXIT_USAGE;
}

int cmd_plugins(int argc, char **argv)
{
    static const struct option long_options[] = {{"plugin-path", required_argument, NULL, 'p'},
                                                 {NULL, 0, NULL, 0}};
    s3f_plugin_host_t *host = NULL;
    s3f_status rc = s3f_plugin_host_create(&host);
    int opt, code = CLI_EXIT_OK;
    optind = 1;
    while (rc == S3F_OK && (opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (opt != 'p') {
            cmd_plugins_usage(stderr);
            s3f_plugin_host_destroy(host);
            return CLI_EXIT_USAGE;
        }
        rc = s3f_plugin_host_add_path(host, optarg);
    }
    if (rc == S3F_OK) rc = s3f_plugin_host_add_default_paths(host);
    if (rc == S3F_OK) rc = s3f_plugin_host_scan(host);
    if (rc != S3F_OK)
        code = cli_report(rc, "plugins");
    else if (optind < argc && !strcmp(argv[optind], "show") && optind + 1 < argc)
        code = show(host, argv[optind + 1]);
    else if (optind < argc) {
        cmd_plugins_usage(stderr);
        code = CLI_EXIT_USAGE;
    } else
        print_list(host);
    s3f_plugin_host_destroy(host);
    return code;
}
