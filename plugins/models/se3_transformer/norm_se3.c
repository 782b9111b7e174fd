/* norm_se3.c — NormSE3 (SPEC §9): an equivariant nonlinearity that acts on
 * the norm of each channel's vector and keeps its direction:
 *   n = max(||x||, 2^-24),  n' = ReLU(normalise(n)),  out = x / n · n'.
 * When every degree has the same channel count the norms of all degrees go
 * through one GroupNorm with a group per degree, as the reference does.
 * Otherwise each degree has its own LayerNorm; here that path computes
 * x / n · n' like the group path. The reference's version of that branch
 * swaps the arguments (n' / x · n) — a bug it never reaches for QM9 — and
 * se3flow deliberately does not copy it. */
#include <stdio.h>

#include "layers.h"

#define NORM_CLAMP 5.9604644775390625e-08 /* 2^-24, the reference's clamp */
#define NORM_EPS   1e-5

s3f_status norm_se3_declare(s3f_params_t *p, const char *prefix, const fiber *f, norm_se3 *n)
{
    *n = (norm_se3){.f = *f, .group = fiber_single_channels(f) > 0};
    char name[256];
    if (n->group) {
        int64_t total = 0;
        for (int d = 0; d <= TFN_MAX_DEGREE; d++) total += f->channels[d];
        snprintf(name, sizeof name, "%s.group_norm.weight", prefix);
        S3F_RETURN_IF_ERR(s3f_params_add(p, name, S3F_SHAPE(total), &n->gamma));
        snprintf(name, sizeof name, "%s.group_norm.bias", prefix);
        return s3f_params_add(p, name, S3F_SHAPE(total), &n->beta);
    }
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(f, d)) continue;
        snprintf(name, sizeof name, "%s.layer_norms.%d.weight", prefix, d);
        S3F_RETURN_IF_ERR(s3f_params_add(p, name, S3F_SHAPE(f->channels[d]), &n->ln_w[d]));
        snprintf(name, sizeof name, "%s.layer_norms.%d.bias", prefix, d);
        S3F_RETURN_IF_ERR(s3f_params_add(p, name, S3F_SHAPE(f->channels[d]), &n->ln_b[d]));
    }
    return S3F_OK;
}

/* out_d = x_d / n_d · n'_d with n, n' (rows, C) broadcast over components. */
static s3f_status rescale(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *n, s3f_tensor *n_new,
                          s3f_tensor **out)
{
    int64_t rows = x->shape.d[0], C = x->shape.d[1];
    s3f_tensor *t;
    S3F_RETURN_IF_ERR(s3f_reshape(ctx, n, S3F_SHAPE(rows, C, 1), &n));
    S3F_RETURN_IF_ERR(s3f_reshape(ctx, n_new, S3F_SHAPE(rows, C, 1), &n_new));
    S3F_RETURN_IF_ERR(s3f_div(ctx, x, n, &t));
    return s3f_mul(ctx, t, n_new, out);
}

static s3f_status group_path(s3f_ctx_t *ctx, const norm_se3 *n, const feats *x, feats *y)
{
    s3f_tensor *norms[TFN_MAX_DEGREE + 1], *cat, *parts[TFN_MAX_DEGREE + 1];
    int degs[TFN_MAX_DEGREE + 1], k = 0;
    int64_t sizes[TFN_MAX_DEGREE + 1];
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&n->f, d)) continue;
        S3F_RETURN_IF_ERR(s3f_vector_norm(ctx, x->d[d], NORM_CLAMP, false, &norms[k]));
        degs[k] = d;
        sizes[k++] = n->f.channels[d];
    }
    if (k == 1)
        cat = norms[0];
    else
        S3F_RETURN_IF_ERR(s3f_concat(ctx, k, norms, 1, &cat));
    S3F_RETURN_IF_ERR(s3f_group_norm(ctx, cat, k, n->gamma, n->beta, NORM_EPS, &cat));
    S3F_RETURN_IF_ERR(s3f_relu(ctx, cat, &cat));
    if (k == 1)
        parts[0] = cat;
    else
        S3F_RETURN_IF_ERR(s3f_split(ctx, cat, 1, k, sizes, parts));
    for (int i = 0; i < k; i++)
        S3F_RETURN_IF_ERR(rescale(ctx, x->d[degs[i]], norms[i], parts[i], &y->d[degs[i]]));
    return S3F_OK;
}

static s3f_status layer_path(s3f_ctx_t *ctx, const norm_se3 *n, const feats *x, feats *y)
{
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(&n->f, d)) continue;
        s3f_tensor *norm, *n_new;
        S3F_RETURN_IF_ERR(s3f_vector_norm(ctx, x->d[d], NORM_CLAMP, false, &norm));
        S3F_RETURN_IF_ERR(s3f_layer_norm(ctx, norm, n->ln_w[d], n->ln_b[d], NORM_EPS, &n_new));
        S3F_RETURN_IF_ERR(s3f_relu(ctx, n_new, &n_new));
        S3F_RETURN_IF_ERR(rescale(ctx, x->d[d], norm, n_new, &y->d[d]));
    }
    return S3F_OK;
}

s3f_status norm_se3_forward(s3f_ctx_t *ctx, const norm_se3 *n, const feats *x, feats *y)
{
    feats r = {{NULL}};
    S3F_RETURN_IF_ERR(n->group ? group_path(ctx, n, x, &r) : layer_path(ctx, n, x, &r));
    *y = r;
    return S3F_OK;
}
