/* xyz.c — the `xyz` dataset plugin: molecules from extended XYZ files as
 * ASE writes them (parse.c), one target read from each frame's comment line.
 *
 * Everything is parsed at open and kept in memory, so get() is a lookup and
 * safe from any thread. Graphs:
 *   - node features (n, K+1): one-hot over `elements` (K of them) and the
 *     atomic number, as SPEC §14.2's first 6 columns for the default H..F;
 *   - edges: both directions of every bond, sorted by (src, dst); bonded
 *     when the distance is below 1.2 x the sum of covalent radii (`bonds:
 *     covalent`) or below `cutoff` Å (`bonds: cutoff`);
 *   - edge features (e, 1): one constant column of 1. XYZ files carry no
 *     bond orders, so a bond-type one-hot would only ever say "single";
 *     the constant says the same without claiming it.
 * Splits: the molecules of all files, in file order, are shuffled by a
 * Fisher–Yates shuffle driven by Philox(seed), then cut into train
 * (floor(train_fraction*M)), val (floor(val_fraction*M)) and test (the
 * rest). Normalisation: mean and population std of the target over train. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <se3flow/plugin.h>
#include <se3flow/rng.h>

#include "parse.h"

typedef struct xyz_options {
    const char *files, *path, *target, *unit, *elements, *bonds;
    double cutoff, train_fraction, val_fraction;
    int64_t seed;
} xyz_options;

static const char *const k_bond_modes[] = {"covalent", "cutoff", NULL};

static const s3f_option k_options[] = {
    S3F_OPT_STRING("files", xyz_options, files, "",
                   "XYZ files, separated by commas (relative to the working directory)"),
    S3F_OPT_STRING("path", xyz_options, path, "", "one XYZ file (read before `files`)"),
    S3F_OPT_STRING("target", xyz_options, target, "energy", "comment-line key of the target"),
    S3F_OPT_STRING("unit", xyz_options, unit, "eV", "unit of the target, for reports"),
    S3F_OPT_STRING("elements", xyz_options, elements, "H,C,N,O,F",
                   "elements of the one-hot node features, in order"),
    S3F_OPT_CHOICE("bonds", xyz_options, bonds, "covalent", k_bond_modes,
                   "covalent: d < 1.2 x sum of covalent radii; cutoff: d < cutoff"),
    S3F_OPT_FLOAT("cutoff", xyz_options, cutoff, "5.0", 0.01, 1000, "bond cutoff (Å)"),
    S3F_OPT_FLOAT("train_fraction", xyz_options, train_fraction, "0.8", 0, 1,
                  "fraction of molecules in the training split"),
    S3F_OPT_FLOAT("val_fraction", xyz_options, val_fraction, "0.1", 0, 1,
                  "fraction in the validation split (test: the rest)"),
    S3F_OPT_INT("seed", xyz_options, seed, "0", 0, 9.0e15,
                "seed of the split shuffle (independent of the training seed)"),
    S3F_OPT_END,
};

typedef struct xyz_molecule {
    int32_t num_edges;
    float *node_features; /* (n, K+1) */
    float *edge_features; /* (e, 1) */
    int32_t *src, *dst;   /* (e) */
    float target;
} xyz_molecule;

typedef struct xyz_state {
    xyz_elements elements;
    xyz_frame_list frames;
    xyz_molecule *molecules; /* (frames.count) */
    int64_t *order;          /* (frames.count): split position -> frame */
    int64_t offset[S3F_SPLIT_COUNT], size[S3F_SPLIT_COUNT];
    char *target_name, *target_unit;
    const char *names[1], *units[1];
    double mean, std;
} xyz_state;

static void xyz_close(void *state)
{
    xyz_state *s = state;
    if (!s) return;
    for (int64_t i = 0; s->molecules && i < s->frames.count; i++) {
        xyz_molecule *m = &s->molecules[i];
        free(m->node_features), free(m->edge_features), free(m->src), free(m->dst);
    }
    free(s->molecules);
    free(s->order);
    xyz_frame_list_clear(&s->frames);
    free(s->target_name);
    free(s->target_unit);
    free(s);
}

