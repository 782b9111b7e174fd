/* conv.c — ConvSE3 (SPEC §7): per-edge TFN messages from the source node's
 * features, optionally summed over each node's incoming edges, plus the
 * self-interaction of the destination node. The fusion mode decides how
 * the frequencies are grouped into radial networks (tfn_conv.h "blocks")
 * and so the parameter names; the arithmetic is the same for all. */
#include <stdio.h>

#include "layers.h"

/* Input channels of degree d with the edge features joined to it. */
static int in_channels(const fiber *in, const fiber *edge, int d)
{
    return in->channels[d] + (d > 0 && in->channels[d] ? edge->channels[d] : 0);
}

conv_mode conv_choose_mode(const fiber *in, const fiber *out, const fiber *edge, int max_degree,
                           fuse_level level)
{
    fiber joined = *in;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) joined.channels[d] = in_channels(in, edge, d);
    bool in_single = fiber_single_channels(&joined) > 0,
         out_single = fiber_single_channels(out) > 0;
    bool in_full = fiber_is_full(in, max_degree), out_full = fiber_is_full(out, max_degree);
    if (level >= FUSE_FULL && in_single && in_full && out_single && out_full) return CONV_FULL;
    if (level >= FUSE_PARTIAL && in_single && in_full) return CONV_PARTIAL_OUT;
    if (level >= FUSE_PARTIAL && out_single && out_full) return CONV_PARTIAL_IN;
    return CONV_PAIRWISE;
}

/* Appends the frequencies of pair (d_in, d_out) to block b. */
static void add_pair(tfn_block *b, int d_in, int d_out, bool pairwise)
{
    int F = s3f_basis_num_freq(d_in, d_out);
    for (int f = 0; f < F; f++)
        b->freq[b->nfreq++] = (tfn_freq){.d_in = (int8_t)d_in,
                                         .d_out = (int8_t)d_out,
                                         .f_pair = (int8_t)f,
                                         .unit = pairwise && d_in == 0 && d_out == 0};
}

/* Declares block i's radial network as `<prefix>.<name>` once its
 * frequencies and channels are set. */
static s3f_status finish_block(s3f_params_t *p, conv_se3 *c, const char *prefix, const char *name,
                               int edge_dim, bool layer_norm)
{
    tfn_block *b = &c->block[c->nblocks];
    char full[256];
    snprintf(full, sizeof full, "%s.%s", prefix, name);
    int64_t rows = (int64_t)b->c_out * b->c_in * b->nfreq;
    S3F_RETURN_IF_ERR(radial_declare(p, full, edge_dim, rows, layer_norm, &c->net[c->nblocks]));
    b->radial_w = c->net[c->nblocks].w_out;
    b->z_col = c->nblocks * SE3T_RADIAL_HIDDEN;
    c->nblocks++;
    return S3F_OK;
}

