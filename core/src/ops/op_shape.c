/* op_shape.c — reshape and permute: the same elements under another shape or
 * another order of axes.
 *
 * Not here: concat and split (op_concat.c). Tensors are dense, so there are
 * no strided views: reshape shares x's data under a new header (with its own
 * grad), permute copies.
 *
 * Invariant: reshape's output aliases x's data; writing through one is seen
 * through the other, as with torch's view. Its backward adds the output's
 * gradient into x's, element for element. */
#include <stdio.h>
#include <string.h>

#include "op_common.h"

/* Output shape (padded at the front with 1s to S3F_MAX_DIMS axes) and, for
 * each output axis, x's stride along the axis it comes from. */
typedef struct perm_plan {
    int64_t size[S3F_MAX_DIMS];
    int64_t stride[S3F_MAX_DIMS];
    int64_t rows; /* product of size[0 .. S3F_MAX_DIMS-2] */
} perm_plan;

#define KERNEL_FILE "shape_kernels.h"
#include "float_template.h"

/* ---- reshape ---- */
static s3f_status reshape_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx) OP_DISPATCH(x->dtype, reshape_backward, dy->data, dx->data, s3f_tensor_numel(x));
    return S3F_OK;
}
static const s3f_op_def reshape_def = {"reshape", reshape_bwd};

s3f_status s3f_reshape(s3f_ctx_t *ctx, s3f_tensor *x, s3f_shape shape, s3f_tensor **out)
{
    char a[128], b[128];
    S3F_RETURN_IF_ERR(op_check_float("reshape", "x", x));
    s3f_status rc = s3f_shape_check(&shape, x->dtype);
    if (rc != S3F_OK) return s3f_fail_context(rc, "reshape: ");
    if (s3f_shape_numel(&shape) != s3f_tensor_numel(x))
        return s3f_fail(S3F_ERR_SHAPE,
                        "reshape: x has shape %s (%lld elements) but the new shape %s has %lld",
                        s3f_shape_format(&x->shape, a, sizeof a), (long long)s3f_tensor_numel(x),
                        s3f_shape_format(&shape, b, sizeof b), (long long)s3f_shape_numel(&shape));
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(s3f_tensor_view(ctx, x, shape, &y));
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &reshape_def, 1, &x, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}

/* ---- permute ---- */
static s3f_status check_perm(const s3f_tensor *x, const int *perm)
{
    int ndim = x->shape.ndim;
    if (ndim > 0 && !perm) return s3f_fail(S3F_ERR_ARG, "permute: perm is NULL");
    bool seen[S3F_MAX_DIMS] = {false};
    bool ok = true;
    for (int k = 0; k < ndim && ok; k++) {
        ok = perm[k] >= 0 && perm[k] < ndim && !seen[perm[k]];
        if (ok) seen[perm[k]] = true;
    }
    if (ok) return S3F_OK;
    char list[S3F_MAX_DIMS * 14 + 4] = "(", shape[128];
    for (int k = 0; k < ndim; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", k ? ", " : "", perm[k]);
    strcat(list, ")");
    return s3f_fail(S3F_ERR_ARG, "permute: perm %s is not a permutation of 0..%d for x %s", list,
                    ndim - 1, s3f_shape_format(&x->shape, shape, sizeof shape));
}

static perm_plan plan_perm(const s3f_shape *x, const int *perm)
{
    int64_t x_stride[S3F_MAX_DIMS], s = 1;
    for (int k = x->ndim - 1; k >= 0; k--) {
        x_stride[k] = s;
        s *= x->d[k];
    }
    perm_plan p;
    int pad = S3F_MAX_DIMS - x->ndim;
    for (int k = 0; k < S3F_MAX_DIMS; k++) {
        p.size[k] = k < pad ? 1 : x->d[perm[k - pad]];
        p.stride[k] = k < pad ? 0 : x_stride[perm[k - pad]];
    }
    p.rows = 1;
    for (int k = 0; k < S3F_MAX_DIMS - 1; k++) p.rows *= p.size[k];
    return p;
}

static s3f_status permute_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx) OP_DISPATCH(x->dtype, permute_backward, dy->data, dx->data, node->saved);
    return S3F_OK;
}
static const s3f_op_def permute_def = {"permute", permute_bwd};

s3f_status s3f_permute(s3f_ctx_t *ctx, s3f_tensor *x, const int *perm, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(op_check_float("permute", "x", x));
    S3F_RETURN_IF_ERR(check_perm(x, perm));
    perm_plan *p;
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *p, (void **)&p));
    *p = plan_perm(&x->shape, perm);
    s3f_shape shape = {.ndim = x->shape.ndim};
    for (int k = 0; k < shape.ndim; k++) shape.d[k] = x->shape.d[perm[k]];
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, shape, &y));
    OP_DISPATCH(x->dtype, permute_forward, x->data, y->data, p);
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &permute_def, 1, &x, 1, &y, p));
    *out = y;
    return S3F_OK;
}
