/* op_linear.c — s3f_linear: out (..., O) = x (..., I) @ weight (O, I)^T +
 * bias (O), forward and backward side by side.
 *
 * Not a wrapper over matmul: the leading dims of x are flattened into R rows
 * and the whole layer is one op_gemm call (op_gemm.c) onto rows preset to the
 * bias, with its own backward (dx, dweight, dbias) and no intermediate
 * tensors.
 *
 * Invariant: everything the backward needs is on the tape node (x, weight,
 * bias and the output's gradient); nothing is saved. */
#include "op_gemm.h"

#define KERNEL_FILE "linear_kernels.h"
#include "float_template.h"

/* x (R, I) against weight (O, I). */
typedef struct linear_dims {
    int64_t r, i, o;
} linear_dims;

static linear_dims linear_dims_of(const s3f_tensor *x, const s3f_tensor *weight)
{
    return (linear_dims){op_span(&x->shape, 0, x->shape.ndim - 1), weight->shape.d[1],
                         weight->shape.d[0]};
}

static s3f_status linear_check_dtypes(const s3f_tensor *x, const s3f_tensor *w,
                                      const s3f_tensor *bias)
{
    S3F_RETURN_IF_ERR(op_check_float("linear", "x", x));
    S3F_RETURN_IF_ERR(op_check_float("linear", "weight", w));
    S3F_RETURN_IF_ERR(op_check_same_dtype("linear", x, w));
    if (!bias) return S3F_OK;
    S3F_RETURN_IF_ERR(op_check_float("linear", "bias", bias));
    return op_check_same_dtype("linear", x, bias);
}

static s3f_status linear_check(const s3f_tensor *x, const s3f_tensor *w, const s3f_tensor *bias)
{
    S3F_RETURN_IF_ERR(linear_check_dtypes(x, w, bias));
    if (w->shape.ndim != 2)
        return op_fail_shapes("linear", "weight must be 2-D (O, I)", "x", x, "weight", w);
    if (x->shape.ndim < 1 || x->shape.d[x->shape.ndim - 1] != w->shape.d[1])
        return op_fail_shapes("linear", "the last size of x must be weight's I", "x", x, "weight",
                              w);
    if (bias && (bias->shape.ndim != 1 || bias->shape.d[0] != w->shape.d[0]))
        return op_fail_shapes("linear", "bias must be (O) for weight (O, I)", "bias", bias,
                              "weight", w);
    return S3F_OK;
}

static s3f_status linear_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *w = node->inputs[1], *dy = node->outputs[0]->grad;
    s3f_tensor *dx, *dw, *db;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, w, &dw));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, node->inputs[2], &db));
    linear_dims d = linear_dims_of(x, w);
    if (dx) { /* dx (R, I) += dy (R, O) @ weight (O, I) */
        gemm_call g = {.count = 1,
                       .accumulate = true,
                       .m = d.r,
                       .n = d.i,
                       .k = d.o,
                       .x = {dy->data, false, 0},
                       .y = {w->data, false, 0},
                       .out = dx->data};
        op_gemm(x->dtype, &g);
    }
    if (dw) { /* dweight (O, I) += dy^T (O, R) @ x (R, I) */
        gemm_call g = {.count = 1,
                       .accumulate = true,
                       .m = d.o,
                       .n = d.i,
                       .k = d.r,
                       .x = {dy->data, true, 0},
                       .y = {x->data, false, 0},
                       .out = dw->data};
        op_gemm(x->dtype, &g);
    }
    if (db) OP_DISPATCH(x->dtype, linear_bias_backward, dy->data, db->data, d.r, d.o);
    return S3F_OK;
}
static const s3f_op_def linear_def = {"linear", linear_bwd};

s3f_status s3f_linear(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *weight, s3f_tensor *bias,
                      s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(linear_check(x, weight, bias));
    linear_dims d = linear_dims_of(x, weight);
    s3f_shape shape = x->shape;
    shape.d[shape.ndim - 1] = d.o;
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, shape, &y));
    if (bias) OP_DISPATCH(x->dtype, linear_bias_forward, bias->data, y->data, d.r, d.o);
    /* y (R, O) (+)= x (R, I) @ weight^T (I, O) */
    gemm_call g = {.count = 1,
                   .accumulate = bias != NULL,
                   .m = d.r,
                   .n = d.o,
                   .k = d.i,
                   .x = {x->data, false, 0},
                   .y = {weight->data, true, 0},
                   .out = y->data};
    op_gemm(x->dtype, &g);
    s3f_tensor *in[3] = {x, weight, bias};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &linear_def, 3, in, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}
