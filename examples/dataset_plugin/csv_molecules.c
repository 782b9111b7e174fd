/* csv_molecules.c — an example se3flow dataset plugin, meant to be copied:
 * molecules from a CSV file with one row per atom,
 *
 *     molecule,symbol,x,y,z,homo
 *     0,C,-0.012698,1.085804,0.008001,-10.54985
 *     0,H,0.002150,-0.006031,0.001976,-10.54985
 *     ...
 *
 * The rows of one molecule are consecutive and share its id; the sixth
 * column is the target (its header names it) and must be the same on every
 * row of a molecule. Positions are in Å.
 *
 * It shows everything a dataset plugin does, in the order the host calls it:
 *   - an option table (the recipe's `dataset:` keys, checked by the host);
 *   - open(): read everything and build the graphs once, so that get() is
 *     a lookup that is safe from several loader threads at once;
 *   - describe(): feature sizes, target name and unit, split sizes, and the
 *     normalisation statistics of the training split;
 *   - get(): one molecule, borrowed from the plugin until close();
 *   - close(): free everything.
 *
 * Graphs: node features are one-hot H, C, N, O, F plus the atomic number
 * (the first six QM9 columns, SPEC §14.2); edges join every pair of atoms
 * closer than `cutoff`, both directions; the one edge feature is the
 * distance in Å. Splits: molecule i (in file order) is in validation when
 * i % 10 == 8, in test when i % 10 == 9, else in training — simple and
 * deterministic; see the `xyz` plugin for seeded shuffles. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <se3flow/plugin.h>

/* ---- options: declared once, here; the host fills the struct --------- */

typedef struct csv_options {
    const char *path; /* strings belong to the recipe: copy what you keep after open() */
    const char *unit;
    double cutoff;
} csv_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("path", csv_options, path, "molecules.csv",
                   "CSV file: molecule,symbol,x,y,z,<target> (relative to the working directory)"),
    S3F_OPT_STRING("unit", csv_options, unit, "eV", "unit of the target, for reports"),
    S3F_OPT_FLOAT("cutoff", csv_options, cutoff, "1.6", 0.1, 100, "edge cutoff (Å)"),
    S3F_OPT_END,
};

/* ---- the data, all in memory ----------------------------------------- */

#define K_ELEMENTS 5 /* H, C, N, O, F */
#define K_FEATURES (K_ELEMENTS + 1)

typedef struct molecule {
    int32_t num_nodes, num_edges;
    float *pos;           /* (n, 3) */
    float *node_features; /* (n, K_FEATURES) */
    float *edge_features; /* (e, 1) */
    int32_t *src, *dst;   /* (e) */
    float target;
} molecule;

typedef struct csv_state {
    molecule *molecules; /* (count) */
    int64_t count, capacity;
    int64_t *split[S3F_SPLIT_COUNT]; /* molecule indices of each split */
    int64_t split_size[S3F_SPLIT_COUNT];
    char target_name[64], unit[32];
    const char *names[1], *units[1]; /* what describe() hands out */
    double mean, std;
} csv_state;

static void molecule_free(molecule *m)
{
    free(m->pos), free(m->node_features), free(m->edge_features), free(m->src), free(m->dst);
}

static void csv_close(void *state)
{
    csv_state *s = state;
    if (!s) return;
    for (int64_t i = 0; i < s->count; i++) molecule_free(&s->molecules[i]);
    free(s->molecules);
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) free(s->split[k]);
    free(s);
}

/* ---- reading the CSV ----------------------------------------------------- */

/* One atom row as read. */
typedef struct row {
    long molecule;
    int element; /* 0..4 */
    float pos[3];
    double target;
} row;

static int element_index(const char *symbol)
{
    static const char *const symbols[K_ELEMENTS] = {"H", "C", "N", "O", "F"};
    for (int k = 0; k < K_ELEMENTS; k++)
        if (!strcmp(symbols[k], symbol)) return k;
    return -1;
}

/* Parses one data line; errors name the file and line. */
static s3f_status parse_row(const char *path, long line_no, char *line, row *r)
{
    char symbol[8];
    double x, y, z;
    int used = 0;
    line[strcspn(line, "\r\n")] = '\0';
    if (sscanf(line, "%ld,%7[^,],%lf,%lf,%lf,%lf%n", &r->molecule, symbol, &x, &y, &z, &r->target,
               &used) != 6 ||
        line[used] != '\0')
        return s3f_fail(S3F_ERR_FORMAT,
                        "csv_molecules: %s:%ld: expected molecule,symbol,x,y,z,"
                        "target, found '%.60s'",
                        path, line_no, line);
    if (!isfinite((float)x) || !isfinite((float)y) || !isfinite((float)z) ||
        !isfinite((float)r->target)) /* stored as float: 1e39 would become inf */
        return s3f_fail(S3F_ERR_FORMAT, "csv_molecules: %s:%ld: a number is not finite as a float",
                        path, line_no);
    r->element = element_index(symbol);
    if (r->element < 0)
        return s3f_fail(S3F_ERR_FORMAT,
                        "csv_molecules: %s:%ld: element '%s' is not H, C, N, O or F", path, line_no,
                        symbol);
    r->pos[0] = (float)x, r->pos[1] = (float)y, r->pos[2] = (float)z;
    return S3F_OK;
}

