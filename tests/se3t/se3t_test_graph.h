/* se3t_test_graph.h — random molecules as SE(3)-Transformer inputs for the
 * model's tests: positions kept in f64 so that rotated copies are exact,
 * node features of any input fiber, and the model input built from them. */
#ifndef SE3T_TEST_GRAPH_H
#define SE3T_TEST_GRAPH_H

#include "model.h"

typedef struct test_graph {
    s3f_graph_batch *batch; /* structure: src, dst, offsets (edges sorted by dst) */
    s3f_dtype dtype;
    double *pos;                          /* (N, 3) */
    s3f_tensor *rel;                      /* (E, 3) in dtype: pos[dst] - pos[src] */
    s3f_tensor *node[TFN_MAX_DEGREE + 1]; /* (N, C, 2d+1) heap, in dtype */
    s3f_tensor *edge0;                    /* (E, Ce, 1) or NULL */
} test_graph;

/* `mols` molecules of 2..max_atoms atoms (fully connected, both directions),
 * random positions, features of fiber `in` and `edge_ch` invariant edge
 * features, all from `seed`. */
test_graph *tg_random(int mols, int max_atoms, const fiber *in, int edge_ch, s3f_dtype dtype,
                      uint64_t seed);
/* Molecules given by atom counts and explicit edge lists (local indices). */
test_graph *tg_from_edges(int mols, const int *atoms, const int *edges_per_mol, const int32_t *src,
                          const int32_t *dst, const fiber *in, int edge_ch, s3f_dtype dtype,
                          uint64_t seed);
void tg_destroy(test_graph *g);
/* Rotates and translates: pos -> R pos + t, rel and node features of
 * degree d by the Wigner-D of R (degree 1: R itself). */
void tg_transform(test_graph *g, const double R[9], const double t[3]);
/* R = Rz(a) Ry(b) Rz(c). */
void tg_rotation(double a, double b, double c, double R[9]);
se3t_input tg_input(const test_graph *g);

/* A pooled model for tests, the QM9 model (se3t_qm9_config) made small:
 * 2 layers, 2 heads; node_ch / edge_ch degree-0 inputs; degrees
 * 0..num_degrees-1 × channels hidden; degree-0 output of
 * num_degrees·channels into an MLP head of output_dim; f64. */
se3t_config tg_small_config(fuse_level fuse, int node_ch, int edge_ch, int num_degrees,
                            int channels, int output_dim);

#endif
