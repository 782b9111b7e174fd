/* op_gemm.h — the matrix-product engine shared by matmul and linear (core
 * internal). A call describes a batch of products op(x_j) @ op(y_j) and
 * either writes each to its own output or sums them all into one output (the
 * gradient of an operand shared across a batch).
 *
 * Not an op: nothing here checks shapes, allocates or records on the tape;
 * the ops do that and hand op_gemm dense, already validated buffers. */
#ifndef SE3FLOW_OP_GEMM_H
#define SE3FLOW_OP_GEMM_H

#include "op_common.h"

/* One factor of the products. Stored (M, K) for x and (K, N) for y, or the
 * transpose of that when `trans` is set; matrix j starts at data + j * stride
 * (elements), so a stride of 0 shares one matrix across the batch. */
typedef struct gemm_operand {
    const void *data; /* borrowed */
    bool trans;
    int64_t stride;
} gemm_operand;

/* out_j (M, N) = op(x_j) (M, K) @ op(y_j) (K, N) for j < count; with `sum`,
 * out (M, N) = sum over j in increasing order instead (zero when count is 0).
 * With `accumulate` the result is added into out (+=) rather than written.
 * out must not overlap x or y. */
typedef struct gemm_call {
    int64_t count;
    bool sum, accumulate;
    int64_t m, n, k;
    gemm_operand x, y;
    void *out; /* (count, M, N), or (M, N) with sum; borrowed */
} gemm_call;

/* Runs the call for an f32 or f64 dtype (all buffers of that dtype). Bitwise
 * the same result for any OpenMP thread count. */
void op_gemm(s3f_dtype dtype, const gemm_call *call);

#endif
