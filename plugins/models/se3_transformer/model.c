/* model.c — SE3Transformer and SE3TransformerPooled (SPEC §11): num_layers
 * × [attention block, NormSE3], a final convolution with self-interaction
 * summed over incoming edges, graph pooling, and the MLP head. */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "scratch.h"

static s3f_status check_config(const se3t_config *c)
{
    if (c->num_layers < 1 || c->num_heads < 1 || c->channels_div < 1)
        return s3f_fail(S3F_ERR_ARG, "se3_transformer: num_layers, num_heads and channels_div "
                                     "must be at least 1");
    if (fiber_max_degree(&c->in) < 0 || fiber_max_degree(&c->hidden) < 0 ||
        fiber_max_degree(&c->out) < 0)
        return s3f_fail(S3F_ERR_ARG, "se3_transformer: input, hidden and output fibers must not "
                                     "be empty");
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        int ch = c->hidden.channels[d], div = c->channels_div * c->num_heads;
        if (ch && (ch % c->channels_div || (ch / c->channels_div) % c->num_heads))
            return s3f_fail(S3F_ERR_ARG,
                            "se3_transformer: num_channels (%d) must be divisible by num_heads × "
                            "channels_div (%d × %d = %d)",
                            ch, c->num_heads, c->channels_div, div);
    }
    if (c->pooling == SE3T_POOL_MAX && c->return_type != 0)
        return s3f_fail(S3F_ERR_ARG,
                        "se3_transformer: max pooling is only defined for degree 0 "
                        "(use mean pooling for degree %d)",
                        c->return_type);
    if (c->pooling != SE3T_POOL_NONE && !fiber_has(&c->out, c->return_type))
        return s3f_fail(S3F_ERR_ARG, "se3_transformer: pooled degree %d is not an output degree",
                        c->return_type);
    if (c->output_dim > 0 && (c->pooling == SE3T_POOL_NONE || c->return_type != 0))
        return s3f_fail(S3F_ERR_ARG, "se3_transformer: the MLP head needs pooled degree-0 "
                                     "features");
    return S3F_OK;
}

static int max_degree_of(const se3t_config *c)
{
    int m = fiber_max_degree(&c->in);
    if (fiber_max_degree(&c->hidden) > m) m = fiber_max_degree(&c->hidden);
    if (fiber_max_degree(&c->out) > m) m = fiber_max_degree(&c->out);
    return m;
}

static s3f_status declare_head(se3t_model *m)
{
    int64_t F = fiber_num_features(&m->cfg.out), T = m->cfg.output_dim;
    S3F_RETURN_IF_ERR(s3f_params_add(m->params, "mlp.0.weight", S3F_SHAPE(F, F), &m->mlp_w0));
    S3F_RETURN_IF_ERR(s3f_params_add(m->params, "mlp.0.bias", S3F_SHAPE(F), &m->mlp_b0));
    S3F_RETURN_IF_ERR(s3f_params_add(m->params, "mlp.2.weight", S3F_SHAPE(T, F), &m->mlp_w2));
    return s3f_params_add(m->params, "mlp.2.bias", S3F_SHAPE(T), &m->mlp_b2);
}

/* Module i of the reference's graph_modules Sequential. */
static void module_name(const se3t_model *m, int index, char *buf, size_t size)
{
    snprintf(buf, size, "%sgraph_modules.%d", m->cfg.output_dim > 0 ? "transformer." : "", index);
}

static s3f_status declare_all(se3t_model *m)
{
    const se3t_config *c = &m->cfg;
    const int edge_dim = c->edge.channels[0] + 1, step = c->norm ? 2 : 1;
    char name[128];
    for (int i = 0; i < c->num_layers; i++) {
        module_name(m, step * i, name, sizeof name);
        S3F_RETURN_IF_ERR(attention_declare(m->params, name, i == 0 ? &c->in : &c->hidden,
                                            &c->hidden, &c->edge, edge_dim, c->num_heads,
                                            c->channels_div, m->max_degree, c->fuse,
                                            c->use_layer_norm, &m->attention[i]));
        if (!c->norm) continue;
        module_name(m, step * i + 1, name, sizeof name);
        S3F_RETURN_IF_ERR(norm_se3_declare(m->params, name, &c->hidden, &m->norm[i]));
    }
    module_name(m, step * c->num_layers, name, sizeof name);
    S3F_RETURN_IF_ERR(conv_declare(m->params, name, &c->hidden, &c->out, &c->edge, edge_dim,
                                   m->max_degree, c->fuse, true, true, c->use_layer_norm,
                                   &m->final_conv));
    return c->output_dim > 0 ? declare_head(m) : S3F_OK;
}

