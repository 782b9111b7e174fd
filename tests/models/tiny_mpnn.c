/* tiny_mpnn.c — `tiny_mpnn`, a small message-passing model plugin built only
 * from core ops, for testing the host and the training runtime without the
 * SE(3)-Transformer. It is rotation-invariant (it sees distances, not
 * directions) and learns for real:
 *
 *   h     = relu(embed(x))                                   (N, H)
 *   repeat `layers` times:
 *     m   = relu(from_src(h[src]) + from_edge(e) + from_dist(|r|))   (E, H)
 *     h   = h + sum of m over each node's incoming edges      (N, H)
 *   y     = head(sum over each molecule's nodes of relu(node(h)))    (B, T)
 *
 * Parameters are f32 (or f64 with the option dtype=f64), initialised
 * uniformly in +-1/sqrt(fan_in) from the seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <se3flow/se3flow.h>

typedef struct mpnn_options {
    int64_t hidden;
    int64_t layers;
    const char *dtype;
} mpnn_options;

static const char *const k_dtypes[] = {"f32", "f64", NULL};

static const s3f_option k_options[] = {
    S3F_OPT_INT("hidden", mpnn_options, hidden, "32", 1, 4096, "hidden channels"),
    S3F_OPT_INT("layers", mpnn_options, layers, "2", 0, 16, "message-passing layers"),
    S3F_OPT_CHOICE("dtype", mpnn_options, dtype, "f32", k_dtypes, "parameter precision"),
    S3F_OPT_END,
};

typedef struct linear_p {
    s3f_tensor *w, *b; /* (out, in), (out) */
} linear_p;

typedef struct mpnn {
    mpnn_options opt;
    s3f_params_t *params;
    linear_p embed, node, head;
    linear_p from_src[16], from_edge[16], from_dist[16];
} mpnn;

static s3f_status declare(s3f_params_t *p, const char *name, int64_t out, int64_t in, linear_p *l)
{
    char key[128];
    snprintf(key, sizeof key, "%s.weight", name);
    S3F_RETURN_IF_ERR(s3f_params_add(p, key, S3F_SHAPE(out, in), &l->w));
    snprintf(key, sizeof key, "%s.bias", name);
    return s3f_params_add(p, key, S3F_SHAPE(out), &l->b);
}

static s3f_status declare_all(mpnn *m, const s3f_dataset_desc *d)
{
    int64_t H = m->opt.hidden;
    S3F_RETURN_IF_ERR(declare(m->params, "embed", H, d->layout.node_features, &m->embed));
    for (int k = 0; k < m->opt.layers; k++) {
        char name[64];
        snprintf(name, sizeof name, "layers.%d.from_src", k);
        S3F_RETURN_IF_ERR(declare(m->params, name, H, H, &m->from_src[k]));
        snprintf(name, sizeof name, "layers.%d.from_edge", k);
        S3F_RETURN_IF_ERR(declare(m->params, name, H, d->layout.edge_features, &m->from_edge[k]));
        snprintf(name, sizeof name, "layers.%d.from_dist", k);
        S3F_RETURN_IF_ERR(declare(m->params, name, H, 1, &m->from_dist[k]));
    }
    S3F_RETURN_IF_ERR(declare(m->params, "node", H, H, &m->node));
    return declare(m->params, "head", d->layout.targets, H, &m->head);
}

static s3f_status initialise(mpnn *m, uint64_t seed)
{
    s3f_rng rng = s3f_rng_make(seed);
    for (int i = 0; i < s3f_params_count(m->params); i++) {
        s3f_tensor *t = s3f_params_at(m->params, i);
        const char *name = t->name;
        /* bias k shares its weight's fan-in: the weight is declared just before */
        s3f_tensor *w = strstr(name, ".bias") ? s3f_params_at(m->params, i - 1) : t;
        double bound = 1 / sqrt((double)(w->shape.d[1] ? w->shape.d[1] : 1));
        S3F_RETURN_IF_ERR(s3f_tensor_fill_uniform(t, &rng, -bound, bound));
    }
    return S3F_OK;
}

static void mpnn_destroy(void *state)
{
    mpnn *m = state;
    if (!m) return;
    s3f_params_destroy(m->params);
    free(m);
}

