/* synthetic.c — the `synthetic` dataset plugin: generated molecules with a
 * known physical target, for the quick start and the tests (no download).
 *
 * Molecules come from generate.c, all made at open (in parallel) and kept
 * in memory, so get() is a lookup and safe from any thread. Splits are
 * consecutive ranges: train, then validation, then test. Targets: `energy`
 * (a Morse pair energy, invariant) or `dipole` (a vector that rotates with
 * the molecule). Normalisation uses the training split; for the dipole the
 * mean is 0 and one std serves all three components, so normalising
 * commutes with rotations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <se3flow/plugin.h>

#include "generate.h"

typedef struct syn_options {
    int64_t train_size, val_size, test_size;
    int64_t max_heavy_atoms;
    int64_t data_seed;
    const char *task;
} syn_options;

static const char *const k_tasks[] = {"energy", "dipole", NULL};

static const s3f_option k_options[] = {
    S3F_OPT_INT("train_size", syn_options, train_size, "2000", 1, 1e7,
                "molecules in the training split"),
    S3F_OPT_INT("val_size", syn_options, val_size, "500", 1, 1e7,
                "molecules in the validation split"),
    S3F_OPT_INT("test_size", syn_options, test_size, "500", 1, 1e7, "molecules in the test split"),
    S3F_OPT_INT("max_heavy_atoms", syn_options, max_heavy_atoms, "9", 2, 9,
                "largest number of C, N, O, F atoms per molecule"),
    S3F_OPT_INT("data_seed", syn_options, data_seed, "2024", 0, 9.0e15,
                "seed of the molecules (independent of the training seed)"),
    S3F_OPT_CHOICE("task", syn_options, task, "energy", k_tasks,
                   "target: energy (invariant) or dipole (a vector)"),
    S3F_OPT_END,
};

static const char *const k_energy_names[] = {"energy"}, *const k_energy_units[] = {"eV"};
static const char *const k_dipole_names[] = {"dipole_x", "dipole_y", "dipole_z"};
static const char *const k_dipole_units[] = {"e*A", "e*A", "e*A"};

typedef struct syn_state {
    syn_options opt;
    bool dipole;
    int64_t offset[S3F_SPLIT_COUNT], size[S3F_SPLIT_COUNT];
    syn_molecule *molecules;
    double mean[3], std[3];
} syn_state;

static void statistics(syn_state *s)
{
    int64_t n = s->size[S3F_SPLIT_TRAIN];
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) {
        const syn_molecule *m = &s->molecules[i];
        if (s->dipole)
            for (int k = 0; k < 3; k++) sq += (double)m->dipole[k] * m->dipole[k] / 3;
        else
            sum += m->energy, sq += (double)m->energy * m->energy;
    }
    double mean = s->dipole ? 0 : sum / (double)n, var = sq / (double)n - mean * mean;
    double std = var > 1e-12 ? sqrt(var) : 1; /* a constant target: do not blow it up */
    for (int k = 0; k < 3; k++) s->mean[k] = mean, s->std[k] = std;
}

static s3f_status syn_open(const void *options, const s3f_dataset_env *env, void **out)
{
    syn_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "synthetic: out of memory");
    s->opt = *(const syn_options *)options;
    s->dipole = !strcmp(s->opt.task, "dipole");
    int64_t sizes[S3F_SPLIT_COUNT] = {s->opt.train_size, s->opt.val_size, s->opt.test_size},
            total = 0;
    for (int k = 0; k < S3F_SPLIT_COUNT; k++)
        s->offset[k] = total, s->size[k] = sizes[k], total += sizes[k];
    s->molecules = malloc(sizeof *s->molecules * (size_t)total);
    if (!s->molecules) {
        free(s);
        return s3f_fail(S3F_ERR_NOMEM, "synthetic: cannot hold %lld molecules", (long long)total);
    }
#pragma omp parallel for schedule(dynamic, 64)
    for (int64_t i = 0; i < total; i++)
        syn_generate((uint64_t)s->opt.data_seed, i, (int)s->opt.max_heavy_atoms, &s->molecules[i]);
    statistics(s);
    *out = s;
    return S3F_OK;
}

static s3f_status syn_describe(void *state, s3f_dataset_desc *d)
{
    const syn_state *s = state;
    memset(d, 0, sizeof *d);
    d->layout = (s3f_graph_layout){SYN_NODE_FEATURES, SYN_EDGE_FEATURES, s->dipole ? 3 : 1, 0};
    d->target_names = s->dipole ? k_dipole_names : k_energy_names;
    d->target_units = s->dipole ? k_dipole_units : k_energy_units;
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) d->split_size[k] = s->size[k];
    d->target_mean = s->mean;
    d->target_std = s->std;
    return S3F_OK;
}

static s3f_status syn_get(void *state, s3f_dataset_split split, int64_t index, s3f_molecule *out)
{
    const syn_state *s = state;
    if ((int)split < 0 || split >= S3F_SPLIT_COUNT || index < 0 || index >= s->size[split])
        return s3f_fail(
            S3F_ERR_ARG, "synthetic: no molecule %lld in split %d (size %lld)", (long long)index,
            (int)split,
            (long long)((int)split >= 0 && split < S3F_SPLIT_COUNT ? s->size[split] : 0));
    const syn_molecule *m = &s->molecules[s->offset[split] + index];
    *out = (s3f_molecule){m->num_atoms,
                          m->num_edges,
                          m->pos,
                          m->node_features,
                          m->edge_features,
                          m->src,
                          m->dst,
                          s->dipole ? m->dipole : &m->energy,
                          NULL};
    return S3F_OK;
}

static void syn_close(void *state)
{
    syn_state *s = state;
    if (!s) return;
    free(s->molecules);
    free(s);
}

static const s3f_dataset_i k_functions = {
    .open = syn_open, .describe = syn_describe, .get = syn_get, .close = syn_close};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_DATASET,
    .name = "synthetic",
    .version = "1.0.0",
    .summary = "generated H/C/N/O/F molecules with a Morse-energy or dipole target (offline)",
    .options = k_options,
    .options_size = sizeof(syn_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
