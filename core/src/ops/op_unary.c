/* op_unary.c — scale, relu, sigmoid, exp, sqrt, clamp: one input, one output
 * of the same shape. Forward and backward kernels are in unary_kernels.h.
 * Backward reads the input (relu, clamp) or the output (sigmoid, exp, sqrt)
 * straight from the tape node. */
#include <math.h>

#include "op_common.h"

#define KERNEL_FILE "unary_kernels.h"
#include "float_template.h"

typedef struct unary_params {
    double a, b; /* scale: alpha; clamp: lo, hi */
} unary_params;

/* Checks x, makes the output, runs nothing: the caller dispatches. */
static s3f_status unary_begin(s3f_ctx_t *ctx, const char *op, s3f_tensor *x, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(op_check_float(op, "x", x));
    return op_output(ctx, x->dtype, x->shape, out);
}

static s3f_status unary_record(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x, s3f_tensor *y,
                               double a, double b)
{
    if (!s3f_tape_wants(ctx, 1, &x)) return S3F_OK;
    unary_params *p;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *p, (void **)&p));
    p->a = a;
    p->b = b;
    return s3f_tape_record(ctx, def, 1, &x, 1, &y, p);
}

/* The tensors a backward function works on: dx is NULL when x needs none. */
typedef struct unary_grads {
    s3f_tensor *x, *y, *dy, *dx;
    const unary_params *p;
    int64_t n;
} unary_grads;

static s3f_status unary_grads_of(s3f_ctx_t *ctx, const s3f_tape_node *node, unary_grads *g)
{
    g->x = node->inputs[0];
    g->y = node->outputs[0];
    g->dy = g->y->grad;
    g->p = node->saved;
    g->n = s3f_tensor_numel(g->x);
    return s3f_grad_of(ctx, g->x, &g->dx);
}

/* ---- scale ---- */
static s3f_status scale_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    unary_grads g;
    S3F_RETURN_IF_ERR(unary_grads_of(ctx, node, &g));
    if (g.dx) OP_DISPATCH(g.x->dtype, scale_backward, g.dy->data, g.dx->data, g.n, g.p->a);
    return S3F_OK;
}
static const s3f_op_def scale_def = {"scale", scale_bwd};

s3f_status s3f_scale(s3f_ctx_t *ctx, s3f_tensor *x, double alpha, s3f_tensor **out)
{
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(unary_begin(ctx, "scale", x, &y));
    OP_DISPATCH(x->dtype, scale_forward, x->data, y->data, s3f_tensor_numel(x), alpha);
    S3F_RETURN_IF_ERR(unary_record(ctx, &scale_def, x, y, alpha, 0));
    *out = y;
    return S3F_OK;
}

/* ---- relu, sigmoid, exp, sqrt: same shape of code, different kernels ---- */
#define SIMPLE_UNARY(name, backward_reads)                                                         \
    static s3f_status name##_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)                        \
    {                                                                                              \
        unary_grads g;                                                                             \
        S3F_RETURN_IF_ERR(unary_grads_of(ctx, node, &g));                                          \
        if (g.dx)                                                                                  \
            OP_DISPATCH(g.x->dtype, name##_backward, g.backward_reads->data, g.dy->data,           \
                        g.dx->data, g.n);                                                          \
        return S3F_OK;                                                                             \
    }                                                                                              \
    static const s3f_op_def name##_def = {#name, name##_bwd};                                      \
    s3f_status s3f_##name(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out)                         \
    {                                                                                              \
        s3f_tensor *y;                                                                             \
        S3F_RETURN_IF_ERR(unary_begin(ctx, #name, x, &y));                                         \
        OP_DISPATCH(x->dtype, name##_forward, x->data, y->data, s3f_tensor_numel(x));              \
        S3F_RETURN_IF_ERR(unary_record(ctx, &name##_def, x, y, 0, 0));                             \
        *out = y;                                                                                  \
        return S3F_OK;                                                                             \
    }

SIMPLE_UNARY(relu, x)
SIMPLE_UNARY(sigmoid, y)
SIMPLE_UNARY(exp, y)
SIMPLE_UNARY(sqrt, y)

/* ---- clamp ---- */
static s3f_status clamp_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    unary_grads g;
    S3F_RETURN_IF_ERR(unary_grads_of(ctx, node, &g));
    if (g.dx)
        OP_DISPATCH(g.x->dtype, clamp_backward, g.x->data, g.dy->data, g.dx->data, g.n, g.p->a,
                    g.p->b);
    return S3F_OK;
}
static const s3f_op_def clamp_def = {"clamp", clamp_bwd};

s3f_status s3f_clamp(s3f_ctx_t *ctx, s3f_tensor *x, double lo, double hi, s3f_tensor **out)
{
    if (isnan(lo) || isnan(hi) || lo > hi)
        return s3f_fail(S3F_ERR_ARG, "clamp: bounds [%g, %g] are not an interval", lo, hi);
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(unary_begin(ctx, "clamp", x, &y));
    OP_DISPATCH(x->dtype, clamp_forward, x->data, y->data, s3f_tensor_numel(x), lo, hi);
    S3F_RETURN_IF_ERR(unary_record(ctx, &clamp_def, x, y, lo, hi));
    *out = y;
    return S3F_OK;
}
