/* layers.h — the SE(3)-Transformer's building blocks (SPEC §6-§10), each
 * declared into a parameter set under the reference's names and run with
 * core ops plus the fused TFN convolution (tfn_conv.h).
 *
 * Every layer has a declare function (makes its parameters, named
 * `<prefix>.<reference suffix>`) and a forward function (records on the
 * context's tape). Feature tensors are per degree, (rows, channels, 2d+1). */
#ifndef SE3T_LAYERS_H
#define SE3T_LAYERS_H

#include "fiber.h"

#define SE3T_RADIAL_HIDDEN 32 /* the radial networks' middle width (SPEC §6) */

/* What every layer of one forward pass shares: the batch's graph, the
 * radial networks' input, the bases. Built once per forward (model.c). */
typedef struct se3t_graph {
    int64_t num_nodes, num_edges, num_graphs;
    s3f_tensor *src, *dst;    /* (E) i32 */
    s3f_tensor *in_offsets;   /* (N+1) i32: incoming edges of each node (edges sorted by dst) */
    s3f_tensor *node_offsets; /* (B+1) i32 */
    s3f_tensor *edge_inv;     /* (E, edge_dim): [degree-0 edge features, |rel_pos|] */
    s3f_tensor *in_degree;    /* (N, 1, 1): incoming edges per node, model dtype */
    feats edge_feats;         /* degree > 0 edge features (E, C, 2d+1); d[0] unused */
    const s3f_tensor *basis[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1]; /* per pair, unpadded */
} se3t_graph;

/* The fusion level a model asks for; each convolution takes the highest
 * its fibers allow (SPEC §7.3). */
typedef enum fuse_level { FUSE_NONE = 0, FUSE_PARTIAL = 1, FUSE_FULL = 2 } fuse_level;

/* ---- radial profile (SPEC §6) ---- */
typedef struct radial_net {
    bool layer_norm;
    s3f_tensor *w0, *b0, *ln0_w, *ln0_b, *w1, *b1, *ln1_w, *ln1_b;
    s3f_tensor *w_out; /* (rows, 32), bias-free */
} radial_net;

s3f_status radial_declare(s3f_params_t *p, const char *prefix, int edge_dim, int64_t rows,
                          bool layer_norm, radial_net *out);
/* z (E, 32): everything before the last layer, which tfn_conv applies. */
s3f_status radial_hidden(s3f_ctx_t *ctx, const radial_net *net, s3f_tensor *edge_inv,
                         s3f_tensor **z);

/* ---- TFN convolution (SPEC §7) ---- */
typedef enum conv_mode { CONV_PAIRWISE, CONV_PARTIAL_OUT, CONV_PARTIAL_IN, CONV_FULL } conv_mode;

typedef struct conv_se3 {
    fiber in, out, edge; /* edge: degree > 0 edge channels joined to the input */
    int max_degree;
    conv_mode mode;
    bool self_interaction, pool, keep_radial;
    int nblocks;
    radial_net net[TFN_MAX_BLOCKS];
    tfn_block block[TFN_MAX_BLOCKS];        /* block i uses net[i].w_out */
    s3f_tensor *self_w[TFN_MAX_DEGREE + 1]; /* to_kernel_self.<d>: (C_out, C_in) */
} conv_se3;

/* The mode SPEC §7.3 picks for these fibers at the requested level. */
conv_mode conv_choose_mode(const fiber *in, const fiber *out, const fiber *edge, int max_degree,
                           fuse_level level);
/* edge_dim: radial input width (degree-0 edge features + 1). */
s3f_status conv_declare(s3f_params_t *p, const char *prefix, const fiber *in, const fiber *out,
                        const fiber *edge, int edge_dim, int max_degree, fuse_level level,
                        bool self_interaction, bool pool, bool layer_norm, bool low_memory,
                        conv_se3 *out_conv);
/* out: per-edge messages (pool off) or sums over incoming edges (pool on). */
s3f_status conv_forward(s3f_ctx_t *ctx, const conv_se3 *c, const se3t_graph *g, const feats *h,
                        feats *out);

/* ---- LinearSE3 (SPEC §10): out_d = W_d · x_d, no bias ---- */
typedef struct linear_se3 {
    fiber in, out;
    s3f_tensor *w[TFN_MAX_DEGREE + 1]; /* weights.<d>: (out[d], in[d]) */
} linear_se3;

s3f_status linear_se3_declare(s3f_params_t *p, const char *prefix, const fiber *in,
                              const fiber *out, linear_se3 *l);
s3f_status linear_se3_forward(s3f_ctx_t *ctx, const linear_se3 *l, const feats *x, feats *y);

/* ---- NormSE3 (SPEC §9) ---- */
typedef struct norm_se3 {
    fiber f;
    bool group;               /* all degrees share a channel count: the group-norm path */
    s3f_tensor *gamma, *beta; /* group_norm.weight / .bias */
    s3f_tensor *ln_w[TFN_MAX_DEGREE + 1], *ln_b[TFN_MAX_DEGREE + 1]; /* layer_norms.<d> */
} norm_se3;

s3f_status norm_se3_declare(s3f_params_t *p, const char *prefix, const fiber *f, norm_se3 *n);
s3f_status norm_se3_forward(s3f_ctx_t *ctx, const norm_se3 *n, const feats *x, feats *y);

/* ---- attention block (SPEC §8) ---- */
typedef struct attention_se3 {
    fiber in, out, value, key;
    int heads;
    conv_se3 to_key_value;
    linear_se3 to_query, project;
} attention_se3;

s3f_status attention_declare(s3f_params_t *p, const char *prefix, const fiber *in, const fiber *out,
                             const fiber *edge, int edge_dim, int heads, int channels_div,
                             int max_degree, fuse_level level, bool layer_norm, bool low_memory,
                             attention_se3 *a);
s3f_status attention_forward(s3f_ctx_t *ctx, const attention_se3 *a, const se3t_graph *g,
                             const feats *h, feats *out);

#endif
