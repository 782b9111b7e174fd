/* op_concat.c — concat (n tensors joined along an axis) and split (one tensor
 * cut along an axis into n pieces), each the other's backward.
 *
 * Not here: reshape and permute (op_shape.c). Pieces are copied, never
 * aliased.
 *
 * Invariant: a tape node holds at most S3F_OP_MAX_INPUTS inputs and
 * S3F_OP_MAX_OUTPUTS outputs, so a concat of more inputs runs as a chain of
 * concats (each joining the previous result and up to MAX - 1 more inputs)
 * and a split into more pieces as a chain of splits (each cutting off up to
 * MAX - 1 pieces and the rest). Values and gradients are the same; the
 * price is one more copy of the partial result per link. */
#include <stdio.h>
#include <string.h>

#include "op_common.h"

/* A piece (outer, piece) inside the joined slab (outer, total) at column
 * `offset`; see concat_kernels.h. */
typedef struct slab_pos {
    int64_t outer, piece, total, offset;
} slab_pos;

#define KERNEL_FILE "concat_kernels.h"
#include "float_template.h"

/* Where the piece of `size` entries at entry `at` of `axis` sits in `whole`. */
static slab_pos slab_at(const s3f_shape *whole, int axis, int64_t at, int64_t size)
{
    int64_t inner = op_span(whole, axis + 1, whole->ndim);
    return (slab_pos){.outer = op_span(whole, 0, axis),
                      .piece = size * inner,
                      .total = whole->d[axis] * inner,
                      .offset = at * inner};
}

static bool same_but_axis(const s3f_shape *a, const s3f_shape *b, int axis)
{
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (k != axis && a->d[k] != b->d[k]) return false;
    return true;
}

/* Saves the axis and records; both ops' backward read it from node->saved. */
static s3f_status record_axis(s3f_ctx_t *ctx, const s3f_op_def *def, int axis, int n_in,
                              s3f_tensor *const *in, int n_out, s3f_tensor *const *out)
{
    if (!s3f_tape_wants(ctx, n_in, in)) return S3F_OK;
    int *saved;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *saved, (void **)&saved));
    *saved = axis;
    return s3f_tape_record(ctx, def, n_in, in, n_out, out, saved);
}

/* ---- concat ---- */
static s3f_status concat_check(int n, s3f_tensor *const *xs, int axis, int *ax)
{
    char name[32], what[64];
    if (n < 1 || !xs)
        return s3f_fail(S3F_ERR_ARG, "concat: needs at least one input (n = %d, xs %s)", n,
                        xs ? "given" : "NULL");
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "xs[%d]", i);
        S3F_RETURN_IF_ERR(op_check_float("concat", name, xs[i]));
        S3F_RETURN_IF_ERR(op_check_same_dtype("concat", xs[0], xs[i]));
    }
    S3F_RETURN_IF_ERR(op_axis("concat", axis, xs[0]->shape.ndim, ax));
    snprintf(what, sizeof what, "sizes must agree on every axis but %d", *ax);
    for (int i = 1; i < n; i++) {
        snprintf(name, sizeof name, "xs[%d]", i);
        if (!same_but_axis(&xs[0]->shape, &xs[i]->shape, *ax))
            return op_fail_shapes("concat", what, "xs[0]", xs[0], name, xs[i]);
    }
    return S3F_OK;
}

/* dxs[i] += the slice of dy (..., sum of sizes, ...) that xs[i] filled. */
static s3f_status concat_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    int axis = *(const int *)node->saved;
    s3f_tensor *dy = node->outputs[0]->grad;
    int64_t at = 0;
    for (int i = 0; i < node->n_inputs; i++) {
        s3f_tensor *x = node->inputs[i], *dx;
        S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
        if (dx)
            OP_DISPATCH(dy->dtype, slab_to_piece, dy->data, dx->data,
                        slab_at(&dy->shape, axis, at, x->shape.d[axis]), true);
        at += x->shape.d[axis];
    }
    return S3F_OK;
}
static const s3f_op_def concat_def = {"concat", concat_bwd};

/* One tape node: n <= S3F_OP_MAX_INPUTS checked inputs. */
static s3f_status concat_node(s3f_ctx_t *ctx, int n, s3f_tensor *const *xs, int axis,
                              s3f_tensor **out)
{
    s3f_shape shape = xs[0]->shape;
    shape.d[axis] = 0;
    for (int i = 0; i < n; i++) shape.d[axis] += xs[i]->shape.d[axis];
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, xs[0]->dtype, shape, &y));
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        OP_DISPATCH(y->dtype, piece_to_slab, xs[i]->data, y->data,
                    slab_at(&shape, axis, at, xs[i]->shape.d[axis]), false);
        at += xs[i]->shape.d[axis];
    }
    S3F_RETURN_IF_ERR(record_axis(ctx, &concat_def, axis, n, xs, 1, &y));
    *out = y;
    return S3F_OK;
}

