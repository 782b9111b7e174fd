/* se3t_test_graph.c — see se3t_test_graph.h. */
#include "se3t_test_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

/* splitmix64 -> [0, 1): the tests' own small generator for shapes. */
static double uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

static void recompute_rel(test_graph *g)
{
    const int32_t *src = g->batch->src->data, *dst = g->batch->dst->data;
    for (int64_t e = 0; e < g->batch->num_edges; e++)
        for (int k = 0; k < 3; k++)
            s3f_tensor_set(g->rel, e * 3 + k, g->pos[dst[e] * 3 + k] - g->pos[src[e] * 3 + k]);
}

test_graph *tg_from_edges(int mols, const int *atoms, const int *edges_per_mol, const int32_t *src,
                          const int32_t *dst, const fiber *in, int edge_ch, s3f_dtype dtype,
                          uint64_t seed)
{
    uint64_t rng = seed;
    test_graph *g = calloc(1, sizeof *g);
    g->dtype = dtype;
    int N = 0, E = 0;
    for (int m = 0; m < mols; m++) {
        N += atoms[m];
        E += edges_per_mol[m];
    }
    const size_t nodes = (size_t)(unsigned)N, edges = (size_t)(unsigned)E;
    g->pos = calloc(nodes * 3 + 1, sizeof(double));
    float *posf = calloc(nodes * 3 + 1, sizeof(float));
    float *nodef = calloc(nodes + 1, sizeof(float));
    float *edgef = calloc(edges + 1, sizeof(float));
    for (int i = 0; i < N * 3; i++) {
        g->pos[i] = 3 * uniform(&rng) - 1.5;
        posf[i] = (float)g->pos[i];
    }
    s3f_molecule *ms = calloc((size_t)(unsigned)mols, sizeof *ms);
    int n0 = 0, e0 = 0;
    for (int m = 0; m < mols; m++) {
        ms[m] = (s3f_molecule){.num_nodes = atoms[m],
                               .num_edges = edges_per_mol[m],
                               .positions = posf + n0 * 3,
                               .node_features = nodef + n0,
                               .edge_features = edgef + e0,
                               .src = src + e0,
                               .dst = dst + e0,
                               .targets = nodef};
        n0 += atoms[m];
        e0 += edges_per_mol[m];
    }
    s3f_graph_layout layout = {.node_features = 1, .edge_features = 1, .targets = 1};
    ts_assert_ok_at(s3f_graph_collate(ms, NULL, mols, layout, &g->batch), "collate", __FILE__,
                    __LINE__);
    free(ms);
    free(posf);
    free(nodef);
    free(edgef);
    ts_assert_ok_at(s3f_tensor_create(dtype, S3F_SHAPE(E, 3), &g->rel), "rel", __FILE__, __LINE__);
    recompute_rel(g);
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if (in->channels[d])
            g->node[d] = ts_random(dtype, S3F_SHAPE(N, in->channels[d], 2 * d + 1),
                                   seed * 31 + (uint64_t)d, -1, 1, false);
    if (edge_ch) g->edge0 = ts_random(dtype, S3F_SHAPE(E, edge_ch, 1), seed * 17 + 7, 0, 1, false);
    return g;
}

test_graph *tg_random(int mols, int max_atoms, const fiber *in, int edge_ch, s3f_dtype dtype,
                      uint64_t seed)
{
    uint64_t rng = seed ^ 0x5eed;
    int *atoms = calloc((size_t)mols, sizeof(int)), *epm = calloc((size_t)mols, sizeof(int));
    int E = 0;
    for (int m = 0; m < mols; m++) {
        atoms[m] = 2 + (int)(uniform(&rng) * (max_atoms - 1));
        if (atoms[m] > max_atoms) atoms[m] = max_atoms;
        epm[m] = atoms[m] * (atoms[m] - 1);
        E += epm[m];
    }
    int32_t *src = calloc((size_t)E + 1, sizeof(int32_t)),
            *dst = calloc((size_t)E + 1, sizeof(int32_t));
    int e = 0;
    for (int m = 0; m < mols; m++)
        for (int i = 0; i < atoms[m]; i++)
            for (int j = 0; j < atoms[m]; j++)
                if (i != j) {
                    src[e] = i;
                    dst[e++] = j;
                }
    test_graph *g = tg_from_edges(mols, atoms, epm, src, dst, in, edge_ch, dtype, seed);
    free(atoms);
    free(epm);
    free(src);
    free(dst);
    return g;
}

