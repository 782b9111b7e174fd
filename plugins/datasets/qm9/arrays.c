/* arrays.c — the arrays of a qm9_edge.npz file (SPEC §14.1-§14.3), read and
 * checked whole before any molecule is built.
 *
 * Counts and indices may be stored as <i4 or <i8 and features and targets
 * as <f4 or <f8 (the file's dtypes are not documented, §14.1). Every check
 * names the file, the member and the fault, so a user's own QM9-layout file
 * that is wrong says where. Not here: splits (split.c), downloads
 * (source.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <se3flow/npz.h>

#include "qm9.h"

const char *const qm9_target_choices[QM9_TARGETS + 1] = {
    "mu", "alpha", "homo",    "lumo",   "gap",    "r2",     "zpve", "U0", "U", "H",
    "G",  "Cv",    "U0_atom", "U_atom", "H_atom", "G_atom", "A",    "B",  "C", NULL};
static const char *const k_units[QM9_TARGETS] = {
    "D",  "a0^3",        "eV", "eV", "eV", "a0^2", "eV",  "eV",  "eV", "eV",
    "eV", "cal/(mol K)", "eV", "eV", "eV", "eV",   "GHz", "GHz", "GHz"};

int qm9_target_column(const char *key)
{
    for (int i = 0; i < QM9_TARGETS; i++)
        if (!strcmp(key, qm9_target_choices[i])) return i;
    return -1;
}

const char *qm9_target_key(int column)
{
    return qm9_target_choices[column];
}

const char *qm9_target_unit(int column)
{
    return k_units[column];
}

const char *qm9_target_keys(void)
{
    return "mu, alpha, homo, lumo, gap, r2, zpve, U0, U, H, G, Cv, U0_atom, U_atom, H_atom, "
           "G_atom, A, B, C";
}

/* An S3F_ERR_FORMAT naming the file and the member. */
static s3f_status bad(const char *path, const char *member, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return s3f_fail(S3F_ERR_FORMAT, "qm9: %s: member '%s': %s", path, member, what);
}

/* Member `name`, of an integer (or float) dtype, with `ndim` dimensions of
 * `rows` (-1: any) and, for ndim 2, `cols`. A wrong row count is a sum that
 * does not match the counts; the message says which. */
static s3f_status load(const s3f_npz_t *z, const char *path, const char *name, bool integer,
                       int ndim, int64_t rows, int64_t cols, s3f_tensor **out)
{
    const char *rows_from =
        !strcmp(name, "n_edge") || !strcmp(name, "targets")       ? " (rows = molecules in n_node)"
        : !strcmp(name, "node_pos") || !strcmp(name, "node_attr") ? " (rows = the sum of n_node)"
                                                                  : " (rows = the sum of n_edge)";
    if (!s3f_npz_has(z, name))
        return bad(path, name,
                   "missing (a qm9_edge.npz holds n_node, n_edge, node_pos, "
                   "node_attr, edge_attr, src, dst and targets)");
    s3f_tensor *t = NULL;
    s3f_status rc = s3f_npz_read(z, name, &t);
    if (rc != S3F_OK) return s3f_fail_context(rc, "qm9: %s: ", path);
    char shape[96];
    s3f_shape_format(&t->shape, shape, sizeof shape);
    bool int_ok = t->dtype == S3F_I32 || t->dtype == S3F_I64;
    bool float_ok = t->dtype == S3F_F32 || t->dtype == S3F_F64;
    if (integer ? !int_ok : !float_ok)
        rc = bad(path, name, "dtype %s; expected %s", s3f_dtype_name(t->dtype),
                 integer ? "an integer (<i4 or <i8)" : "a float (<f4 or <f8)");
    else if (t->shape.ndim != ndim || (rows >= 0 && t->shape.d[0] != rows) ||
             (ndim == 2 && t->shape.d[1] != cols))
        rc = ndim == 1 ? bad(path, name, "shape %s; expected (%lld,)%s", shape, (long long)rows,
                             rows_from)
                       : bad(path, name, "shape %s; expected (%lld, %lld)%s", shape,
                             (long long)rows, (long long)cols, rows_from);
    if (rc != S3F_OK) {
        s3f_tensor_destroy(t);
        return rc;
    }
    *out = t;
    return S3F_OK;
}

static int64_t int_at(const s3f_tensor *t, int64_t i)
{
    return t->dtype == S3F_I32 ? ((const int32_t *)t->data)[i] : ((const int64_t *)t->data)[i];
}

static double float_at(const s3f_tensor *t, int64_t i)
{
    return t->dtype == S3F_F32 ? ((const float *)t->data)[i] : ((const double *)t->data)[i];
}

/* Per-molecule starts from n_node/n_edge: every molecule has at least one
 * atom, counts fit in i32, so sums cannot overflow. */
static s3f_status starts(const s3f_tensor *n, const char *path, const char *name, int64_t min,
                         int64_t *start)
{
    start[0] = 0;
    for (int64_t k = 0; k < n->shape.d[0]; k++) {
        int64_t c = int_at(n, k);
        if (c < min || c > INT32_MAX)
            return bad(path, name, "molecule %lld has %lld; expected %lld..%d", (long long)k,
                       (long long)c, (long long)min, INT32_MAX);
        start[k + 1] = start[k] + c;
    }
    return S3F_OK;
}