s3f_status s3f_concat(s3f_ctx_t *ctx, int n, s3f_tensor *const *xs, int axis, s3f_tensor **out)
{
    int ax;
    S3F_RETURN_IF_ERR(concat_check(n, xs, axis, &ax));
    int done = n < S3F_OP_MAX_INPUTS ? n : S3F_OP_MAX_INPUTS;
    s3f_tensor *joined;
    S3F_RETURN_IF_ERR(concat_node(ctx, done, xs, ax, &joined));
    while (done < n) {
        s3f_tensor *link[S3F_OP_MAX_INPUTS] = {joined};
        int more = n - done < S3F_OP_MAX_INPUTS - 1 ? n - done : S3F_OP_MAX_INPUTS - 1;
        for (int k = 0; k < more; k++) link[1 + k] = xs[done + k];
        S3F_RETURN_IF_ERR(concat_node(ctx, 1 + more, link, ax, &joined));
        done += more;
    }
    *out = joined;
    return S3F_OK;
}

/* ---- split ---- */
static s3f_status split_check(const s3f_tensor *x, int axis, int n, const int64_t *sizes,
                              s3f_tensor *const *outs, int *ax)
{
    char buf[128];
    S3F_RETURN_IF_ERR(op_check_float("split", "x", x));
    if (n < 1 || !sizes || !outs)
        return s3f_fail(S3F_ERR_ARG, "split: needs n >= 1 pieces, sizes and outs (n = %d%s%s)", n,
                        sizes ? "" : ", sizes NULL", outs ? "" : ", outs NULL");
    S3F_RETURN_IF_ERR(op_axis("split", axis, x->shape.ndim, ax));
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        if (sizes[i] < 0)
            return s3f_fail(S3F_ERR_ARG, "split: sizes[%d] = %lld is negative", i,
                            (long long)sizes[i]);
        sum = sizes[i] > INT64_MAX - sum ? INT64_MAX : sum + sizes[i];
    }
    if (sum != x->shape.d[*ax])
        return s3f_fail(S3F_ERR_SHAPE,
                        "split: the %d sizes sum to %lld but axis %d of x %s has %lld", n,
                        (long long)sum, *ax, s3f_shape_format(&x->shape, buf, sizeof buf),
                        (long long)x->shape.d[*ax]);
    return S3F_OK;
}

/* dx += each reached output's gradient, in its slice; an output whose grad
 * is NULL never reached the loss and adds nothing. */
static s3f_status split_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    int axis = *(const int *)node->saved;
    s3f_tensor *x = node->inputs[0], *dx;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    int64_t at = 0;
    for (int i = 0; i < node->n_outputs && dx; i++) {
        const s3f_tensor *dy = node->outputs[i]->grad;
        int64_t size = node->outputs[i]->shape.d[axis];
        if (dy)
            OP_DISPATCH(x->dtype, piece_to_slab, dy->data, dx->data,
                        slab_at(&x->shape, axis, at, size), true);
        at += size;
    }
    return S3F_OK;
}
static const s3f_op_def split_def = {"split", split_bwd};

/* One tape node: n <= S3F_OP_MAX_OUTPUTS checked pieces into outs. */
static s3f_status split_node(s3f_ctx_t *ctx, s3f_tensor *x, int axis, int n, const int64_t *sizes,
                             s3f_tensor **outs)
{
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        s3f_shape shape = x->shape;
        shape.d[axis] = sizes[i];
        S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, shape, &outs[i]));
        OP_DISPATCH(x->dtype, slab_to_piece, x->data, outs[i]->data,
                    slab_at(&x->shape, axis, at, sizes[i]), false);
        at += sizes[i];
    }
    return record_axis(ctx, &split_def, axis, 1, &x, n, outs);
}

/* One link of a long split: cuts MAX - 1 pieces off *rest into pieces and
 * leaves the remainder in *rest. */
static s3f_status split_link(s3f_ctx_t *ctx, s3f_tensor **rest, int axis, int left,
                             const int64_t *sizes, s3f_tensor **pieces)
{
    enum { CUT = S3F_OP_MAX_OUTPUTS - 1 };
    int64_t link[S3F_OP_MAX_OUTPUTS] = {0};
    s3f_tensor *got[S3F_OP_MAX_OUTPUTS];
    for (int k = 0; k < left; k++) link[k < CUT ? k : CUT] += sizes[k];
    S3F_RETURN_IF_ERR(split_node(ctx, *rest, axis, S3F_OP_MAX_OUTPUTS, link, got));
    memcpy(pieces, got, CUT * sizeof *got);
    *rest = got[CUT];
    return S3F_OK;
}

s3f_status s3f_split(s3f_ctx_t *ctx, s3f_tensor *x, int axis, int n, const int64_t *sizes,
                     s3f_tensor **outs)
{
    int ax, done = 0;
    S3F_RETURN_IF_ERR(split_check(x, axis, n, sizes, outs, &ax));
    s3f_tensor **pieces, *rest = x;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, (size_t)n * sizeof *pieces, (void **)&pieces));
    for (; n - done > S3F_OP_MAX_OUTPUTS; done += S3F_OP_MAX_OUTPUTS - 1)
        S3F_RETURN_IF_ERR(split_link(ctx, &rest, ax, n - done, sizes + done, pieces + done));
    S3F_RETURN_IF_ERR(split_node(ctx, rest, ax, n - done, sizes + done, pieces + done));
    memcpy(outs, pieces, (size_t)n * sizeof *pieces);
    return S3F_OK;
}