void se3t_destroy(se3t_model *m)
{
    if (!m) return;
    s3f_params_destroy(m->params);
    free(m->attention);
    free(m->norm);
    free(m);
    scratch_release();
}

s3f_status se3t_create(const se3t_config *cfg, uint64_t seed, se3t_model **out)
{
    S3F_RETURN_IF_ERR(check_config(cfg));
    se3t_model *m = calloc(1, sizeof *m);
    if (!m) return s3f_fail(S3F_ERR_NOMEM, "se3_transformer: out of memory");
    m->cfg = *cfg;
    m->max_degree = max_degree_of(cfg);
    m->attention = calloc((size_t)cfg->num_layers, sizeof *m->attention);
    m->norm = calloc((size_t)cfg->num_layers, sizeof *m->norm);
    s3f_status rc = m->attention && m->norm
                        ? S3F_OK
                        : s3f_fail(S3F_ERR_NOMEM, "se3_transformer: out of memory");
    if (rc == S3F_OK && m->max_degree > TFN_MAX_DEGREE)
        rc = s3f_fail(S3F_ERR_ARG, "se3_transformer: degrees above %d are not supported",
                      TFN_MAX_DEGREE);
    if (rc == S3F_OK) rc = s3f_params_create(cfg->dtype, &m->params);
    if (rc == S3F_OK) rc = declare_all(m);
    if (rc == S3F_OK) rc = s3f_params_finalize(m->params);
    if (rc == S3F_OK) rc = se3t_init_params(m, seed);
    if (rc != S3F_OK) {
        se3t_destroy(m);
        return rc;
    }
    *out = m;
    return S3F_OK;
}

/* A step tensor in the model's dtype holding t's values. */
se3t_config se3t_qm9_config(fuse_level fuse, s3f_dtype dtype)
{
    se3t_config c = {.num_layers = 7,
                     .num_heads = 8,
                     .channels_div = 2,
                     .norm = true,
                     .use_layer_norm = true,
                     .fuse = fuse,
                     .pooling = SE3T_POOL_MAX,
                     .return_type = 0,
                     .output_dim = 1,
                     .dtype = dtype};
    c.in.channels[0] = 6;
    c.edge.channels[0] = 4;
    c.hidden = fiber_uniform(4, 32);
    c.out.channels[0] = 128;
    return c;
}

static s3f_status in_dtype(s3f_ctx_t *ctx, s3f_tensor *t, s3f_dtype dtype, s3f_tensor **out)
{
    if (t->dtype == dtype) {
        *out = t;
        return S3F_OK;
    }
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dtype, t->shape, out));
    return s3f_tensor_cast(*out, t);
}

/* (rows, F) f32 batch columns as (rows, F, 1) in dtype. */
static s3f_status as_degree0(s3f_ctx_t *ctx, const s3f_tensor *t, s3f_dtype dtype, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(
        s3f_tensor_empty(ctx, dtype, S3F_SHAPE(t->shape.d[0], t->shape.d[1], 1), out));
    return s3f_tensor_cast(*out, t);
}

s3f_status se3t_input_from_batch(const se3t_model *m, s3f_ctx_t *ctx, const s3f_graph_batch *b,
                                 se3t_input *in)
{
    *in = (se3t_input){.num_graphs = b->num_graphs,
                       .num_nodes = b->num_nodes,
                       .num_edges = b->num_edges,
                       .rel_pos = b->rel_pos,
                       .src = b->src,
                       .dst = b->dst,
                       .in_offsets = b->in_offsets,
                       .node_offsets = b->node_offsets,
                       .packed_basis = b->edge_basis};
    S3F_RETURN_IF_ERR(as_degree0(ctx, b->node_features, m->cfg.dtype, &in->node.d[0]));
    if (m->cfg.edge.channels[0] > 0)
        S3F_RETURN_IF_ERR(as_degree0(ctx, b->edge_features, m->cfg.dtype, &in->edge.d[0]));
    return S3F_OK;
}

/* Radial inputs [invariant edge features, |rel_pos|] and in-degrees. */
static s3f_status graph_invariants(const se3t_model *m, s3f_ctx_t *ctx, const se3t_input *in,
                                   se3t_graph *g)
{
    const s3f_dtype dt = m->cfg.dtype;
    s3f_tensor *rel, *dist;
    S3F_RETURN_IF_ERR(in_dtype(ctx, in->rel_pos, dt, &rel));
    S3F_RETURN_IF_ERR(s3f_vector_norm(ctx, rel, 0, true, &dist));
    if (m->cfg.edge.channels[0] > 0) {
        s3f_tensor *e0, *parts[2];
        S3F_RETURN_IF_ERR(s3f_reshape(ctx, in->edge.d[0],
                                      S3F_SHAPE(in->num_edges, m->cfg.edge.channels[0]), &e0));
        parts[0] = e0;
        parts[1] = dist;
        S3F_RETURN_IF_ERR(s3f_concat(ctx, 2, parts, 1, &g->edge_inv));
    } else {
        g->edge_inv = dist;
    }
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dt, S3F_SHAPE(in->num_nodes, 1, 1), &g->in_degree));
    const int32_t *off = in->in_offsets->data;
    for (int64_t i = 0; i < in->num_nodes; i++)
        s3f_tensor_set(g->in_degree, i, (double)(off[i + 1] - off[i]));
    return S3F_OK;
}