static s3f_status declare_blocks(s3f_params_t *p, conv_se3 *c, const char *prefix, int edge_dim,
                                 bool ln)
{
    const int D = c->max_degree;
    char name[64];
    const int c_in = in_channels(&c->in, &c->edge, D); /* FULL, PARTIAL_OUT: all equal */
    const int c_out = fiber_single_channels(&c->out);
    switch (c->mode) {
    case CONV_FULL:
        c->block[0] = (tfn_block){.c_in = c_in, .c_out = c_out};
        for (int dout = 0; dout <= D; dout++)
            for (int din = 0; din <= D; din++) add_pair(&c->block[0], din, dout, false);
        return finish_block(p, c, prefix, "conv", edge_dim, ln);
    case CONV_PARTIAL_OUT:
        for (int dout = 0; dout <= TFN_MAX_DEGREE; dout++) {
            if (!fiber_has(&c->out, dout)) continue;
            tfn_block *b = &c->block[c->nblocks];
            *b = (tfn_block){.c_in = c_in, .c_out = c->out.channels[dout]};
            for (int din = 0; din <= D; din++) add_pair(b, din, dout, false);
            snprintf(name, sizeof name, "conv_out.%d", dout);
            S3F_RETURN_IF_ERR(finish_block(p, c, prefix, name, edge_dim, ln));
        }
        return S3F_OK;
    case CONV_PARTIAL_IN:
        for (int din = 0; din <= TFN_MAX_DEGREE; din++) {
            if (!fiber_has(&c->in, din)) continue;
            tfn_block *b = &c->block[c->nblocks];
            *b = (tfn_block){.c_in = in_channels(&c->in, &c->edge, din), .c_out = c_out};
            for (int dout = 0; dout <= D; dout++) add_pair(b, din, dout, false);
            snprintf(name, sizeof name, "conv_in.%d", din);
            S3F_RETURN_IF_ERR(finish_block(p, c, prefix, name, edge_dim, ln));
        }
        return S3F_OK;
    case CONV_PAIRWISE: {
        int ins[TFN_MAX_DEGREE + 1], outs[TFN_MAX_DEGREE + 1];
        int ni = fiber_record_order(&c->in, ins), no = fiber_record_order(&c->out, outs);
        for (int a = 0; a < ni; a++)
            for (int b = 0; b < no; b++) {
                tfn_block *blk = &c->block[c->nblocks];
                *blk = (tfn_block){.c_in = in_channels(&c->in, &c->edge, ins[a]),
                                   .c_out = c->out.channels[outs[b]]};
                add_pair(blk, ins[a], outs[b], true);
                snprintf(name, sizeof name, "conv.%d,%d", ins[a], outs[b]);
                S3F_RETURN_IF_ERR(finish_block(p, c, prefix, name, edge_dim, ln));
            }
        return S3F_OK;
    }
    }
    return s3f_fail(S3F_ERR_ARG, "conv: unknown mode");
}

s3f_status conv_declare(s3f_params_t *p, const char *prefix, const fiber *in, const fiber *out,
                        const fiber *edge, int edge_dim, int max_degree, fuse_level level,
                        bool self_interaction, bool pool, bool layer_norm, conv_se3 *c)
{
    *c = (conv_se3){
        .in = *in,
        .out = *out,
        .edge = *edge,
        .max_degree = max_degree,
        .self_interaction = self_interaction,
        .pool = pool,
    };
    c->mode = conv_choose_mode(in, out, edge, max_degree, level);
    S3F_RETURN_IF_ERR(declare_blocks(p, c, prefix, edge_dim, layer_norm));
    if (!self_interaction) return S3F_OK;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(out, d) || !fiber_has(in, d)) continue;
        char name[256];
        snprintf(name, sizeof name, "%s.to_kernel_self.%d", prefix, d);
        S3F_RETURN_IF_ERR(
            s3f_params_add(p, name, S3F_SHAPE(out->channels[d], in->channels[d]), &c->self_w[d]));
    }
    return S3F_OK;
}

/* x (E, x_width): every input degree of the source node, with its edge
 * features joined, flattened and side by side in ascending degree. */
static s3f_status edge_inputs(s3f_ctx_t *ctx, const conv_se3 *c, const se3t_graph *g,
                              const feats *h, tfn_conv_desc *desc, s3f_tensor **x)
{
    s3f_tensor *parts[TFN_MAX_DEGREE + 1];
    int n = 0, width = 0;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&c->in, d)) continue;
        s3f_tensor *t;
        S3F_RETURN_IF_ERR(s3f_gather_rows(ctx, h->d[d], g->src, &t));
        if (d > 0 && c->edge.channels[d]) {
            s3f_tensor *pair[2] = {t, g->edge_feats.d[d]};
            S3F_RETURN_IF_ERR(s3f_concat(ctx, 2, pair, 1, &t));
        }
        int cin = in_channels(&c->in, &c->edge, d);
        S3F_RETURN_IF_ERR(s3f_reshape(ctx, t, S3F_SHAPE(g->num_edges, cin * (2 * d + 1)), &t));
        desc->x_off[d] = width;
        desc->c_in[d] = cin;
        width += cin * (2 * d + 1);
        parts[n++] = t;
    }
    desc->x_width = width;
    if (n == 1) {
        *x = parts[0];
        return S3F_OK;
    }
    return s3f_concat(ctx, n, parts, 1, x);
}

