/* radial.c — the radial profile network (SPEC §6): Linear(edge_dim, 32),
 * [LayerNorm], ReLU, Linear(32, 32), [LayerNorm], ReLU, Linear(32, rows)
 * without bias. Parameter indices follow the reference's Sequential:
 * 0, 1, 3, 4, 6 with layer norm; 0, 2, 4 without. */
#include <stdio.h>

#include "layers.h"

static s3f_status add(s3f_params_t *p, const char *prefix, int index, const char *what,
                      s3f_shape shape, s3f_tensor **out)
{
    char name[256];
    snprintf(name, sizeof name, "%s.radial_func.net.%d.%s", prefix, index, what);
    return s3f_params_add(p, name, shape, out);
}

s3f_status radial_declare(s3f_params_t *p, const char *prefix, int edge_dim, int64_t rows,
                          bool layer_norm, radial_net *n)
{
    const int H = SE3T_RADIAL_HIDDEN, step = layer_norm ? 3 : 2;
    *n = (radial_net){.layer_norm = layer_norm};
    S3F_RETURN_IF_ERR(add(p, prefix, 0, "weight", S3F_SHAPE(H, edge_dim), &n->w0));
    S3F_RETURN_IF_ERR(add(p, prefix, 0, "bias", S3F_SHAPE(H), &n->b0));
    if (layer_norm) {
        S3F_RETURN_IF_ERR(add(p, prefix, 1, "weight", S3F_SHAPE(H), &n->ln0_w));
        S3F_RETURN_IF_ERR(add(p, prefix, 1, "bias", S3F_SHAPE(H), &n->ln0_b));
    }
    S3F_RETURN_IF_ERR(add(p, prefix, step, "weight", S3F_SHAPE(H, H), &n->w1));
    S3F_RETURN_IF_ERR(add(p, prefix, step, "bias", S3F_SHAPE(H), &n->b1));
    if (layer_norm) {
        S3F_RETURN_IF_ERR(add(p, prefix, step + 1, "weight", S3F_SHAPE(H), &n->ln1_w));
        S3F_RETURN_IF_ERR(add(p, prefix, step + 1, "bias", S3F_SHAPE(H), &n->ln1_b));
    }
    return add(p, prefix, 2 * step, "weight", S3F_SHAPE(rows, H), &n->w_out);
}

static s3f_status dense(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *w, s3f_tensor *b,
                        s3f_tensor *ln_w, s3f_tensor *ln_b, s3f_tensor **out)
{
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(s3f_linear(ctx, x, w, b, &y));
    if (ln_w) S3F_RETURN_IF_ERR(s3f_layer_norm(ctx, y, ln_w, ln_b, 1e-5, &y));
    return s3f_relu(ctx, y, out);
}

s3f_status radial_hidden(s3f_ctx_t *ctx, const radial_net *n, s3f_tensor *edge_inv, s3f_tensor **z)
{
    s3f_tensor *h;
    S3F_RETURN_IF_ERR(dense(ctx, edge_inv, n->w0, n->b0, n->ln0_w, n->ln0_b, &h));
    return dense(ctx, h, n->w1, n->b1, n->ln1_w, n->ln1_b, z);
}