static s3f_status mpnn_create(const void *options, const s3f_dataset_desc *data, s3f_device device,
                              uint64_t seed, void **out)
{
    if (device != S3F_CPU) return s3f_fail(S3F_ERR_DEVICE, "tiny_mpnn runs on the CPU only");
    mpnn *m = calloc(1, sizeof *m);
    if (!m) return s3f_fail(S3F_ERR_NOMEM, "tiny_mpnn: out of memory");
    m->opt = *(const mpnn_options *)options;
    s3f_status rc = s3f_params_create(strcmp(m->opt.dtype, "f64") ? S3F_F32 : S3F_F64, &m->params);
    if (rc == S3F_OK) rc = declare_all(m, data);
    if (rc == S3F_OK) rc = s3f_params_finalize(m->params);
    if (rc == S3F_OK) rc = initialise(m, seed);
    if (rc != S3F_OK)
        mpnn_destroy(m);
    else
        *out = m;
    return rc;
}

static s3f_params_t *mpnn_params(void *state)
{
    return ((mpnn *)state)->params;
}

/* A batch tensor (f32) in the parameters' dtype, as a step tensor. */
static s3f_status as_dtype(s3f_ctx_t *ctx, const s3f_tensor *t, s3f_dtype dtype, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dtype, t->shape, out));
    return s3f_tensor_cast(*out, t);
}

static s3f_status message_pass(const mpnn *m, s3f_ctx_t *ctx, const s3f_graph_batch *g, int k,
                               s3f_tensor *edge, s3f_tensor *dist, s3f_tensor **h)
{
    s3f_tensor *hs, *a, *b, *c, *msg, *agg;
    S3F_RETURN_IF_ERR(s3f_gather_rows(ctx, *h, g->src, &hs));
    S3F_RETURN_IF_ERR(s3f_linear(ctx, hs, m->from_src[k].w, m->from_src[k].b, &a));
    S3F_RETURN_IF_ERR(s3f_linear(ctx, edge, m->from_edge[k].w, m->from_edge[k].b, &b));
    S3F_RETURN_IF_ERR(s3f_linear(ctx, dist, m->from_dist[k].w, m->from_dist[k].b, &c));
    S3F_RETURN_IF_ERR(s3f_add(ctx, a, b, &msg));
    S3F_RETURN_IF_ERR(s3f_add(ctx, msg, c, &msg));
    S3F_RETURN_IF_ERR(s3f_relu(ctx, msg, &msg));
    S3F_RETURN_IF_ERR(s3f_segment_sum(ctx, msg, g->in_offsets, &agg));
    return s3f_add(ctx, *h, agg, h);
}

static s3f_status mpnn_forward(void *state, s3f_ctx_t *ctx, const s3f_graph_batch *g,
                               s3f_tensor **out)
{
    const mpnn *m = state;
    s3f_dtype dt = s3f_params_values(m->params)->dtype;
    s3f_tensor *x, *edge, *rel, *dist, *h, *pooled;
    S3F_RETURN_IF_ERR(as_dtype(ctx, g->node_features, dt, &x));
    S3F_RETURN_IF_ERR(as_dtype(ctx, g->edge_features, dt, &edge));
    S3F_RETURN_IF_ERR(as_dtype(ctx, g->rel_pos, dt, &rel));
    S3F_RETURN_IF_ERR(s3f_vector_norm(ctx, rel, 1e-9, true, &dist));
    S3F_RETURN_IF_ERR(s3f_linear(ctx, x, m->embed.w, m->embed.b, &h));
    S3F_RETURN_IF_ERR(s3f_relu(ctx, h, &h));
    for (int k = 0; k < m->opt.layers; k++)
        S3F_RETURN_IF_ERR(message_pass(m, ctx, g, k, edge, dist, &h));
    S3F_RETURN_IF_ERR(s3f_linear(ctx, h, m->node.w, m->node.b, &h));
    S3F_RETURN_IF_ERR(s3f_relu(ctx, h, &h));
    S3F_RETURN_IF_ERR(s3f_segment_sum(ctx, h, g->node_offsets, &pooled));
    return s3f_linear(ctx, pooled, m->head.w, m->head.b, out);
}

static const s3f_model_i k_functions = {
    .create = mpnn_create, .params = mpnn_params, .forward = mpnn_forward, .destroy = mpnn_destroy};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_MODEL,
    .name = "tiny_mpnn",
    .version = "1.0.0",
    .summary = "a small invariant message-passing network from core ops (for tests)",
    .options = k_options,
    .options_size = sizeof(mpnn_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
