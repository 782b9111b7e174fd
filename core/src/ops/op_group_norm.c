/* op_group_norm.c — group norm as torch.nn.GroupNorm: x (N, C, ...) with C in
 * `groups` groups of C/groups consecutive channels; mean and biased variance
 * per (sample, group) over the group's channels and all trailing positions,
 * eps inside the square root, then per-channel affine gamma (C), beta (C).
 * x (N, C) with no trailing axis is allowed (one position per channel, as the
 * SE(3)-Transformer's NormSE3 uses it).
 *
 * Not here: the arithmetic, shared with layer norm in op_norm.c.
 *
 * Invariant: the tape node's inputs are {x, gamma, beta} (gamma and beta may
 * be NULL), as op_norm_backward expects. */
#include "op_norm.h"

static const s3f_op_def group_norm_def = {"group_norm", op_norm_backward};

static s3f_status check_groups(const s3f_tensor *x, int groups)
{
    char buf[128];
    if (x->shape.ndim < 2)
        return s3f_fail(S3F_ERR_SHAPE, "group_norm: x has shape %s but must be (N, C, ...)",
                        s3f_shape_format(&x->shape, buf, sizeof buf));
    int64_t channels = x->shape.d[1];
    if (groups < 1 || channels % groups != 0)
        return s3f_fail(S3F_ERR_ARG,
                        "group_norm: groups = %d does not divide the C = %lld channels of x %s",
                        groups, (long long)channels, s3f_shape_format(&x->shape, buf, sizeof buf));
    return S3F_OK;
}

s3f_status s3f_group_norm(s3f_ctx_t *ctx, s3f_tensor *x, int groups, s3f_tensor *gamma,
                          s3f_tensor *beta, double eps, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(op_check_float("group_norm", "x", x));
    S3F_RETURN_IF_ERR(check_groups(x, groups));
    S3F_RETURN_IF_ERR(op_norm_check("group_norm", "gamma and beta must be (C) for x (N, C, ...)", x,
                                    x->shape.d[1], gamma, beta, eps));
    norm_dims d = {.n = x->shape.d[0],
                   .c = x->shape.d[1],
                   .s = op_span(&x->shape, 2, x->shape.ndim),
                   .groups = groups};
    return op_norm_run(ctx, &group_norm_def, x, d, gamma, beta, eps, out);
}