/* Appends an atom to the molecule being read (the last one). */
static s3f_status add_atom(molecule *m, const row *r)
{
    int32_t n = m->num_nodes + 1;
    float *pos = realloc(m->pos, sizeof(float) * 3 * (size_t)n);
    if (pos) m->pos = pos;
    float *features = realloc(m->node_features, sizeof(float) * K_FEATURES * (size_t)n);
    if (features) m->node_features = features;
    if (!pos || !features) return s3f_fail(S3F_ERR_NOMEM, "csv_molecules: out of memory");
    static const float atomic_number[K_ELEMENTS] = {1, 6, 7, 8, 9};
    memcpy(&pos[3 * m->num_nodes], r->pos, sizeof r->pos);
    float *f = &features[K_FEATURES * m->num_nodes];
    for (int k = 0; k < K_FEATURES; k++) f[k] = 0;
    f[r->element] = 1;
    f[K_ELEMENTS] = atomic_number[r->element];
    m->num_nodes = n;
    return S3F_OK;
}

/* Starts a new molecule at the end of the list. */
static s3f_status add_molecule(csv_state *s, const row *r)
{
    if (s->count == s->capacity) {
        int64_t capacity = 2 * s->capacity + 64;
        molecule *grown = realloc(s->molecules, sizeof *grown * (size_t)capacity);
        if (!grown) return s3f_fail(S3F_ERR_NOMEM, "csv_molecules: out of memory");
        s->molecules = grown, s->capacity = capacity;
    }
    s->molecules[s->count++] = (molecule){.target = (float)r->target};
    return S3F_OK;
}

/* Adds one data line to the molecules; *previous is the last row's id. */
static s3f_status read_row(csv_state *s, const char *path, long line_no, char *line, long *previous)
{
    if (line[strspn(line, " \t\r\n")] == '\0') return S3F_OK; /* a blank line */
    row r;
    S3F_RETURN_IF_ERR(parse_row(path, line_no, line, &r));
    if (s->count == 0 || r.molecule != *previous) S3F_RETURN_IF_ERR(add_molecule(s, &r));
    *previous = r.molecule;
    molecule *m = &s->molecules[s->count - 1];
    if ((float)r.target != m->target)
        return s3f_fail(S3F_ERR_FORMAT, "csv_molecules: %s:%ld: molecule %ld has two targets", path,
                        line_no, r.molecule);
    return add_atom(m, &r);
}

/* Reads the header (for the target's name), then every row. A new
 * molecule starts where the id changes. */
static s3f_status read_csv(csv_state *s, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return s3f_fail(S3F_ERR_IO, "csv_molecules: cannot open %s: %s", path, strerror(errno));
    char line[512];
    s3f_status rc = S3F_OK;
    if (!fgets(line, sizeof line, fp) ||
        sscanf(line, "molecule,symbol,x,y,z,%63[^,\r\n]", s->target_name) != 1)
        rc = s3f_fail(S3F_ERR_FORMAT,
                      "csv_molecules: %s:1: the header must be "
                      "molecule,symbol,x,y,z,<target name>",
                      path);
    long previous = -1;
    for (long line_no = 2; rc == S3F_OK && fgets(line, sizeof line, fp); line_no++)
        rc = read_row(s, path, line_no, line, &previous);
    fclose(fp);
    if (rc == S3F_OK && s->count == 0)
        rc = s3f_fail(S3F_ERR_FORMAT, "csv_molecules: %s has no molecules", path);
    return rc;
}

/* ---- graphs, splits, statistics ------------------------------------------ */

static double distance(const float *a, const float *b)
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

/* Edges a->b for every pair closer than the cutoff, sorted by (src, dst).
 * Two passes: count, then fill. */
static s3f_status build_edges(molecule *m, double cutoff)
{
    int32_t n = m->num_nodes, e = 0;
    for (int32_t a = 0; a < n; a++)
        for (int32_t b = 0; b < n; b++)
            e += a != b && distance(&m->pos[3 * a], &m->pos[3 * b]) < cutoff;
    size_t size = (size_t)(e ? e : 1); /* malloc(0) may return NULL */
    m->src = malloc(sizeof(int32_t) * size);
    m->dst = malloc(sizeof(int32_t) * size);
    m->edge_features = malloc(sizeof(float) * size);
    if (!m->src || !m->dst || !m->edge_features)
        return s3f_fail(S3F_ERR_NOMEM, "csv_molecules: out of memory");
    for (int32_t a = 0; a < n; a++)
        for (int32_t b = 0; b < n; b++) {
            double d = distance(&m->pos[3 * a], &m->pos[3 * b]);
            if (a == b || d >= cutoff) continue;
            m->src[m->num_edges] = a, m->dst[m->num_edges] = b;
            m->edge_features[m->num_edges++] = (float)d;
        }
    return S3F_OK;
}