static s3f_status check_input(const se3t_model *m, const se3t_input *in)
{
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        int c = m->cfg.in.channels[d];
        const s3f_tensor *t = in->node.d[d];
        if (!c) continue;
        if (!t || t->dtype != m->cfg.dtype || t->shape.ndim != 3 ||
            t->shape.d[0] != in->num_nodes || t->shape.d[1] != c || t->shape.d[2] != 2 * d + 1)
            return s3f_fail(S3F_ERR_SHAPE,
                            "se3_transformer: degree-%d node features must be "
                            "(%lld, %d, %d) %s",
                            d, (long long)in->num_nodes, c, 2 * d + 1,
                            s3f_dtype_name(m->cfg.dtype));
    }
    if (m->cfg.edge.channels[0] > 0 && !in->edge.d[0])
        return s3f_fail(S3F_ERR_SHAPE, "se3_transformer: the model expects %d edge features",
                        m->cfg.edge.channels[0]);
    return S3F_OK;
}

static s3f_status make_graph(const se3t_model *m, s3f_ctx_t *ctx, const se3t_input *in,
                             se3t_graph *g)
{
    *g = (se3t_graph){.num_nodes = in->num_nodes,
                      .num_edges = in->num_edges,
                      .num_graphs = in->num_graphs,
                      .src = in->src,
                      .dst = in->dst,
                      .in_offsets = in->in_offsets,
                      .node_offsets = in->node_offsets,
                      .edge_feats = in->edge};
    S3F_RETURN_IF_ERR(graph_invariants(m, ctx, in, g));
    return se3t_bases(ctx, in, m->max_degree, m->cfg.dtype, g->basis);
}

/* GPooling (SPEC §10) of degree return_type over each graph's nodes. */
static s3f_status pool(const se3t_model *m, s3f_ctx_t *ctx, const se3t_graph *g, const feats *h,
                       s3f_tensor **out)
{
    s3f_tensor *x = h->d[m->cfg.return_type], *y;
    int64_t C = x->shape.d[1], M = x->shape.d[2];
    S3F_RETURN_IF_ERR(s3f_reshape(ctx, x, S3F_SHAPE(g->num_nodes, C * M), &x));
    if (m->cfg.pooling == SE3T_POOL_MAX)
        S3F_RETURN_IF_ERR(s3f_segment_max(ctx, x, g->node_offsets, &y));
    else
        S3F_RETURN_IF_ERR(s3f_segment_mean(ctx, x, g->node_offsets, &y));
    if (M == 1) {
        *out = y;
        return S3F_OK;
    }
    return s3f_reshape(ctx, y, S3F_SHAPE(g->num_graphs, C, M), out);
}

static s3f_status head(const se3t_model *m, s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_linear(ctx, x, m->mlp_w0, m->mlp_b0, &x));
    S3F_RETURN_IF_ERR(s3f_relu(ctx, x, &x));
    return s3f_linear(ctx, x, m->mlp_w2, m->mlp_b2, out);
}

s3f_status se3t_forward(const se3t_model *m, s3f_ctx_t *ctx, const se3t_input *in, se3t_output *out)
{
    S3F_RETURN_IF_ERR(check_input(m, in));
    se3t_graph g;
    S3F_RETURN_IF_ERR(make_graph(m, ctx, in, &g));
    feats h = in->node;
    for (int i = 0; i < m->cfg.num_layers; i++) {
        S3F_RETURN_IF_ERR(attention_forward(ctx, &m->attention[i], &g, &h, &h));
        if (m->cfg.norm) S3F_RETURN_IF_ERR(norm_se3_forward(ctx, &m->norm[i], &h, &h));
    }
    S3F_RETURN_IF_ERR(conv_forward(ctx, &m->final_conv, &g, &h, &h));
    *out = (se3t_output){.nodes = h};
    if (m->cfg.pooling == SE3T_POOL_NONE) return S3F_OK;
    S3F_RETURN_IF_ERR(pool(m, ctx, &g, &h, &out->pooled));
    return m->cfg.output_dim > 0 ? head(m, ctx, out->pooled, &out->pred) : S3F_OK;
}