static char *copy_string(const char *text)
{
    char *copy = malloc(strlen(text) + 1);
    return copy ? strcpy(copy, text) : NULL;
}

/* Parses `path` and every comma-separated entry of `files`. */
static s3f_status read_files(xyz_state *s, const xyz_options *o)
{
    if (*o->path) S3F_RETURN_IF_ERR(xyz_parse_file(o->path, &s->elements, o->target, &s->frames));
    char *list = copy_string(o->files);
    if (!list) return s3f_fail(S3F_ERR_NOMEM, "xyz: out of memory");
    s3f_status rc = S3F_OK;
    for (char *p = list; *p && rc == S3F_OK;) {
        p += strspn(p, ", \t[]");
        size_t len = strcspn(p, ",[]");
        if (!len) continue;
        char *end = p + len, *next = *end ? end + 1 : end;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
        *end = '\0';
        rc = xyz_parse_file(p, &s->elements, o->target, &s->frames);
        p = next;
    }
    free(list);
    if (rc == S3F_OK && s->frames.count == 0)
        rc = s3f_fail(S3F_ERR_ARG, "xyz: no molecules: set `path` or `files`");
    return rc;
}

static bool bonded(const xyz_state *s, const xyz_options *o, const xyz_frame *f, int a, int b)
{
    double d2 = 0;
    for (int k = 0; k < 3; k++) {
        double d = (double)f->pos[3 * a + k] - f->pos[3 * b + k];
        d2 += d * d;
    }
    double r = !strcmp(o->bonds, "cutoff") ? o->cutoff
                                           : 1.2 * (s->elements.covalent_radius[f->element[a]] +
                                                    s->elements.covalent_radius[f->element[b]]);
    return d2 < r * r;
}

/* Features and edges of one frame. */
static s3f_status build(const xyz_state *s, const xyz_options *o, const xyz_frame *f,
                        xyz_molecule *m)
{
    int n = f->num_atoms, fn = s->elements.count + 1;
    int64_t e = 0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) e += a != b && bonded(s, o, f, a, b);
    if (e > INT32_MAX)
        return s3f_fail(S3F_ERR_ARG, "xyz: a frame of %d atoms has %lld edges (at most 2^31-1)", n,
                        (long long)e);
    m->node_features = calloc((size_t)n * (size_t)fn, sizeof(float));
    m->edge_features = malloc(sizeof(float) * (size_t)(e ? e : 1));
    m->src = malloc(sizeof(int32_t) * (size_t)(e ? e : 1));
    m->dst = malloc(sizeof(int32_t) * (size_t)(e ? e : 1));
    if (!m->node_features || !m->edge_features || !m->src || !m->dst)
        return s3f_fail(S3F_ERR_NOMEM, "xyz: out of memory for a molecule of %d atoms", n);
    for (int a = 0; a < n; a++) {
        m->node_features[a * fn + f->element[a]] = 1;
        m->node_features[a * fn + fn - 1] = (float)s->elements.atomic_number[f->element[a]];
    }
    m->num_edges = 0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            if (a != b && bonded(s, o, f, a, b)) {
                m->src[m->num_edges] = a, m->dst[m->num_edges] = b;
                m->edge_features[m->num_edges++] = 1;
            }
    m->target = (float)f->target;
    return S3F_OK;
}

/* Fisher–Yates from the back; draw i uses Philox counter i, so the order
 * depends only on (seed, M). */
static void shuffle(int64_t *order, int64_t count, uint64_t seed)
{
    for (int64_t i = 0; i < count; i++) order[i] = i;
    for (int64_t i = count - 1; i > 0; i--) {
        uint32_t word[4];
        s3f_philox4x32((uint64_t)i, 0, seed, word);
        uint64_t draw = ((uint64_t)word[0] << 32 | word[1]);
        int64_t j = (int64_t)(draw % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j], order[j] = t;
    }
}

static void statistics(xyz_state *s)
{
    int64_t n = s->size[S3F_SPLIT_TRAIN];
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) sum += s->molecules[s->order[i]].target;
    double mean = n ? sum / (double)n : 0;
    for (int64_t i = 0; i < n; i++) {
        double d = s->molecules[s->order[i]].target - mean;
        sq += d * d;
    }
    double var = n ? sq / (double)n : 0;
    s->mean = mean;
    s->std = var > 1e-24 ? sqrt(var) : 1; /* a constant target: do not blow it up */
}

