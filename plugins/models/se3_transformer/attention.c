/* attention.c — AttentionBlockSE3 (SPEC §8): keys and values from one
 * convolution per edge (value = first half of each degree's channels, key =
 * second half), queries from a LinearSE3 of the destination node, a
 * per-head softmax over each node's incoming edges, the attention-weighted
 * sum of values, the node's input joined after it, and a bias-free
 * projection. */
#include <math.h>
#include <stdio.h>

#include "layers.h"

s3f_status attention_declare(s3f_params_t *p, const char *prefix, const fiber *in, const fiber *out,
                             const fiber *edge, int edge_dim, int heads, int channels_div,
                             int max_degree, fuse_level level, bool layer_norm, bool low_memory,
                             attention_se3 *a)
{
    *a = (attention_se3){.in = *in, .out = *out, .heads = heads};
    fiber kv = {{0}}, cat = {{0}};
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(out, d)) continue;
        a->value.channels[d] = out->channels[d] / channels_div;
        if (fiber_has(in, d)) a->key.channels[d] = a->value.channels[d];
        kv.channels[d] = a->value.channels[d] + a->key.channels[d];
        cat.channels[d] = a->value.channels[d] + in->channels[d];
        if (a->value.channels[d] % heads)
            return s3f_fail(S3F_ERR_ARG,
                            "%s: %d value channels of degree %d do not split into %d "
                            "heads",
                            prefix, a->value.channels[d], d, heads);
    }
    char name[256];
    snprintf(name, sizeof name, "%s.to_key_value", prefix);
    S3F_RETURN_IF_ERR(conv_declare(p, name, in, &kv, edge, edge_dim, max_degree, level, false,
                                   false, layer_norm, low_memory, &a->to_key_value));
    snprintf(name, sizeof name, "%s.to_query", prefix);
    S3F_RETURN_IF_ERR(linear_se3_declare(p, name, in, &a->key, &a->to_query));
    snprintf(name, sizeof name, "%s.project", prefix);
    return linear_se3_declare(p, name, &cat, out, &a->project);
}

/* (rows, C, 2d+1) viewed per head: (rows, H, C/H·(2d+1)). */
static s3f_status per_head(s3f_ctx_t *ctx, s3f_tensor *t, int heads, s3f_tensor **out)
{
    int64_t rows = t->shape.d[0], n = t->shape.d[1] * t->shape.d[2];
    return s3f_reshape(ctx, t, S3F_SHAPE(rows, heads, n / heads), out);
}

/* Attention weights (E, H): softmax over incoming edges of
 * <key_e, query_dst> / sqrt(total key features). */
static s3f_status attention_weights(s3f_ctx_t *ctx, const attention_se3 *a, const se3t_graph *g,
                                    const feats *key, const feats *query, s3f_tensor **alpha)
{
    s3f_tensor *logits = NULL;
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&a->key, d)) continue;
        s3f_tensor *q, *prod, *dot;
        S3F_RETURN_IF_ERR(s3f_gather_rows(ctx, query->d[d], g->dst, &q));
        S3F_RETURN_IF_ERR(s3f_mul(ctx, key->d[d], q, &prod));
        S3F_RETURN_IF_ERR(per_head(ctx, prod, a->heads, &prod));
        S3F_RETURN_IF_ERR(s3f_sum(ctx, prod, 2, false, &dot));
        if (logits)
            S3F_RETURN_IF_ERR(s3f_add(ctx, logits, dot, &logits));
        else
            logits = dot;
    }
    S3F_RETURN_IF_ERR(
        s3f_scale(ctx, logits, 1.0 / sqrt((double)fiber_num_features(&a->key)), &logits));
    return s3f_segment_softmax(ctx, logits, g->in_offsets, alpha);
}

/* z_d (N, C, 2d+1) = Σ over incoming edges of alpha (per head) · value_d. */
static s3f_status aggregate(s3f_ctx_t *ctx, const attention_se3 *a, const se3t_graph *g,
                            s3f_tensor *alpha, s3f_tensor *value, s3f_tensor **out)
{
    s3f_tensor *v, *w;
    S3F_RETURN_IF_ERR(per_head(ctx, value, a->heads, &v));
    S3F_RETURN_IF_ERR(s3f_reshape(ctx, alpha, S3F_SHAPE(g->num_edges, a->heads, 1), &w));
    S3F_RETURN_IF_ERR(s3f_mul(ctx, v, w, &v));
    S3F_RETURN_IF_ERR(s3f_segment_sum(ctx, v, g->in_offsets, &v));
    return s3f_reshape(ctx, v, S3F_SHAPE(g->num_nodes, value->shape.d[1], value->shape.d[2]), out);
}

/* kv_d = [value | key] along channels where the input has degree d. */
static s3f_status split_key_value(s3f_ctx_t *ctx, const attention_se3 *a, const feats *kv,
                                  feats *value, feats *key)
{
    *value = (feats){{NULL}};
    *key = (feats){{NULL}};
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&a->value, d)) continue;
        if (!fiber_has(&a->key, d)) {
            value->d[d] = kv->d[d];
            continue;
        }
        int64_t sizes[2] = {a->value.channels[d], a->key.channels[d]};
        s3f_tensor *parts[2];
        S3F_RETURN_IF_ERR(s3f_split(ctx, kv->d[d], 1, 2, sizes, parts));
        value->d[d] = parts[0];
        key->d[d] = parts[1];
    }
    return S3F_OK;
}

s3f_status attention_forward(s3f_ctx_t *ctx, const attention_se3 *a, const se3t_graph *g,
                             const feats *h, feats *out)
{
    feats kv, value, key, query, cat = {{NULL}};
    s3f_tensor *alpha;
    S3F_RETURN_IF_ERR(conv_forward(ctx, &a->to_key_value, g, h, &kv));
    S3F_RETURN_IF_ERR(split_key_value(ctx, a, &kv, &value, &key));
    S3F_RETURN_IF_ERR(linear_se3_forward(ctx, &a->to_query, h, &query));
    S3F_RETURN_IF_ERR(attention_weights(ctx, a, g, &key, &query, &alpha));
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&a->value, d)) continue;
        S3F_RETURN_IF_ERR(aggregate(ctx, a, g, alpha, value.d[d], &cat.d[d]));
        if (fiber_has(&a->in, d)) {
            s3f_tensor *pair[2] = {cat.d[d], h->d[d]};
            S3F_RETURN_IF_ERR(s3f_concat(ctx, 2, pair, 1, &cat.d[d]));
        }
    }
    return linear_se3_forward(ctx, &a->project, &cat, out);
}