static s3f_status radial_inputs(s3f_ctx_t *ctx, const conv_se3 *c, const se3t_graph *g,
                                s3f_tensor **z)
{
    s3f_tensor *parts[TFN_MAX_BLOCKS];
    for (int i = 0; i < c->nblocks; i++)
        S3F_RETURN_IF_ERR(radial_hidden(ctx, &c->net[i], g->edge_inv, &parts[i]));
    if (c->nblocks == 1) {
        *z = parts[0];
        return S3F_OK;
    }
    return s3f_concat(ctx, c->nblocks, parts, 1, z);
}

static void output_layout(const conv_se3 *c, tfn_conv_desc *desc)
{
    int width = 0;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&c->out, d)) continue;
        desc->y_off[d] = width;
        desc->c_out[d] = c->out.channels[d];
        width += c->out.channels[d] * (2 * d + 1);
    }
    desc->y_width = width;
}

/* out_d += W_self,d · h_d[dst] per edge; summed over edges that is
 * in-degree × W_self,d · h_d (SPEC §7.1). */
static s3f_status self_interaction(s3f_ctx_t *ctx, const conv_se3 *c, const se3t_graph *g,
                                   const feats *h, feats *out)
{
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!c->self_w[d]) continue;
        s3f_tensor *s;
        S3F_RETURN_IF_ERR(s3f_matmul(ctx, c->self_w[d], h->d[d], false, false, &s));
        if (c->pool)
            S3F_RETURN_IF_ERR(s3f_mul(ctx, s, g->in_degree, &s));
        else
            S3F_RETURN_IF_ERR(s3f_gather_rows(ctx, s, g->dst, &s));
        S3F_RETURN_IF_ERR(s3f_add(ctx, out->d[d], s, &out->d[d]));
    }
    return S3F_OK;
}

s3f_status conv_forward(s3f_ctx_t *ctx, const conv_se3 *c, const se3t_graph *g, const feats *h,
                        feats *out)
{
    /* on the stack: tfn_conv keeps its own copy for backward */
    tfn_conv_desc local = {
        .max_degree = c->max_degree, .hidden = SE3T_RADIAL_HIDDEN, .nblocks = c->nblocks};
    tfn_conv_desc *desc = &local;
    for (int i = 0; i < c->nblocks; i++) desc->block[i] = c->block[i];
    for (int a = 0; a <= c->max_degree; a++)
        for (int b = 0; b <= c->max_degree; b++) desc->basis[a][b] = g->basis[a][b];
    s3f_tensor *x, *z, *y;
    S3F_RETURN_IF_ERR(edge_inputs(ctx, c, g, h, desc, &x));
    S3F_RETURN_IF_ERR(radial_inputs(ctx, c, g, &z));
    output_layout(c, desc);
    S3F_RETURN_IF_ERR(tfn_conv(ctx, desc, x, z, &y));
    if (c->pool) S3F_RETURN_IF_ERR(s3f_segment_sum(ctx, y, g->in_offsets, &y));
    int64_t rows = y->shape.d[0];
    int n = 0;
    int64_t sizes[TFN_MAX_DEGREE + 1];
    int degs[TFN_MAX_DEGREE + 1];
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if (fiber_has(&c->out, d)) {
            degs[n] = d;
            sizes[n++] = (int64_t)c->out.channels[d] * (2 * d + 1);
        }
    s3f_tensor *parts[TFN_MAX_DEGREE + 1];
    if (n == 1)
        parts[0] = y;
    else
        S3F_RETURN_IF_ERR(s3f_split(ctx, y, 1, n, sizes, parts));
    feats r = {{NULL}}; /* out may alias h */
    for (int i = 0; i < n; i++)
        S3F_RETURN_IF_ERR(s3f_reshape(ctx, parts[i],
                                      S3F_SHAPE(rows, c->out.channels[degs[i]], 2 * degs[i] + 1),
                                      &r.d[degs[i]]));
    if (c->self_interaction) S3F_RETURN_IF_ERR(self_interaction(ctx, c, g, h, &r));
    *out = r;
    return S3F_OK;
}