static s3f_status make_splits(xyz_state *s, const xyz_options *o)
{
    if (o->train_fraction + o->val_fraction > 1 + 1e-9)
        return s3f_fail(S3F_ERR_ARG, "xyz: train_fraction %g + val_fraction %g exceed 1",
                        o->train_fraction, o->val_fraction);
    int64_t total = s->frames.count;
    s->order = malloc(sizeof *s->order * (size_t)total);
    if (!s->order) return s3f_fail(S3F_ERR_NOMEM, "xyz: out of memory");
    shuffle(s->order, total, (uint64_t)o->seed);
    s->size[S3F_SPLIT_TRAIN] = (int64_t)floor(o->train_fraction * (double)total);
    s->size[S3F_SPLIT_VAL] = (int64_t)floor(o->val_fraction * (double)total);
    s->size[S3F_SPLIT_TEST] = total - s->size[S3F_SPLIT_TRAIN] - s->size[S3F_SPLIT_VAL];
    s->offset[S3F_SPLIT_VAL] = s->size[S3F_SPLIT_TRAIN];
    s->offset[S3F_SPLIT_TEST] = s->offset[S3F_SPLIT_VAL] + s->size[S3F_SPLIT_VAL];
    return S3F_OK;
}

static s3f_status xyz_open(const void *options, const s3f_dataset_env *env, void **out)
{
    (void)env;
    const xyz_options *o = options;
    s3f_status rc;
    xyz_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "xyz: out of memory");
    S3F_TRY(xyz_elements_parse(o->elements, &s->elements));
    S3F_TRY(read_files(s, o));
    s->molecules = calloc((size_t)s->frames.count, sizeof *s->molecules);
    s->target_name = copy_string(o->target);
    s->target_unit = copy_string(o->unit);
    if (!s->molecules || !s->target_name || !s->target_unit) {
        rc = s3f_fail(S3F_ERR_NOMEM, "xyz: out of memory");
        goto fail;
    }
    for (int64_t i = 0; i < s->frames.count; i++)
        S3F_TRY(build(s, o, &s->frames.frames[i], &s->molecules[i]));
    S3F_TRY(make_splits(s, o));
    statistics(s);
    s->names[0] = s->target_name, s->units[0] = s->target_unit;
    *out = s;
    return S3F_OK;
fail:
    xyz_close(s);
    return rc;
}

static s3f_status xyz_describe(void *state, s3f_dataset_desc *d)
{
    const xyz_state *s = state;
    memset(d, 0, sizeof *d);
    d->layout = (s3f_graph_layout){s->elements.count + 1, 1, 1, 0};
    d->target_names = s->names;
    d->target_units = s->units;
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) d->split_size[k] = s->size[k];
    d->target_mean = &s->mean;
    d->target_std = &s->std;
    return S3F_OK;
}

static s3f_status xyz_get(void *state, s3f_dataset_split split, int64_t index, s3f_molecule *out)
{
    const xyz_state *s = state;
    bool known = (int)split >= 0 && split < S3F_SPLIT_COUNT;
    if (!known || index < 0 || index >= s->size[split])
        return s3f_fail(S3F_ERR_ARG, "xyz: no molecule %lld in split %d (size %lld)",
                        (long long)index, (int)split, (long long)(known ? s->size[split] : 0));
    int64_t i = s->order[s->offset[split] + index];
    const xyz_frame *f = &s->frames.frames[i];
    const xyz_molecule *m = &s->molecules[i];
    *out = (s3f_molecule){f->num_atoms,     m->num_edges,     f->pos,
                          m->node_features, m->edge_features, m->src,
                          m->dst,           &m->target,       NULL};
    return S3F_OK;
}

static const s3f_dataset_i k_functions = {
    .open = xyz_open, .describe = xyz_describe, .get = xyz_get, .close = xyz_close};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_DATASET,
    .name = "xyz",
    .version = "1.0.0",
    .summary = "molecules and one target from extended XYZ files (ASE format)",
    .options = k_options,
    .options_size = sizeof(xyz_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
