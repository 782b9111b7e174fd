/* model.h — the SE(3)-Transformer (SPEC §11): the layer stack, graph
 * pooling and the MLP head of SE3TransformerPooled, behind a small API that
 * the plugin (se3_transformer.c) and the tests share. */
#ifndef SE3T_MODEL_H
#define SE3T_MODEL_H

#include "layers.h"

typedef enum se3t_pooling { SE3T_POOL_NONE, SE3T_POOL_MAX, SE3T_POOL_MEAN } se3t_pooling;

typedef struct se3t_config {
    int num_layers, num_heads, channels_div;
    fiber in, hidden, out;
    fiber edge; /* edge.channels[0]: invariant edge features; d > 0: equivariant ones */
    bool norm, use_layer_norm;
    fuse_level fuse;
    se3t_pooling pooling;
    int return_type; /* the degree pooled or returned; -1: every output degree, per node */
    int output_dim;  /* > 0: SE3TransformerPooled's MLP head (pooling, return_type 0) */
    s3f_dtype dtype; /* S3F_F32 or S3F_F64 */
} se3t_config;

typedef struct se3t_model {
    se3t_config cfg;
    int max_degree;
    s3f_params_t *params;
    attention_se3 *attention; /* num_layers */
    norm_se3 *norm;           /* num_layers when cfg.norm */
    conv_se3 final_conv;
    s3f_tensor *mlp_w0, *mlp_b0, *mlp_w2, *mlp_b2;
} se3t_model;

/* The reference's QM9 model (its defaults, SPEC §15.2): 7 layers, degrees
 * 0..3 × 32 channels, 8 heads, channels_div 2, norm and layer norm, max
 * pooling into one output; 6 node and 4 edge features as QM9 gives them. */
se3t_config se3t_qm9_config(fuse_level fuse, s3f_dtype dtype);

/* One batch as the model reads it. Index tensors i32; features in the
 * model's dtype; rel_pos f32 or f64 (cast as needed). */
typedef struct se3t_input {
    int64_t num_graphs, num_nodes, num_edges;
    s3f_tensor *rel_pos; /* (E, 3): pos[dst] - pos[src] */
    s3f_tensor *src, *dst, *in_offsets, *node_offsets;
    feats node;                     /* (N, C, 2d+1) */
    feats edge;                     /* d[0]: (E, C, 1) invariant; d > 0 equivariant */
    const s3f_tensor *packed_basis; /* (E, W) f32 from s3f_basis_pack, or NULL */
} se3t_input;

typedef struct se3t_output {
    feats nodes;        /* return_type -1: every output degree per node */
    s3f_tensor *pooled; /* pooling: (B, C) for degree 0, (B, C, 2d+1) otherwise */
    s3f_tensor *pred;   /* output_dim > 0: (B, output_dim) */
} se3t_output;

/* The input of a collated batch: its graph, its precomputed bases if any,
 * and its degree-0 node and edge features as (rows, F, 1) step tensors in
 * the model's dtype. */
s3f_status se3t_input_from_batch(const se3t_model *m, s3f_ctx_t *ctx, const s3f_graph_batch *b,
                                 se3t_input *in);

/* Checks the configuration (clear errors), declares every parameter under
 * the reference's names and initialises them from seed (SPEC §13). */
s3f_status se3t_create(const se3t_config *cfg, uint64_t seed, se3t_model **out);
void se3t_destroy(se3t_model *m);
s3f_status se3t_init_params(se3t_model *m, uint64_t seed);
s3f_status se3t_forward(const se3t_model *m, s3f_ctx_t *ctx, const se3t_input *in,
                        se3t_output *out);

/* The bases of SPEC §5.1 for the batch (computed, or unpacked from a packed
 * precomputed tensor), in `dtype`, unpadded; pairs beyond max_degree NULL. */
s3f_status se3t_bases(s3f_ctx_t *ctx, const se3t_input *in, int max_degree, s3f_dtype dtype,
                      const s3f_tensor *basis[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1]);

#endif
