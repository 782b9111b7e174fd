/* cmd_data.c — `se3flow data info RECIPE` and `se3flow data fetch RECIPE`:
 * the recipe's dataset opened on its own (no model needed), either to
 * describe it (molecules; atoms and edges per molecule; split sizes; target
 * statistics with units; the file, its size and SHA-256) or just to make
 * sure its data is here (a dataset that downloads does so when opened). */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "run_setup.h"

#define MAX_ARGS 64

void cmd_data_usage(FILE *out)
{
    fprintf(out,
            "usage: se3flow data info RECIPE [--set KEY=VALUE]... [--plugin-path DIR]...\n"
            "       se3flow data fetch RECIPE [--set KEY=VALUE]... [--plugin-path DIR]... "
            "[--quiet]\n\n"
            "info   opens the recipe's dataset and prints: molecules; atoms and edges per\n"
            "       molecule (mean, max); the split sizes; each target's train mean and std\n"
            "       with its unit; the data file, its size and SHA-256.\n"
            "fetch  opens the dataset so that it downloads what it needs (into ./%s),\n"
            "       then prints where the file is. Nothing is trained.\n\n"
            "Only the recipe's dataset section (and plugin_path, seed) matters; the model\n"
            "need not exist. Exit status: 0 done, 1 the data could not be fetched or read,\n"
            "2 bad usage or recipe.\n",
            RUN_DATA_DIR);
}

typedef struct data_args {
    run_request request;
    const char *sets[MAX_ARGS], *paths[MAX_ARGS];
    bool quiet;
} data_args;

static int parse(int argc, char **argv, data_args *a)
{
    static const struct option options[] = {{"set", required_argument, NULL, 's'},
                                            {"plugin-path", required_argument, NULL, 'p'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 's' && a->request.set_count < MAX_ARGS)
            a->sets[a->request.set_count++] = optarg;
        else if (opt == 'p' && a->request.plugin_path_count < MAX_ARGS)
            a->paths[a->request.plugin_path_count++] = optarg;
        else if (opt == 'q')
            a->quiet = true;
        else
            return CLI_EXIT_USAGE;
    }
    if (optind + 1 != argc) return CLI_EXIT_USAGE;
    a->request.recipe_path = argv[optind];
    a->request.sets = a->sets;
    a->request.plugin_paths = a->paths;
    a->request.dataset_only = true;
    return CLI_EXIT_OK;
}

typedef struct counts {
    int64_t molecules, atoms, edges, max_atoms, max_edges;
} counts;

static s3f_status count_molecules(const s3f_dataset_i *d, void *ds, const s3f_dataset_desc *desc,
                                  counts *c)
{
    memset(c, 0, sizeof *c);
    for (int s = 0; s < S3F_SPLIT_COUNT; s++)
        for (int64_t i = 0; i < desc->split_size[s]; i++) {
            s3f_molecule m;
            S3F_RETURN_IF_ERR(d->get(ds, (s3f_dataset_split)s, i, &m));
            c->molecules++;
            c->atoms += m.num_nodes;
            c->edges += m.num_edges;
            if (m.num_nodes > c->max_atoms) c->max_atoms = m.num_nodes;
            if (m.num_edges > c->max_edges) c->max_edges = m.num_edges;
        }
    return S3F_OK;
}

static void print_source(const s3f_dataset_desc *desc)
{
    if (!desc->source_path) {
        printf("file        (none: the dataset is not read from one file)\n");
        return;
    }
    struct stat st;
    if (stat(desc->source_path, &st) == 0)
        printf("file        %s (%lld bytes, %.1f MB)\n", desc->source_path, (long long)st.st_size,
               1e-6 * (double)st.st_size);
    else
        printf("file        %s\n", desc->source_path);
    printf("sha256      %s\n", desc->source_sha256 ? desc->source_sha256 : "(unknown)");
}

static s3f_status print_info(const run_setup *s, const s3f_dataset_i *d, void *ds,
                             const s3f_dataset_desc *desc)
{
    counts c;
    S3F_RETURN_IF_ERR(count_molecules(d, ds, desc, &c));
    double n = c.molecules ? (double)c.molecules : 1;
    printf("dataset     %s %s\n", s->dataset.descriptor->name, s->dataset.descriptor->version);
    print_source(desc);
    printf("molecules   %lld (train %lld, val %lld, test %lld)\n", (long long)c.molecules,
           (long long)desc->split_size[0], (long long)desc->split_size[1],
           (long long)desc->split_size[2]);
    printf("atoms       per molecule mean %.2f, max %lld (total %lld)\n", (double)c.atoms / n,
           (long long)c.max_atoms, (long long)c.atoms);
    printf("edges       per molecule mean %.2f, max %lld (total %lld, directed)\n",
           (double)c.edges / n, (long long)c.max_edges, (long long)c.edges);
    for (int t = 0; t < desc->layout.targets; t++) {
        printf("target      %s (%s)", desc->target_names ? desc->target_names[t] : "?",
               desc->target_units ? desc->target_units[t] : "?");
        if (desc->target_mean && desc->target_std)
            printf(": train mean %.9g, std %.9g", desc->target_mean[t], desc->target_std[t]);
        printf("\n");
    }
    if (desc->layout.edge_basis_width)
        printf("bases       precomputed, %d floats per edge\n", desc->layout.edge_basis_width);
    return S3F_OK;
}

static int run_data(const data_args *a, bool info)
{
    run_setup s;
    s3f_status rc = run_setup_load(&a->request, &s);
    if (rc != S3F_OK) return cli_report(rc, a->request.recipe_path);
    const s3f_dataset_i *d = s.dataset.descriptor->interface;
    void *ds = NULL;
    s3f_dataset_desc desc;
    s3f_dataset_env env = {(uint64_t)s.top.seed, RUN_DATA_DIR, a->quiet};
    rc = d->open(s.dataset.options, &env, &ds);
    if (rc == S3F_OK) rc = d->describe(ds, &desc);
    if (rc == S3F_OK && info) rc = print_info(&s, d, ds, &desc);
    if (rc == S3F_OK && !info && !a->quiet) {
        printf("%s: data ready\n", s.dataset.descriptor->name);
        print_source(&desc);
    }
    int code = rc == S3F_OK ? CLI_EXIT_OK : cli_report(rc, info ? "data info" : "data fetch");
    if (ds) d->close(ds);
    run_setup_free(&s);
    return code;
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "info") && strcmp(argv[1], "fetch"))) {
        cmd_data_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    data_args a;
    memset(&a, 0, sizeof a);
    if (parse(argc - 1, argv + 1, &a) != CLI_EXIT_OK) {
        cmd_data_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return run_data(&a, !strcmp(argv[1], "info"));
}
