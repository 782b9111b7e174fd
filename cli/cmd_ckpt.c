/* cmd_ckpt.c — `se3flow ckpt info FILE`: what a checkpoint holds (tensors,
 * shapes, dtypes, training metadata, the recipe). Any safetensors file is
 * accepted; a corrupt one is refused with the reason (exit 1).
 * `se3flow ckpt convert --layout L IN OUT` rewrites an se3_transformer
 * checkpoint into a less fused layout (ckpt_convert.h). */
#include <math.h>
#include <string.h>

#include "ckpt_convert.h"
#include "cli.h"

void cmd_ckpt_usage(FILE *out)
{
    fprintf(out, "usage: se3flow ckpt info FILE [--recipe]\n"
                 "       se3flow ckpt convert --layout partial|none IN OUT\n\n"
                 "info prints a checkpoint's tensors (name, dtype, shape), its training metadata\n"
                 "(epoch, step, run, target normalisation, metric) and, with --recipe, the\n"
                 "resolved recipe it was trained with.\n\n"
                 "convert rewrites an se3_transformer checkpoint from its fusion layout (the\n"
                 "recipe's model.fuse_level; auto is full) into a less fused one: full -> partial\n"
                 "-> none, without loss (SPEC 12.6): fused radial networks are split into one per\n"
                 "output degree (partial) or per degree pair (none), hidden layers copied and\n"
                 "last-layer rows gathered; pairwise (0,0) rows are multiplied by 1/sqrt(4 pi),\n"
                 "the constant the fused bases contain. The reverse is refused (separately\n"
                 "trained networks cannot be merged). OUT's recipe has model.fuse_level set to\n"
                 "the new layout; optimizer state is not carried over.\n");
}

static void print_tensors(const s3f_safetensors_t *f)
{
    int64_t total = 0;
    for (int i = 0; i < s3f_safetensors_count(f); i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(f, i);
        char shape[128];
        printf("  %-60s %-5s %s\n", e->name, s3f_dtype_name(e->dtype),
               s3f_shape_format(&e->shape, shape, sizeof shape));
        total += s3f_shape_numel(&e->shape);
    }
    printf("%d tensors, %lld values\n", s3f_safetensors_count(f), (long long)total);
}

static void print_meta(const s3f_checkpoint_meta *m)
{
    printf("epoch %lld, step %lld, batch %lld of the next epoch, run %lld, seed %llu\n",
           (long long)m->epoch, (long long)m->step, (long long)m->batch, (long long)m->run_id,
           (unsigned long long)m->seed);
    if (!isnan(m->metric))
        printf("%s %.6g\n", m->metric_name ? m->metric_name : "metric", m->metric);
    if (!isnan(m->best_metric)) printf("best %.6g\n", m->best_metric);
    for (int k = 0; k < m->targets; k++)
        printf("target %d: mean %.9g, std %.9g\n", k, m->target_mean[k], m->target_std[k]);
}

/* ckpt convert --layout L IN OUT (options anywhere). */
static int convert(int argc, char **argv)
{
    const char *layout = NULL, *files[2];
    int n = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--layout") && i + 1 < argc)
            layout = argv[++i];
        else if (!strncmp(argv[i], "--layout=", 9))
            layout = argv[i] + 9;
        else if (n < 2 && argv[i][0] != '-')
            files[n++] = argv[i];
        else
            n = 3;
    }
    if (!layout || n != 2) {
        cmd_ckpt_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    s3f_status rc = ckpt_convert_file(files[0], files[1], layout);
    if (rc != S3F_OK) return cli_report(rc, "ckpt convert");
    printf("wrote %s in the %s layout\n", files[1], layout);
    return CLI_EXIT_OK;
}

int cmd_ckpt(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "convert")) return convert(argc, argv);
    if (argc < 3 || strcmp(argv[1], "info") != 0) {
        cmd_ckpt_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    bool recipe = argc > 3 && !strcmp(argv[3], "--recipe");
    s3f_safetensors_t *f = NULL;
    s3f_checkpoint_meta meta;
    s3f_status rc = s3f_safetensors_open(argv[2], &f);
    if (rc == S3F_OK) rc = s3f_checkpoint_read_meta(f, &meta);
    if (rc != S3F_OK) {
        s3f_safetensors_close(f);
        return cli_report(rc == S3F_ERR_FORMAT ? S3F_ERR_IO : rc, argv[2]);
    }
    printf("%s\n", argv[2]);
    print_tensors(f);
    print_meta(&meta);
    if (recipe && meta.recipe_yaml) printf("recipe:\n%s", meta.recipe_yaml);
    s3f_safetensors_close(f);
    return CLI_EXIT_OK;
}