static s3f_status read_counts(const s3f_npz_t *z, const char *path, qm9_data *d)
{
    s3f_tensor *nn = NULL, *ne = NULL;
    s3f_status rc;
    S3F_TRY(load(z, path, "n_node", true, 1, -1, 0, &nn));
    d->molecules = nn->shape.d[0];
    S3F_TRY(load(z, path, "n_edge", true, 1, d->molecules, 0, &ne));
    if (d->molecules == 0 || d->molecules > INT32_MAX) {
        rc = bad(path, "n_node", "%lld molecules; expected 1..%d", (long long)d->molecules,
                 INT32_MAX);
        goto fail;
    }
    d->node_start = malloc(sizeof(int64_t) * (size_t)(d->molecules + 1));
    d->edge_start = malloc(sizeof(int64_t) * (size_t)(d->molecules + 1));
    if (!d->node_start || !d->edge_start) {
        rc = s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for %lld molecules",
                      (long long)d->molecules);
        goto fail;
    }
    S3F_TRY(starts(nn, path, "n_node", 1, d->node_start));
    S3F_TRY(starts(ne, path, "n_edge", 0, d->edge_start));
    d->atoms = d->node_start[d->molecules];
    d->edges = d->edge_start[d->molecules];
fail:
    s3f_tensor_destroy(nn);
    s3f_tensor_destroy(ne);
    return rc;
}

/* A (rows, cols) float member into `out` (rows, keep) f32, all finite. */
static s3f_status read_floats(const s3f_npz_t *z, const char *path, const char *name, int64_t rows,
                              int64_t cols, int64_t keep, float **out)
{
    s3f_tensor *t = NULL;
    S3F_RETURN_IF_ERR(load(z, path, name, false, 2, rows, cols, &t));
    s3f_status rc = S3F_OK;
    float *v = malloc(sizeof(float) * (size_t)(rows > 0 ? rows * keep : 1));
    if (!v) rc = s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for '%s'", name);
    for (int64_t i = 0; rc == S3F_OK && i < rows; i++)
        for (int64_t j = 0; j < keep; j++) {
            double x = float_at(t, i * cols + j);
            if (!isfinite(x)) {
                rc = bad(path, name, "row %lld column %lld is %g", (long long)i, (long long)j, x);
                break;
            }
            v[i * keep + j] = (float)x;
        }
    s3f_tensor_destroy(t);
    if (rc != S3F_OK) {
        free(v);
        return rc;
    }
    *out = v;
    return S3F_OK;
}

/* src or dst: each edge's index inside its molecule's atoms. */
static s3f_status read_index(const s3f_npz_t *z, const char *path, const char *name,
                             const qm9_data *d, int32_t **out)
{
    s3f_tensor *t = NULL;
    S3F_RETURN_IF_ERR(load(z, path, name, true, 1, d->edges, 0, &t));
    s3f_status rc = S3F_OK;
    int32_t *v = malloc(sizeof(int32_t) * (size_t)(d->edges ? d->edges : 1));
    if (!v) rc = s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for '%s'", name);
    for (int64_t k = 0; rc == S3F_OK && k < d->molecules; k++) {
        int64_t n = d->node_start[k + 1] - d->node_start[k];
        for (int64_t e = d->edge_start[k]; e < d->edge_start[k + 1]; e++) {
            int64_t i = int_at(t, e);
            if (i < 0 || i >= n) {
                rc = bad(path, name, "row %lld (molecule %lld) is %lld, outside 0..%lld",
                         (long long)e, (long long)k, (long long)i, (long long)(n - 1));
                break;
            }
            v[e] = (int32_t)i;
        }
    }
    s3f_tensor_destroy(t);
    if (rc != S3F_OK) {
        free(v);
        return rc;
    }
    *out = v;
    return S3F_OK;
}

static s3f_status read_targets(const s3f_npz_t *z, const char *path, qm9_data *d)
{
    s3f_tensor *t = NULL;
    S3F_RETURN_IF_ERR(load(z, path, "targets", false, 2, d->molecules, QM9_TARGETS, &t));
    int64_t n = d->molecules * QM9_TARGETS;
    d->targets = malloc(sizeof(double) * (size_t)n);
    if (!d->targets) {
        s3f_tensor_destroy(t);
        return s3f_fail(S3F_ERR_NOMEM, "qm9: out of memory for 'targets'");
    }
    for (int64_t i = 0; i < n; i++) d->targets[i] = float_at(t, i);
    d->targets_f32 = t->dtype == S3F_F32;
    s3f_tensor_destroy(t);
    return S3F_OK;
}

s3f_status qm9_data_read(const char *path, qm9_data *out)
{
    qm9_data d = {0};
    s3f_npz_t *z = NULL;
    s3f_status rc;
    S3F_TRY(s3f_npz_open(path, &z));
    S3F_TRY(read_counts(z, path, &d));
    S3F_TRY(read_floats(z, path, "node_pos", d.atoms, 3, 3, &d.positions));
    S3F_TRY(read_floats(z, path, "node_attr", d.atoms, QM9_NODE_ATTR, QM9_NODE_FEATURES,
                        &d.node_features));
    S3F_TRY(read_floats(z, path, "edge_attr", d.edges, QM9_EDGE_FEATURES, QM9_EDGE_FEATURES,
                        &d.edge_features));
    S3F_TRY(read_index(z, path, "src", &d, &d.src));
    S3F_TRY(read_index(z, path, "dst", &d, &d.dst));
    S3F_TRY(read_targets(z, path, &d));
    s3f_npz_close(z);
    *out = d;
    return S3F_OK;
fail:
    s3f_npz_close(z);
    qm9_data_free(&d);
    return rc;
}

void qm9_data_free(qm9_data *d)
{
    free(d->node_start), free(d->edge_start);
    free(d->positions), free(d->node_features), free(d->edge_features);
    free(d->src), free(d->dst), free(d->targets);
    memset(d, 0, sizeof *d);
}
