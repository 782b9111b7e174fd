/* qm9.c — the `qm9` dataset plugin: DGL's QM9EdgeDataset file
 * (qm9_edge.npz) as SPEC §14 defines it.
 *
 * Open finds or downloads the file (source.c), reads and checks every
 * array (arrays.c), makes the reference's split and the train-split target
 * statistics (split.c) and, with precompute_bases, maps the bases cache
 * (bases.c). Everything is in memory (or mapped) after open, so get() is a
 * lookup, safe from any thread. Molecules (§14.4): node features
 * node_attr[:, :6] (one-hot H, C, N, O, F and Z), edge features the bond
 * one-hot, edges as the file lists them (sorted by (src, dst)), one target:
 * the column `task`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qm9.h"

typedef struct qm9_options {
    const char *url, *file, *sha256, *task;
    int64_t subset, basis_max_degree, tries;
    double stall_timeout_s;
    bool precompute_bases;
} qm9_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("url", qm9_options, url, "https://data.dgl.ai/dataset/qm9_edge.npz",
                   "where to download the file from (env SE3FLOW_QM9_URL overrides)"),
    S3F_OPT_STRING("file", qm9_options, file, "qm9_edge.npz",
                   "the file, relative to the data directory unless absolute"),
    S3F_OPT_STRING("sha256", qm9_options, sha256, "",
                   "SHA-256 the file must have (64 hex digits); empty: any"),
    S3F_OPT_CHOICE("task", qm9_options, task, "homo", qm9_target_choices,
                   "the target column (SPEC §14.3); units in `se3flow data info`"),
    S3F_OPT_INT("subset", qm9_options, subset, "0", 0, 2147483647.0,
                "use N molecules (the front of each split, in proportion); 0: all"),
    S3F_OPT_BOOL("precompute_bases", qm9_options, precompute_bases, "false",
                 "compute every edge's bases once into a cache file in the data directory"),
    S3F_OPT_INT("basis_max_degree", qm9_options, basis_max_degree, "3", 0, 5,
                "max degree of the precomputed bases (the model's num_degrees - 1)"),
    S3F_OPT_FLOAT("stall_timeout_s", qm9_options, stall_timeout_s, "60", 0.1, 3600,
                  "a download try fails when no byte arrives for this long"),
    S3F_OPT_INT("tries", qm9_options, tries, "5", 1, 100,
                "download tries in all (transient failures only; back-off doubles from 1 s)"),
    S3F_OPT_END,
};

typedef struct qm9_state {
    qm9_source source;
    qm9_data data;
    qm9_split split;
    qm9_bases bases;
    float *label; /* (M) the task's column as f32 */
    const char *names[1], *units[1];
    double mean, std;
} qm9_state;

static void qm9_close(void *state)
{
    qm9_state *s = state;
    if (!s) return;
    qm9_bases_close(&s->bases);
    qm9_split_free(&s->split);
    qm9_data_free(&s->data);
    free(s->label);
    free(s);
}

static s3f_status make_labels(qm9_state *s, int column)
{
    s->label = malloc(sizeof(float) * (size_t)s->data.molecules);
    if (!s->label) return s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for the targets");
    for (int64_t k = 0; k < s->data.molecules; k++)
        s->label[k] = (float)s->data.targets[k * QM9_TARGETS + column];
    S3F_RETURN_IF_ERR(qm9_split_stats(&s->split, &s->data, column, &s->mean, &s->std));
    if (s->std <= 0) s->std = 1; /* a constant target: train on (y - mean) unscaled */
    return S3F_OK;
}

/* The notes a user should see: a file that is not the reference's size, a
 * subset. */
static void report(const qm9_state *s, const qm9_options *o, int column)
{
    const int64_t *n = s->split.size;
    if (s->data.molecules != QM9_REFERENCE_SIZE)
        fprintf(stderr,
                "qm9: %s holds %lld molecules, not the reference's 130,831: the splits keep "
                "its fractions (train floor(M x 100000/130831), test floor(M/10), val the rest)\n",
                s->source.path, (long long)s->data.molecules);
    if (o->subset > 0 && o->subset < s->data.molecules)
        fprintf(stderr, "qm9: subset %lld: the front of each split, %lld / %lld / %lld\n",
                (long long)o->subset, (long long)n[0], (long long)n[1], (long long)n[2]);
    fprintf(stderr,
            "qm9: %lld molecules from %s (sha256 %s); task %s in %s, train mean %.6g, std %.6g\n",
            (long long)s->data.molecules, s->source.path, s->source.sha256, qm9_target_key(column),
            qm9_target_unit(column), s->mean, s->std);
}

