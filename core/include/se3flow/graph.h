/* graph.h — molecules as datasets yield them, and batches of them as one
 * graph, the form every model consumes.
 *
 * A dataset plugin produces one s3f_molecule at a time; core collates a list
 * of them into an s3f_graph_batch: nodes and edges of all molecules
 * concatenated, edges sorted by destination node (stable, so the dataset's
 * order is kept among the edges of one node) with CSR offsets, so segment
 * ops over incoming edges need no atomics; per-molecule node and edge
 * offsets for pooling; relative positions pos[dst] - pos[src].
 *
 * Dimension letters as in dims.h; Fn node features, Fe edge features,
 * T targets. */
#ifndef SE3FLOW_GRAPH_H
#define SE3FLOW_GRAPH_H

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One molecule. Pointers are borrowed from the dataset and stay valid while
 * it is open. Local node indices in src/dst run from 0 to num_nodes-1. */
typedef struct s3f_molecule {
    int32_t num_nodes;
    int32_t num_edges;
    const float *positions;     /* (n, 3), Å */
    const float *node_features; /* (n, Fn) degree-0 node features */
    const float *edge_features; /* (e, Fe); NULL when Fe is 0 */
    const int32_t *src;         /* (e) */
    const int32_t *dst;         /* (e) */
    const float *targets;       /* (T) in physical units */
    const float *edge_basis;    /* (e, edge_basis_width) precomputed bases, or NULL when the
                                   layout's width is 0 (see s3f_basis_pack for a row) */
} s3f_molecule;

/* Feature sizes shared by every molecule of a batch. */
typedef struct s3f_graph_layout {
    int node_features;    /* Fn */
    int edge_features;    /* Fe */
    int targets;          /* T */
    int edge_basis_width; /* W of precomputed edge bases (s3f_basis_packed_width); 0: none */
} s3f_graph_layout;

/* A batch as one graph. Every tensor is a heap CPU tensor owned by the
 * batch. */
typedef struct s3f_graph_batch {
    int64_t num_graphs;        /* B */
    int64_t num_nodes;         /* N */
    int64_t num_edges;         /* E */
    s3f_tensor *positions;     /* (N, 3) f32 */
    s3f_tensor *node_features; /* (N, Fn) f32 */
    s3f_tensor *edge_features; /* (E, Fe) f32 */
    s3f_tensor *rel_pos;       /* (E, 3) f32: positions[dst] - positions[src] */
    s3f_tensor *src;           /* (E) i32, global node index */
    s3f_tensor *dst;           /* (E) i32, global node index, non-decreasing */
    s3f_tensor *in_offsets;    /* (N+1) i32: edges into node i are rows in_offsets[i].. */
    s3f_tensor *node_offsets;  /* (B+1) i32: nodes of molecule b */
    s3f_tensor *edge_offsets;  /* (B+1) i32: edges of molecule b (after sorting) */
    s3f_tensor *targets;       /* (B, T) f32, as the molecules gave them */
    s3f_tensor *ids;           /* (B) i64: the dataset index of each molecule */
    s3f_tensor *edge_basis;    /* (E, W) f32, rows in the sorted edge order (moved with the
                                  edges); NULL when the layout's edge_basis_width is 0 */
} s3f_graph_batch;

/* Collates `count` molecules (ids[i] is molecule i's index in its split, kept
 * in the batch; ids may be NULL). Checks every molecule: non-negative
 * counts, indices within the molecule, finite positions, edge_basis present
 * when the layout has a width; S3F_ERR_FORMAT
 * naming the molecule and the fault. Totals must fit in i32. *out takes
 * ownership; free with s3f_graph_batch_destroy. */
S3F_API s3f_status s3f_graph_collate(const s3f_molecule *molecules, const int64_t *ids, int count,
                                     s3f_graph_layout layout, s3f_graph_batch **out);
S3F_API void s3f_graph_batch_destroy(s3f_graph_batch *batch);

#ifdef __cplusplus
}
#endif
#endif
