/* op_matmul.c — s3f_matmul: op(a) @ op(b) for 2-D and batched (3-D)
 * operands, a 2-D operand shared across the other's batch; forward and
 * backward side by side.
 *
 * Not the arithmetic: every product, the gradients' included, is one op_gemm
 * call (op_gemm.c), which picks a loop or BLAS and keeps the bits independent
 * of the thread count.
 *
 * Invariant: the plan made from the shapes in the forward pass is saved on
 * the tape, and the backward derives its products from that plan alone. */
#include <stdio.h>

#include "op_gemm.h"

/* One product op(a) (M, K) @ op(b) (K, N) per batch entry. */
typedef struct mm_plan {
    bool ta, tb;
    int64_t batch;              /* Bt; 1 when nothing is batched, or when folded */
    int64_t m, k, n;            /* M covers all Bt * M rows when folded */
    int64_t a_stride, b_stride; /* elements between batch entries; 0: shared */
} mm_plan;

/* The last two sizes of t as the (rows, cols) of op(t). */
static void mm_op_dims(const s3f_tensor *t, bool trans, int64_t *rows, int64_t *cols)
{
    const int64_t *d = t->shape.d + t->shape.ndim - 2;
    *rows = trans ? d[1] : d[0];
    *cols = trans ? d[0] : d[1];
}

static s3f_status mm_check(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb)
{
    S3F_RETURN_IF_ERR(op_check_float("matmul", "a", a));
    S3F_RETURN_IF_ERR(op_check_float("matmul", "b", b));
    S3F_RETURN_IF_ERR(op_check_same_dtype("matmul", a, b));
    int na = a->shape.ndim, nb = b->shape.ndim;
    if (na < 2 || na > 3 || nb < 2 || nb > 3)
        return op_fail_shapes("matmul", "operands must be 2-D or 3-D", "a", a, "b", b);
    int64_t m, ka, kb, n;
    mm_op_dims(a, ta, &m, &ka);
    mm_op_dims(b, tb, &kb, &n);
    if (ka != kb) {
        char what[160];
        snprintf(what, sizeof what,
                 "inner dimensions differ (op(a) has K = %lld, op(b) has K = %lld; trans_a %d, "
                 "trans_b %d)",
                 (long long)ka, (long long)kb, ta, tb);
        return op_fail_shapes("matmul", what, "a", a, "b", b);
    }
    if (na == 3 && nb == 3 && a->shape.d[0] != b->shape.d[0])
        return op_fail_shapes("matmul", "batch sizes differ", "a", a, "b", b);
    return S3F_OK;
}

/* The products of a checked call; the out shape is mm_out_shape's. */
static mm_plan mm_plan_of(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb)
{
    mm_plan p = {.ta = ta, .tb = tb, .batch = 1};
    mm_op_dims(a, ta, &p.m, &p.k);
    mm_op_dims(b, tb, &p.k, &p.n);
    bool a3 = a->shape.ndim == 3, b3 = b->shape.ndim == 3;
    if (a3 && !b3 && !ta) {
        /* (Bt, M, K) @ (K, N) is one (Bt * M, K) @ (K, N) product: one large
         * gemm instead of Bt small ones, and a plain gemm for b's gradient. */
        p.m *= a->shape.d[0];
        return p;
    }
    if (a3 || b3) p.batch = a3 ? a->shape.d[0] : b->shape.d[0];
    p.a_stride = a3 ? p.m * p.k : 0;
    p.b_stride = b3 ? p.k * p.n : 0;
    return p;
}

static s3f_shape mm_out_shape(const s3f_tensor *a, const s3f_tensor *b, bool ta, bool tb)
{
    int64_t m, k, n;
    mm_op_dims(a, ta, &m, &k);
    mm_op_dims(b, tb, &k, &n);
    if (a->shape.ndim == 3) return S3F_SHAPE(a->shape.d[0], m, n);
    if (b->shape.ndim == 3) return S3F_SHAPE(b->shape.d[0], m, n);
    return S3F_SHAPE(m, n);
}

