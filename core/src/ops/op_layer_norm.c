/* op_layer_norm.c — layer norm over the last axis (as torch.nn.LayerNorm with
 * normalized_shape = (C,)): biased variance, eps inside the square root,
 * optional affine gamma (C), beta (C).
 *
 * Not here: the arithmetic. Layer norm of x (..., C) is group norm with one
 * group of x seen as (rows, C, 1), so this file checks its arguments and
 * hands over to op_norm.c.
 *
 * Invariant: the tape node's inputs are {x, gamma, beta} (gamma and beta may
 * be NULL), as op_norm_backward expects. */
#include "op_norm.h"

static const s3f_op_def layer_norm_def = {"layer_norm", op_norm_backward};

s3f_status s3f_layer_norm(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *gamma, s3f_tensor *beta,
                          double eps, s3f_tensor **out)
{
    char buf[128];
    S3F_RETURN_IF_ERR(op_check_float("layer_norm", "x", x));
    int ndim = x->shape.ndim;
    if (ndim < 1)
        return s3f_fail(S3F_ERR_SHAPE,
                        "layer_norm: x has shape %s; it needs a last axis to "
                        "normalise over",
                        s3f_shape_format(&x->shape, buf, sizeof buf));
    int64_t channels = x->shape.d[ndim - 1];
    S3F_RETURN_IF_ERR(op_norm_check("layer_norm", "gamma and beta must be (C) for x (..., C)", x,
                                    channels, gamma, beta, eps));
    norm_dims d = {.n = op_span(&x->shape, 0, ndim - 1), .c = channels, .s = 1, .groups = 1};
    return op_norm_run(ctx, &layer_norm_def, x, d, gamma, beta, eps, out);
}