static s3f_status qm9_open(const void *options, const s3f_dataset_env *env, void **out)
{
    const qm9_options *o = options;
    int column = qm9_target_column(o->task);
    if (column < 0)
        return s3f_fail(S3F_ERR_ARG, "qm9: unknown task '%s'; one of %s", o->task,
                        qm9_target_keys());
    s3f_status rc;
    qm9_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory");
    qm9_fetch fetch = {o->url,        o->file,   env->data_dir, o->sha256, o->stall_timeout_s,
                       (int)o->tries, env->quiet};
    S3F_TRY(qm9_source_get(&fetch, &s->source));
    rc = qm9_data_read(s->source.path, &s->data);
    if (rc != S3F_OK) S3F_TRY(qm9_source_reject(&s->source, rc));
    S3F_TRY(qm9_split_make(s->data.molecules, o->subset, &s->split));
    S3F_TRY(make_labels(s, column));
    if (o->precompute_bases)
        S3F_TRY(qm9_bases_open(&s->data, env->data_dir, s->source.sha256, (int)o->basis_max_degree,
                               env->quiet, &s->bases));
    s->names[0] = qm9_target_key(column);
    s->units[0] = qm9_target_unit(column);
    if (!env->quiet) report(s, o, column);
    *out = s;
    return S3F_OK;
fail:
    qm9_close(s);
    return rc;
}

static s3f_status qm9_describe(void *state, s3f_dataset_desc *d)
{
    const qm9_state *s = state;
    memset(d, 0, sizeof *d);
    d->layout = (s3f_graph_layout){.node_features = QM9_NODE_FEATURES,
                                   .edge_features = QM9_EDGE_FEATURES,
                                   .targets = 1,
                                   .edge_basis_width = s->bases.width};
    d->target_names = s->names;
    d->target_units = s->units;
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) d->split_size[k] = s->split.size[k];
    d->target_mean = &s->mean;
    d->target_std = &s->std;
    d->source_path = s->source.path;
    d->source_sha256 = s->source.sha256;
    return S3F_OK;
}

static s3f_status qm9_get(void *state, s3f_dataset_split split, int64_t index, s3f_molecule *out)
{
    const qm9_state *s = state;
    bool known = (int)split >= 0 && split < S3F_SPLIT_COUNT;
    if (!known || index < 0 || index >= s->split.size[split])
        return s3f_fail(S3F_ERR_ARG, "qm9: no molecule %lld in split %d (size %lld)",
                        (long long)index, (int)split,
                        (long long)(known ? s->split.size[split] : 0));
    const qm9_data *d = &s->data;
    int64_t k = s->split.order[s->split.offset[split] + index];
    int64_t n0 = d->node_start[k], e0 = d->edge_start[k];
    *out = (s3f_molecule){
        .num_nodes = (int32_t)(d->node_start[k + 1] - n0),
        .num_edges = (int32_t)(d->edge_start[k + 1] - e0),
        .positions = d->positions + 3 * n0,
        .node_features = d->node_features + QM9_NODE_FEATURES * n0,
        .edge_features = d->edge_features + QM9_EDGE_FEATURES * e0,
        .src = d->src + e0,
        .dst = d->dst + e0,
        .targets = &s->label[k],
        .edge_basis = s->bases.rows ? s->bases.rows + (int64_t)s->bases.width * e0 : NULL,
    };
    return S3F_OK;
}

static const s3f_dataset_i k_functions = {
    .open = qm9_open, .describe = qm9_describe, .get = qm9_get, .close = qm9_close};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_DATASET,
    .name = "qm9",
    .version = "1.0.0",
    .summary = "QM9 (DGL's qm9_edge.npz, downloaded on first use), the reference's splits",
    .options = k_options,
    .options_size = sizeof(qm9_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