static s3f_dataset_split split_of(int64_t i)
{
    return i % 10 == 8 ? S3F_SPLIT_VAL : i % 10 == 9 ? S3F_SPLIT_TEST : S3F_SPLIT_TRAIN;
}

static s3f_status make_splits(csv_state *s)
{
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) {
        s->split[k] = malloc(sizeof(int64_t) * (size_t)s->count);
        if (!s->split[k]) return s3f_fail(S3F_ERR_NOMEM, "csv_molecules: out of memory");
    }
    for (int64_t i = 0; i < s->count; i++) {
        s3f_dataset_split k = split_of(i);
        s->split[k][s->split_size[k]++] = i;
    }
    return S3F_OK;
}

/* Mean and population standard deviation of the training targets: the
 * runtime trains on (target - mean) / std. */
static void statistics(csv_state *s)
{
    int64_t n = s->split_size[S3F_SPLIT_TRAIN];
    double sum = 0, squares = 0;
    for (int64_t i = 0; i < n; i++) sum += s->molecules[s->split[S3F_SPLIT_TRAIN][i]].target;
    s->mean = n ? sum / (double)n : 0;
    for (int64_t i = 0; i < n; i++) {
        double d = s->molecules[s->split[S3F_SPLIT_TRAIN][i]].target - s->mean;
        squares += d * d;
    }
    s->std = n && squares > 0 ? sqrt(squares / (double)n) : 1; /* constant target: keep it */
}

/* ---- the four functions the host calls -------------------------------------- */

static s3f_status csv_open(const void *options, const s3f_dataset_env *env, void **out)
{
    (void)env; /* env->seed and env->data_dir are there for plugins that shuffle or download */
    const csv_options *o = options;
    s3f_status rc;
    csv_state *s = calloc(1, sizeof *s);
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "csv_molecules: out of memory");
    S3F_TRY(read_csv(s, o->path));
    for (int64_t i = 0; i < s->count; i++) S3F_TRY(build_edges(&s->molecules[i], o->cutoff));
    S3F_TRY(make_splits(s));
    statistics(s);
    snprintf(s->unit, sizeof s->unit, "%s", o->unit);
    s->names[0] = s->target_name, s->units[0] = s->unit;
    *out = s;
    return S3F_OK;
fail:
    csv_close(s);
    return rc;
}

static s3f_status csv_describe(void *state, s3f_dataset_desc *d)
{
    const csv_state *s = state;
    memset(d, 0, sizeof *d);
    d->layout = (s3f_graph_layout){.node_features = K_FEATURES, .edge_features = 1, .targets = 1};
    d->target_names = s->names;
    d->target_units = s->units;
    for (int k = 0; k < S3F_SPLIT_COUNT; k++) d->split_size[k] = s->split_size[k];
    d->target_mean = &s->mean;
    d->target_std = &s->std;
    return S3F_OK;
}

static s3f_status csv_get(void *state, s3f_dataset_split split, int64_t index, s3f_molecule *out)
{
    const csv_state *s = state;
    if ((int)split < 0 || split >= S3F_SPLIT_COUNT || index < 0 || index >= s->split_size[split])
        return s3f_fail(S3F_ERR_ARG, "csv_molecules: no molecule %lld in split %d",
                        (long long)index, (int)split);
    const molecule *m = &s->molecules[s->split[split][index]];
    *out = (s3f_molecule){.num_nodes = m->num_nodes,
                          .num_edges = m->num_edges,
                          .positions = m->pos,
                          .node_features = m->node_features,
                          .edge_features = m->edge_features,
                          .src = m->src,
                          .dst = m->dst,
                          .targets = &m->target};
    return S3F_OK;
}

/* ---- the descriptor: what se3flow finds in se3flow_dataset_csv_molecules.so */

static const s3f_dataset_i k_functions = {
    .open = csv_open, .describe = csv_describe, .get = csv_get, .close = csv_close};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION, /* always first: the host checks it before anything */
    .kind = S3F_PLUGIN_DATASET,
    .name = "csv_molecules", /* what recipes write: dataset: {name: csv_molecules} */
    .version = "1.0.0",
    .summary = "molecules from a CSV file, one row per atom (example plugin)",
    .options = k_options,
    .options_size = sizeof(csv_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
