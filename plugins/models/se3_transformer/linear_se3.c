/* linear_se3.c — LinearSE3 (SPEC §10): per output degree d a bias-free
 * matrix on the channel axis, out_d = W_d · x_d, the same for all 2d+1
 * components (so it commutes with rotations). */
#include <stdio.h>

#include "layers.h"

s3f_status linear_se3_declare(s3f_params_t *p, const char *prefix, const fiber *in,
                              const fiber *out, linear_se3 *l)
{
    *l = (linear_se3){.in = *in, .out = *out};
    for (int d = 0; d <= TFN_MAX_DEGREE; d++) {
        if (!fiber_has(out, d)) continue;
        if (!fiber_has(in, d))
            return s3f_fail(S3F_ERR_ARG, "%s: output degree %d has no input channels", prefix, d);
        char name[256];
        snprintf(name, sizeof name, "%s.weights.%d", prefix, d);
        S3F_RETURN_IF_ERR(
            s3f_params_add(p, name, S3F_SHAPE(out->channels[d], in->channels[d]), &l->w[d]));
    }
    return S3F_OK;
}

s3f_status linear_se3_forward(s3f_ctx_t *ctx, const linear_se3 *l, const feats *x, feats *y)
{
    feats r = {{NULL}};
    for (int d = 0; d <= TFN_MAX_DEGREE; d++)
        if (l->w[d]) S3F_RETURN_IF_ERR(s3f_matmul(ctx, l->w[d], x->d[d], false, false, &r.d[d]));
    *y = r;
    return S3F_OK;
}
