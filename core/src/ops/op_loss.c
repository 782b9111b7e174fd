/* op_loss.c — l1_loss and mse_loss: the mean over all elements of
 * |pred - target| or (pred - target)^2, a scalar (ops.h).
 *
 * Not here: reductions other than the mean, weights, or broadcasting (the
 * shapes must be equal). Kernels are in loss_kernels.h.
 *
 * Invariant: the sum runs over blocks fixed by the element count alone, so
 * the loss is bitwise the same for any thread count. */
#include <math.h>

#include "op_common.h"

/* At most this many partial sums, each of >= LOSS_BLOCK_MIN elements. */
#define LOSS_BLOCKS    1024
#define LOSS_BLOCK_MIN 4096

static int64_t loss_block_len(int64_t n)
{
    int64_t len = (n + LOSS_BLOCKS - 1) / LOSS_BLOCKS;
    return len < LOSS_BLOCK_MIN ? LOSS_BLOCK_MIN : len;
}

#define KERNEL_FILE "loss_kernels.h"
#include "float_template.h"

/* op_def first, so the tape's def pointer leads back to the loss kind. */
typedef struct loss_op {
    s3f_op_def def;
    bool squared;
} loss_op;

static s3f_status loss_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const loss_op *op = (const loss_op *)node->def;
    s3f_tensor *p = node->inputs[0], *t = node->inputs[1], *dy = node->outputs[0]->grad;
    s3f_tensor *dp, *dt;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, p, &dp));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, t, &dt));
    OP_DISPATCH(p->dtype, loss_backward, p->data, t->data, dy->data, dp ? dp->data : NULL,
                dt ? dt->data : NULL, s3f_tensor_numel(p), op->squared);
    return S3F_OK;
}

static const loss_op l1_op = {{"l1_loss", loss_bwd}, false};
static const loss_op mse_op = {{"mse_loss", loss_bwd}, true};

static s3f_status loss(s3f_ctx_t *ctx, const loss_op *op, s3f_tensor *pred, s3f_tensor *target,
                       s3f_tensor **out)
{
    const char *name = op->def.name;
    S3F_RETURN_IF_ERR(op_check_float(name, "pred", pred));
    S3F_RETURN_IF_ERR(op_check_float(name, "target", target));
    S3F_RETURN_IF_ERR(op_check_same_dtype(name, pred, target));
    if (!s3f_shape_equal(&pred->shape, &target->shape))
        return op_fail_shapes(name, "shapes must be equal", "pred", pred, "target", target);
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, pred->dtype, S3F_SCALAR_SHAPE, &y));
    OP_DISPATCH(pred->dtype, loss_forward, pred->data, target->data, y->data,
                s3f_tensor_numel(pred), op->squared);
    s3f_tensor *inputs[2] = {pred, target};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &op->def, 2, inputs, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}

s3f_status s3f_l1_loss(s3f_ctx_t *ctx, s3f_tensor *pred, s3f_tensor *target, s3f_tensor **out)
{
    return loss(ctx, &l1_op, pred, target, out);
}

s3f_status s3f_mse_loss(s3f_ctx_t *ctx, s3f_tensor *pred, s3f_tensor *target, s3f_tensor **out)
{
    return loss(ctx, &mse_op, pred, target, out);
}
