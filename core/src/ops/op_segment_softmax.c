/* op_segment_softmax.c — softmax over the rows of each CSR segment of
 * x (E, ...), separately for every trailing position: attention weights over
 * a node's incoming edges, one set per head. Kernels are in
 * segment_softmax_kernels.h; the offsets check is shared with op_segment.c.
 * Not a softmax along an axis of a dense tensor.
 *
 * Invariant: within every non-empty segment the weights of one trailing
 * position sum to 1 (up to rounding); rows of no segment do not exist
 * (offsets end at E), so every output element is written. Backward reads the
 * output y from the tape node: dx = y * (dy - sum_seg(y * dy)). */
#include <math.h>

#include "segment_common.h"

#define KERNEL_FILE "segment_softmax_kernels.h"
#include "float_template.h"

static s3f_status softmax_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *y = node->outputs[0], *dx;
    const segment_saved *sv = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx)
        OP_DISPATCH(x->dtype, segment_softmax_backward, y->data, y->grad->data, sv->offsets,
                    dx->data, sv->segments, op_row_size(x));
    return S3F_OK;
}
static const s3f_op_def softmax_def = {"segment_softmax", softmax_bwd};

s3f_status s3f_segment_softmax(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(segment_check("segment_softmax", x, offsets));
    int64_t S = s3f_tensor_numel(offsets) - 1;
    s3f_tensor *y; /* (E, ...) */
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, x->shape, &y));
    OP_DISPATCH(x->dtype, segment_softmax_forward, x->data, offsets->data, y->data, S,
                op_row_size(x));
    if (s3f_tape_wants(ctx, 1, &x)) {
        segment_saved *sv;
        S3F_RETURN_IF_ERR(segment_save(ctx, offsets, &sv));
        S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &softmax_def, 1, &x, 1, &y, sv));
    }
    *out = y;
    return S3F_OK;
}
