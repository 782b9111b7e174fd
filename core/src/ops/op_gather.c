/* op_gather.c — gather_rows (out[i] = x[index[i]]) and scatter_add_rows
 * (out[index[i]] += x[i]), each the other's backward. Kernels are in
 * gather_kernels.h. Not segment reductions over sorted CSR offsets: those are
 * op_segment.c.
 *
 * Why a row grouping and no atomics: a scatter-add done position by position
 * would have threads race on rows that several positions address, and
 * atomics or per-thread partial sums would make each row's sum depend on the
 * thread count. Instead a stable counting sort (group_by_row, O(n + R),
 * sequential, arena memory) lists for every target row the positions that
 * address it in increasing i; the kernels then run in parallel over target
 * rows, each summing its own contributions in that fixed order.
 *
 * Invariant: every index value was checked to lie in [0, R) before any kernel
 * or grouping reads it; results are bitwise the same for any thread count. */
#include <string.h>

#include "op_common.h"

#define KERNEL_FILE "gather_kernels.h"
#include "float_template.h"

/* The positions i of an index (n) grouped by the row they address: those
 * with index[i] == r are pos[start[r] .. start[r+1]-1], in increasing i.
 * Arena memory; also the saved state of both ops' backward. */
typedef struct row_groups {
    int64_t rows;   /* R */
    int64_t *start; /* (R+1), start[0] = 0, start[R] = n */
    int64_t *pos;   /* (n) */
} row_groups;

/* x is a float tensor with a row dimension; index a 1-D i32 tensor. */
static s3f_status check_operands(const char *op, const s3f_tensor *x, const s3f_tensor *index)
{
    S3F_RETURN_IF_ERR(op_check_float(op, "x", x));
    S3F_RETURN_IF_ERR(op_check_index(op, "index", index));
    if (x->shape.ndim == 0)
        return s3f_fail(S3F_ERR_SHAPE, "%s: x has shape () but needs a row dimension (n, ...)", op);
    return S3F_OK;
}

/* Every index value lies in [0, rows); the message names the first that
 * does not, by position and value. */
static s3f_status check_index_values(const char *op, const s3f_tensor *index, int64_t rows)
{
    const int32_t *idx = index->data;
    int64_t n = s3f_tensor_numel(index);
    for (int64_t i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= rows)
            return s3f_fail(S3F_ERR_ARG, "%s: index[%lld] = %d is out of range for %lld rows", op,
                            (long long)i, (int)idx[i], (long long)rows);
    return S3F_OK;
}

/* Stable counting sort of the positions of a validated index by value. */
static s3f_status group_by_row(s3f_ctx_t *ctx, const s3f_tensor *index, int64_t rows,
                               row_groups **out)
{
    const int32_t *idx = index->data;
    int64_t n = s3f_tensor_numel(index);
    if (rows > INT64_MAX / (int64_t)sizeof(int64_t) - 1)
        return s3f_fail(S3F_ERR_NOMEM, "row grouping: %lld rows is too many", (long long)rows);
    s3f_arena_t *arena = s3f_ctx_arena(ctx);
    row_groups *g;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *g, (void **)&g));
    S3F_RETURN_IF_ERR(
        s3f_arena_alloc(arena, (size_t)(rows + 1) * sizeof(int64_t), (void **)&g->start));
    S3F_RETURN_IF_ERR(s3f_arena_alloc(arena, (size_t)n * sizeof(int64_t), (void **)&g->pos));
    g->rows = rows;
    int64_t *start = g->start;
    memset(start, 0, (size_t)(rows + 1) * sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) start[idx[i] + 1]++;
    for (int64_t r = 0; r < rows; r++) start[r + 1] += start[r];
    /* Placing i at start[r]++ in increasing i keeps each row's positions in
     * order and leaves start[r] at the next row's start: shift back after. */
    for (int64_t i = 0; i < n; i++) g->pos[start[idx[i]]++] = i;
    for (int64_t r = rows; r > 0; r--) start[r] = start[r - 1];
    start[0] = 0;
    *out = g;
    return S3F_OK;
}

/* x's shape with the row count replaced: (rows, ...). */
static s3f_shape with_rows(const s3f_tensor *x, int64_t rows)
{
    s3f_shape shape = x->shape;
    shape.d[0] = rows;
    return shape;
}

/* ---- gather_rows ---- */
static s3f_status gather_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const row_groups *g = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx)
        OP_DISPATCH(x->dtype, rows_accumulate, dy->data, g->start, g->pos, dx->data, g->rows,
                    op_row_size(x));
    return S3F_OK;
}
static const s3f_op_def gather_def = {"gather_rows", gather_bwd};

s3f_status s3f_gather_rows(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *index, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(check_operands("gather_rows", x, index));
    int64_t rows = x->shape.d[0], n = s3f_tensor_numel(index);
    S3F_RETURN_IF_ERR(check_index_values("gather_rows", index, rows));
    s3f_tensor *y; /* (n, ...) */
    S3F_RETURN_IF_ERR(op_output(ctx, x->dtype, with_rows(x, n), &y));
    OP_DISPATCH(x->dtype, gather_forward, x->data, index->data, y->data, n, op_row_size(x));
    if (s3f_tape_wants(ctx, 1, &x)) {
        row_groups *g;
        S3F_RETURN_IF_ERR(group_by_row(ctx, index, rows, &g));
        S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &gather_def, 1, &x, 1, &y, g));
    }
    *out = y;
    return S3F_OK;
}

/* ---- scatter_add_rows ---- */
static s3f_status scatter_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    s3f_tensor *x = node->inputs[0], *dy = node->outputs[0]->grad, *dx;
    const row_groups *g = node->saved;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    if (dx)
        OP_DISPATCH(x->dtype, rows_spread_accumulate, dy->data, g->start, g->pos, dx->data, g->rows,
                    op_row_size(x));
    return S3F_OK;
}
static const s3f_op_def scatter_def = {"scatter_add_rows", scatter_bwd};

s3f_status s3f_scatter_add_rows(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *index, int64_t num_rows,
                                s3f_tensor **out)
{
    const char *op = "scatter_add_rows";
    S3F_RETURN_IF_ERR(check_operands(op, x, index));
    if (index->shape.d[0] != x->shape.d[0])
        return op_fail_shapes(op, "index needs one entry per row of x", "x", x, "index", index);
    if (num_rows < 0) return s3f_fail(S3F_ERR_ARG, "%s: num_rows is %lld", op, (long long)num_rows);
    S3F_RETURN_IF_ERR(check_index_values(op, index, num_rows));
    s3f_tensor *y; /* (R, ...) */
    row_groups *g;
    S3F_RETURN_IF_ERR(s3f_tensor_zeros(ctx, x->dtype, with_rows(x, num_rows), &y));
    S3F_RETURN_IF_ERR(group_by_row(ctx, index, num_rows, &g));
    OP_DISPATCH(x->dtype, rows_accumulate, x->data, g->start, g->pos, y->data, num_rows,
                op_row_size(x));
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &scatter_def, 1, &x, 1, &y, g));
    *out = y;
    return S3F_OK;
}