/* dA = dC @ op(B)^T, stored transposed (op(B) @ dC^T) when trans_a; summed
 * over the batch when a is shared. */
static gemm_call mm_grad_a(const mm_plan *p, const s3f_tensor *b, const s3f_tensor *dc,
                           s3f_tensor *da)
{
    int64_t dc_stride = p->m * p->n;
    gemm_call g = {
        .count = p->batch, .sum = p->a_stride == 0, .accumulate = true, .k = p->n, .out = da->data};
    if (p->ta) { /* dA (K, M) = op(B) (K, N) @ dC^T (N, M) */
        g.m = p->k, g.n = p->m;
        g.x = (gemm_operand){b->data, p->tb, p->b_stride};
        g.y = (gemm_operand){dc->data, true, dc_stride};
    } else { /* dA (M, K) = dC (M, N) @ op(B)^T (N, K) */
        g.m = p->m, g.n = p->k;
        g.x = (gemm_operand){dc->data, false, dc_stride};
        g.y = (gemm_operand){b->data, !p->tb, p->b_stride};
    }
    return g;
}

/* dB = op(A)^T @ dC, stored transposed (dC^T @ op(A)) when trans_b; summed
 * over the batch when b is shared. */
static gemm_call mm_grad_b(const mm_plan *p, const s3f_tensor *a, const s3f_tensor *dc,
                           s3f_tensor *db)
{
    int64_t dc_stride = p->m * p->n;
    gemm_call g = {
        .count = p->batch, .sum = p->b_stride == 0, .accumulate = true, .k = p->m, .out = db->data};
    if (p->tb) { /* dB (N, K) = dC^T (N, M) @ op(A) (M, K) */
        g.m = p->n, g.n = p->k;
        g.x = (gemm_operand){dc->data, true, dc_stride};
        g.y = (gemm_operand){a->data, p->ta, p->a_stride};
    } else { /* dB (K, N) = op(A)^T (K, M) @ dC (M, N) */
        g.m = p->k, g.n = p->n;
        g.x = (gemm_operand){a->data, !p->ta, p->a_stride};
        g.y = (gemm_operand){dc->data, false, dc_stride};
    }
    return g;
}

static s3f_status matmul_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const mm_plan *p = node->saved;
    s3f_tensor *a = node->inputs[0], *b = node->inputs[1], *dc = node->outputs[0]->grad;
    s3f_tensor *da, *db;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, a, &da));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, b, &db));
    if (da) {
        gemm_call g = mm_grad_a(p, b, dc, da);
        op_gemm(a->dtype, &g);
    }
    if (db) {
        gemm_call g = mm_grad_b(p, a, dc, db);
        op_gemm(a->dtype, &g);
    }
    return S3F_OK;
}
static const s3f_op_def matmul_def = {"matmul", matmul_bwd};

static s3f_status mm_record(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor *c,
                            const mm_plan *plan)
{
    s3f_tensor *in[2] = {a, b};
    if (!s3f_tape_wants(ctx, 2, in)) return S3F_OK;
    mm_plan *saved;
    S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *saved, (void **)&saved));
    *saved = *plan;
    return s3f_tape_record(ctx, &matmul_def, 2, in, 1, &c, saved);
}

s3f_status s3f_matmul(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, bool trans_a, bool trans_b,
                      s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(mm_check(a, b, trans_a, trans_b));
    mm_plan p = mm_plan_of(a, b, trans_a, trans_b);
    s3f_tensor *c;
    S3F_RETURN_IF_ERR(op_output(ctx, a->dtype, mm_out_shape(a, b, trans_a, trans_b), &c));
    gemm_call g = {.count = p.batch,
                   .m = p.m,
                   .n = p.n,
                   .k = p.k,
                   .x = {a->data, trans_a, p.a_stride},
                   .y = {b->data, trans_b, p.b_stride},
                   .out = c->data};
    op_gemm(a->dtype, &g);
    S3F_RETURN_IF_ERR(mm_record(ctx, a, b, c, &p));
    *out = c;
    return S3F_OK;
}