void tg_destroy(test_graph *g)
{
    if (!g) return;
    s3f_graph_batch_destroy(g->batch);
    s3f_tensor_destroy(g->rel);
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) s3f_tensor_destroy(g->node[d]);
    s3f_tensor_destroy(g->edge0);
    free(g->pos);
    free(g);
}

void tg_rotation(double a, double b, double c, double R[9])
{
    double z1[9] = {cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1};
    double y[9] = {cos(b), 0, sin(b), 0, 1, 0, -sin(b), 0, cos(b)};
    double z2[9] = {cos(c), -sin(c), 0, sin(c), cos(c), 0, 0, 0, 1};
    double t[9] = {0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) t[i * 3 + j] += z1[i * 3 + k] * y[k * 3 + j];
    for (int i = 0; i < 9; i++) R[i] = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) R[i * 3 + j] += t[i * 3 + k] * z2[k * 3 + j];
}

/* Every (2d+1)-vector of t (rows, C, 2d+1) -> D · vector. */
static void rotate_feats(s3f_tensor *t, int d, const double R[9])
{
    int M = 2 * d + 1;
    double D[13 * 13], v[13];
    ts_assert_ok_at(s3f_wigner_d(d, R, D), "wigner", __FILE__, __LINE__);
    int64_t vecs = s3f_tensor_numel(t) / M;
    for (int64_t r = 0; r < vecs; r++) {
        for (int i = 0; i < M; i++) {
            v[i] = 0;
            for (int j = 0; j < M; j++) v[i] += D[i * M + j] * s3f_tensor_get(t, r * M + j);
        }
        for (int i = 0; i < M; i++) s3f_tensor_set(t, r * M + i, v[i]);
    }
}

void tg_transform(test_graph *g, const double R[9], const double t[3])
{
    for (int64_t n = 0; n < g->batch->num_nodes; n++) {
        double p[3];
        for (int i = 0; i < 3; i++)
            p[i] = R[i * 3] * g->pos[n * 3] + R[i * 3 + 1] * g->pos[n * 3 + 1] +
                   R[i * 3 + 2] * g->pos[n * 3 + 2] + t[i];
        memcpy(g->pos + n * 3, p, sizeof p);
    }
    recompute_rel(g);
    for (int d = 1; d <= TFN_MAX_DEGREE; d++)
        if (g->node[d]) rotate_feats(g->node[d], d, R);
}

se3t_input tg_input(const test_graph *g)
{
    const s3f_graph_batch *b = g->batch;
    se3t_input in = {.num_graphs = b->num_graphs,
                     .num_nodes = b->num_nodes,
                     .num_edges = b->num_edges,
                     .rel_pos = g->rel,
                     .src = b->src,
                     .dst = b->dst,
                     .in_offsets = b->in_offsets,
                     .node_offsets = b->node_offsets};
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) in.node.d[d] = g->node[d];
    in.edge.d[0] = g->edge0;
    return in;
}

se3t_config tg_small_config(fuse_level fuse, int node_ch, int edge_ch, int num_degrees,
                            int channels, int output_dim)
{
    se3t_config c = se3t_qm9_config(fuse, S3F_F64);
    c.num_layers = 2;
    c.num_heads = 2;
    c.output_dim = output_dim;
    c.in.channels[0] = node_ch;
    c.edge.channels[0] = edge_ch;
    c.hidden = fiber_uniform(num_degrees, channels);
    c.out.channels[0] = num_degrees * channels;
    return c;
}
