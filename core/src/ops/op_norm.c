/* op_norm.c — the shared body of layer norm and group norm (op_norm.h):
 * affine checks, forward with statistics, tape record and backward.
 *
 * Not here: each op's own argument checks and its mapping of x onto
 * (N, C, S) with G groups (op_layer_norm.c, op_group_norm.c).
 *
 * Invariant: the forward saves mean and rstd (N*G, double) of every block;
 * backward recomputes x_hat from x and them, and never reads the output. */
#include <math.h>

#include "op_norm.h"

#define KERNEL_FILE "norm_kernels.h"
#include "float_template.h"

typedef struct norm_saved {
    norm_dims d;
    double *mean, *rstd; /* (N*G) */
} norm_saved;

static s3f_status check_affine_one(const char *op, const char *shape_rule, const char *name,
                                   const s3f_tensor *t, const s3f_tensor *x, int64_t channels)
{
    S3F_RETURN_IF_ERR(op_check_float(op, name, t));
    S3F_RETURN_IF_ERR(op_check_same_dtype(op, x, t));
    if (t->shape.ndim != 1 || t->shape.d[0] != channels)
        return op_fail_shapes(op, shape_rule, name, t, "x", x);
    return S3F_OK;
}

s3f_status op_norm_check(const char *op, const char *shape_rule, const s3f_tensor *x,
                         int64_t channels, const s3f_tensor *gamma, const s3f_tensor *beta,
                         double eps)
{
    if (!(eps >= 0) || isinf(eps))
        return s3f_fail(S3F_ERR_ARG, "%s: eps must be finite and >= 0, not %g", op, eps);
    if (!gamma && !beta) return S3F_OK;
    if (!gamma || !beta)
        return s3f_fail(S3F_ERR_ARG,
                        "%s: gamma and beta must both be given or both be NULL, but only %s is", op,
                        gamma ? "gamma" : "beta");
    S3F_RETURN_IF_ERR(check_affine_one(op, shape_rule, "gamma", gamma, x, channels));
    return check_affine_one(op, shape_rule, "beta", beta, x, channels);
}

/* Saved state with room for the statistics; kept whether or not the tape
 * wants it, since the forward needs the statistics anyway. */
static s3f_status norm_saved_new(s3f_ctx_t *ctx, norm_dims d, norm_saved **out)
{
    norm_saved *p;
    size_t blocks = (size_t)(d.n * d.groups);
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *p, (void **)&p));
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, blocks * sizeof(double), (void **)&p->mean));
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, blocks * sizeof(double), (void **)&p->rstd));
    p->d = d;
    *out = p;
    return S3F_OK;
}

s3f_status op_norm_run(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x, norm_dims d,
                       s3f_tensor *gamma, s3f_tensor *beta, double eps, s3f_tensor **out)
{
    norm_saved *p;
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(norm_saved_new(ctx, d, &p));
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, x->shape, &y));
    const void *g = gamma ? gamma->data : NULL, *b = beta ? beta->data : NULL;
    OP_DISPATCH(x->dtype, norm_stats, x->data, d, eps, p->mean, p->rstd);
    OP_DISPATCH(x->dtype, norm_forward, x->data, g, b, d, p->mean, p->rstd, y->data);
    s3f_tensor *inputs[3] = {x, gamma, beta};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, def, 3, inputs, 1, &y, p));
    *out = y;
    return S3F_OK;
}

s3f_status op_norm_backward(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const norm_saved *p = node->saved;
    s3f_tensor *x = node->inputs[0], *gamma = node->inputs[1], *dy = node->outputs[0]->grad;
    s3f_tensor *dx, *dgamma, *dbeta;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, gamma, &dgamma));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, node->inputs[2], &dbeta));
    if (dx)
        OP_DISPATCH(x->dtype, norm_backward_x, x->data, gamma ? gamma->data : NULL, dy->data, p->d,
                    p->mean, p->rstd, dx->data);
    if (dgamma || dbeta)
        OP_DISPATCH(x->dtype, norm_backward_affine, x->data, dy->data, p->d, p->mean, p->rstd,
                    dgamma ? dgamma->data : NULL, dbeta ? dbeta->data : NULL);
    return S3F_OK;
}
