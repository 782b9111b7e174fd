/* op_segment.c — segment_sum, segment_mean and segment_max: reductions of
 * x (E, ...) over the row ranges given by CSR offsets (S+1), into out (S, ...).
 * Kernels are in segment_kernels.h; the offsets check and the saved state,
 * shared with op_segment_softmax.c, are here (segment_common.h). Not a
 * scatter by arbitrary index: that is op_gather.c.
 *
 * Invariant: offsets are validated (0 at the start, never decreasing, E at
 * the end) before a kernel reads them, so every row index a kernel forms lies
 * in [0, E). Empty segments give 0 and receive no gradient. Results are
 * bitwise the same for any thread count (one segment per loop iteration). */
#include <math.h>
#include <string.h>

#include "segment_common.h"

#define KERNEL_FILE "segment_kernels.h"
#include "float_template.h"

static s3f_status check_offset_values(const char *op, const s3f_tensor *offsets, int64_t rows)
{
    const int32_t *off = offsets->data;
    int64_t S = s3f_tensor_numel(offsets) - 1;
    if (off[0] != 0)
        return s3f_fail(S3F_ERR_ARG, "%s: offsets[0] = %d but must be 0", op, (int)off[0]);
    for (int64_t s = 1; s <= S; s++)
        if (off[s] < off[s - 1])
            return s3f_fail(S3F_ERR_ARG,
                            "%s: offsets[%lld] = %d is below offsets[%lld] = %d; offsets must "
                            "not decrease",
                            op, (long long)s, (int)off[s], (long long)(s - 1), (int)off[s - 1]);
    if (off[S] != rows)
        return s3f_fail(S3F_ERR_ARG,
                        "%s: offsets[%lld] = %d but x has %lld rows; the last offset "
                        "must equal the row count E",
                        op, (long long)S, (int)off[S], (long long)rows);
    return S3F_OK;
}

s3f_status segment_check(const char *op, const s3f_tensor *x, const s3f_tensor *offsets)
{
    S3F_RETURN_IF_ERR(op_check_float(op, "x", x));
    S3F_RETURN_IF_ERR(op_check_index(op, "offsets", offsets));
    if (x->shape.ndim == 0)
        return s3f_fail(S3F_ERR_SHAPE, "%s: x has shape () but needs a row dimension (E, ...)", op);
    if (offsets->shape.d[0] == 0)
        return s3f_fail(S3F_ERR_SHAPE, "%s: offsets has shape (0) but needs S+1 >= 1 entries", op);
    return check_offset_values(op, offsets, x->shape.d[0]);
}

s3f_status segment_save(s3f_ctx_t *ctx, const s3f_tensor *offsets, segment_saved **out)
{
    segment_saved *sv;
    int32_t *copy;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *sv, (void **)&sv));
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, s3f_tensor_nbytes(offsets), (void **)&copy));
    memcpy(copy, offsets->data, s3f_tensor_nbytes(offsets));
    sv->segments = s3f_tensor_numel(offsets) - 1;
    sv->offsets = copy;
    sv->argmax = NULL;
    *out = sv;
    return S3F_OK;
}

/* ---- backward ---- */
static s3f_status sum_or_mean_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node, bool mean)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const segment_saved *sv = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx)
        OP_DISPATCH(x->dtype, segment_sum_backward, dy->data, sv->offsets, dx->data, sv->segments,
                    op_row_size(x), mean);
    return S3F_OK;
}

static s3f_status sum_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    return sum_or_mean_bwd(ctx, node, false);
}

static s3f_status mean_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    return sum_or_mean_bwd(ctx, node, true);
}

static s3f_status max_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const segment_saved *sv = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx)
        OP_DISPATCH(x->dtype, segment_max_backward, dy->data, sv->argmax, dx->data, sv->segments,
                    op_row_size(x));
    return S3F_OK;
}

static const s3f_op_def sum_def = {"segment_sum", sum_bwd};
static const s3f_op_def mean_def = {"segment_mean", mean_bwd};
static const s3f_op_def max_def = {"segment_max", max_bwd};

/* ---- forward ---- */

/* segment_max's forward: *argmax (S, D) from the arena, kept for backward. */
static s3f_status max_forward(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets, s3f_tensor *y,
                              int32_t **argmax)
{
    int64_t S = y->shape.d[0], D = op_row_size(x);
    S3F_RETURN_IF_ERR(
        s3f_arena_alloc(s3f_ctx_arena(ctx), (size_t)(S * D) * sizeof(int32_t), (void **)argmax));
    OP_DISPATCH(x->dtype, segment_max_forward, x->data, offsets->data, y->data, *argmax, S, D);
    return S3F_OK;
}

static s3f_status segment_reduce(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x,
                                 s3f_tensor *offsets, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(segment_check(def->name, x, offsets));
    s3f_shape shape = x->shape; /* (S, ...) */
    shape.d[0] = s3f_tensor_numel(offsets) - 1;
    s3f_tensor *y;
    int32_t *argmax = NULL;
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, shape, &y));
    if (def == &max_def)
        S3F_RETURN_IF_ERR(max_forward(ctx, x, offsets, y, &argmax));
    else
        OP_DISPATCH(x->dtype, segment_sum_forward, x->data, offsets->data, y->data, shape.d[0],
                    op_row_size(x), def == &mean_def);
    if (s3f_tape_wants(ctx, 1, &x)) {
        segment_saved *sv;
        S3F_RETURN_IF_ERR(segment_save(ctx, offsets, &sv));
        sv->argmax = argmax;
        S3F_RETURN_IF_ERR(s3f_tape_record(ctx, def, 1, &x, 1, &y, sv));
    }
    *out = y;
    return S3F_OK;
}

s3f_status s3f_segment_sum(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets, s3f_tensor **out)
{
    return segment_reduce(ctx, &sum_def, x, offsets, out);
}

s3f_status s3f_segment_mean(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets, s3f_tensor **out)
{
    return segment_reduce(ctx, &mean_def, x, offsets, out);
}

s3f_status s3f_segment_max(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets, s3f_tensor **out)
{
    return segment_reduce(ctx, &max_def, x, offsets, out);
}
