/* ops.h — the differentiable ops of core.
 *
 * Each op checks its inputs, allocates its output(s) from the context's arena,
 * computes the forward pass and, when the context wants gradients for one of
 * its inputs, records itself on the tape (autograd.h). Every op has CPU
 * kernels for f32 and f64; all float inputs of one call share a dtype. Index
 * tensors (`index`, `offsets`) are i32 and never differentiated. Results are
 * bitwise identical for any OpenMP thread count.
 *
 * All tensor arguments are borrowed. Outputs are owned by the arena. Errors:
 * S3F_ERR_SHAPE (message shows the shapes involved), S3F_ERR_DTYPE,
 * S3F_ERR_DEVICE, S3F_ERR_ARG, S3F_ERR_NOMEM (arena exhausted).
 *
 * Dimension letters as in dims.h; `...` is any number of leading dims. */
#ifndef SE3FLOW_OPS_H
#define SE3FLOW_OPS_H

#include "se3flow/autograd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- products ---------------------------------------------------------- */

/* out = op(a) @ op(b), op = transpose when the flag is set.
 * a: (M, K) or (Bt, M, K) (stored (K, M) / (Bt, K, M) when trans_a);
 * b: (K, N) or (Bt, K, N) (stored transposed when trans_b);
 * out: (M, N), or (Bt, M, N) when either is batched (a 2-D operand is shared
 * across the batch, and its gradient sums over the batch). Any size may be
 * 0; K = 0 gives zeros. Small products run as a loop, large ones as BLAS.
 * S3F_ERR_SHAPE for operands that are not 2-D or 3-D, differing K or
 * differing batch sizes. */
S3F_API s3f_status s3f_matmul(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, bool trans_a,
                              bool trans_b, s3f_tensor **out);

/* out (..., O) = x (..., I) @ weight (O, I)^T + bias (O); bias may be NULL.
 * x has at least one dim; its leading dims are flattened into one product.
 * I = 0 gives the bias (or zeros). */
S3F_API s3f_status s3f_linear(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *weight, s3f_tensor *bias,
                              s3f_tensor **out);

/* out (...) = sum over the last axis of a (..., D) * b (..., D). a and b
 * have the same shape, at least 1-D (a 1-D pair gives a scalar); D = 0
 * gives zeros. */
S3F_API s3f_status s3f_rowdot(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out);

/* ---- elementwise ------------------------------------------------------- */

/* Binary ops with NumPy broadcasting: shapes are aligned at the last axis;
 * each pair of sizes must be equal or one of them 1 (a missing leading dim
 * counts as 1). The output has the broadcast shape. The gradient of a
 * broadcast operand is summed over its broadcast dims in a fixed order.
 * S3F_ERR_SHAPE (both shapes in the message) when the shapes do not
 * broadcast; S3F_ERR_DTYPE when a and b differ in dtype. */
S3F_API s3f_status s3f_add(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out);
S3F_API s3f_status s3f_sub(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out);
S3F_API s3f_status s3f_mul(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out);
S3F_API s3f_status s3f_div(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out);

/* out = alpha * x */
S3F_API s3f_status s3f_scale(s3f_ctx_t *ctx, s3f_tensor *x, double alpha, s3f_tensor **out);
/* relu: gradient 0 at x <= 0. */
S3F_API s3f_status s3f_relu(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out);
S3F_API s3f_status s3f_sigmoid(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out);
S3F_API s3f_status s3f_exp(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out);
/* sqrt of x >= 0 (NaN below, as C's sqrt). */
S3F_API s3f_status s3f_sqrt(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out);
/* out = min(max(x, lo), hi); use -INFINITY / INFINITY for one-sided clamps.
 * The gradient passes where lo <= x <= hi, and is 0 elsewhere. */
S3F_API s3f_status s3f_clamp(s3f_ctx_t *ctx, s3f_tensor *x, double lo, double hi, s3f_tensor **out);

/* ---- reductions -------------------------------------------------------- */

/* Reduce along `axis` (negative counts from the end; S3F_ERR_ARG when out
 * of range). keepdim keeps it as size 1. Sums accumulate in double. max:
 * ties go to the first index, which alone gets the gradient; a NaN wins (the
 * first one); max over a zero-size axis is S3F_ERR_SHAPE; mean over one
 * gives NaN as the mean of nothing (sum 0 / 0), so callers should not ask
 * for it. */
S3F_API s3f_status s3f_sum(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim, s3f_tensor **out);
S3F_API s3f_status s3f_mean(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim,
                            s3f_tensor **out);
S3F_API s3f_status s3f_max(s3f_ctx_t *ctx, s3f_tensor *x, int axis, bool keepdim, s3f_tensor **out);
/* Sum of every element into a scalar (shape ()). */
S3F_API s3f_status s3f_sum_all(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor **out);

/* out (..., 1) or (...) = max(||x||_2 over the last axis, min_norm). The
 * gradient is 0 where the clamp is active (as torch's clamp(min=): it passes
 * where ||x|| >= min_norm) and where ||x|| = 0, so a zero vector never gives
 * NaN. S3F_ERR_SHAPE for a 0-D x, S3F_ERR_ARG for a NaN min_norm. */
S3F_API s3f_status s3f_vector_norm(s3f_ctx_t *ctx, s3f_tensor *x, double min_norm, bool keepdim,
                                   s3f_tensor **out);

/* ---- normalisation ----------------------------------------------------- */

/* Layer norm over the last axis of x (..., C), as torch.nn.LayerNorm((C,)):
 * x_hat = (x - mean) / sqrt(biased variance + eps), then
 * gamma (C) * x_hat + beta (C). gamma and beta are both NULL (no affine) or
 * both given; S3F_ERR_ARG otherwise, or when eps is negative or not finite. */
S3F_API s3f_status s3f_layer_norm(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *gamma,
                                  s3f_tensor *beta, double eps, s3f_tensor **out);

/* Group norm as torch.nn.GroupNorm: x (N, C, ...) where C is split into
 * `groups` groups of C/groups channels; mean and biased variance per
 * (sample, group) over the group's channels and all trailing positions (x may
 * be (N, C) with none), eps inside the square root; then per-channel affine
 * gamma (C), beta (C) (both NULL for none). S3F_ERR_ARG if groups does not
 * divide C, for a lone gamma or beta, or a negative or non-finite eps. */
S3F_API s3f_status s3f_group_norm(s3f_ctx_t *ctx, s3f_tensor *x, int groups, s3f_tensor *gamma,
                                  s3f_tensor *beta, double eps, s3f_tensor **out);

/* ---- shape ------------------------------------------------------------- */

/* Same data in another shape with the same element count (S3F_ERR_SHAPE
 * otherwise). *out is a new header over x's data, as a view: writes through
 * either show in both. It has its own gradient, which backward adds into x's
 * in x's shape. */
S3F_API s3f_status s3f_reshape(s3f_ctx_t *ctx, s3f_tensor *x, s3f_shape shape, s3f_tensor **out);
/* out.shape[i] = x.shape[perm[i]]; perm (ndim entries, borrowed) is a
 * permutation of 0..ndim-1 (S3F_ERR_ARG otherwise). The output is a copy. */
S3F_API s3f_status s3f_permute(s3f_ctx_t *ctx, s3f_tensor *x, const int *perm, s3f_tensor **out);
/* Joins n >= 1 tensors xs (n, borrowed) along `axis`; all other sizes must
 * agree (S3F_ERR_SHAPE). More than S3F_OP_MAX_INPUTS inputs are recorded as a
 * chain of tape nodes. */
S3F_API s3f_status s3f_concat(s3f_ctx_t *ctx, int n, s3f_tensor *const *xs, int axis,
                              s3f_tensor **out);
/* Cuts x along `axis` into n >= 1 pieces of sizes[i] >= 0 (S3F_ERR_ARG)
 * summing to the axis size (S3F_ERR_SHAPE); outs[i] receives piece i (a
 * copy; outs is written only on success). One tape node with n outputs (a
 * chain of nodes past S3F_OP_MAX_OUTPUTS); a piece that never reaches the
 * loss adds nothing to x's gradient. */
S3F_API s3f_status s3f_split(s3f_ctx_t *ctx, s3f_tensor *x, int axis, int n, const int64_t *sizes,
                             s3f_tensor **outs);

/* ---- indexing and graph segments -------------------------------------- */

/* out (n, ...) = x (R, ...)[index (n)], rows picked by index (0 <= i < R).
 * A value outside [0, R) is S3F_ERR_ARG naming its position and value. The
 * backward is a scatter-add: a row picked several times sums its gradients
 * in increasing position. */
S3F_API s3f_status s3f_gather_rows(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *index,
                                   s3f_tensor **out);
/* out (R, ...) zero, then out[index[i]] += x[i] for x (n, ...), index (n)
 * and R = num_rows >= 0. Each output row sums its contributions in
 * increasing i (deterministic, no atomics); rows that no index names stay 0.
 * A value outside [0, R) is S3F_ERR_ARG naming its position and value. */
S3F_API s3f_status s3f_scatter_add_rows(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *index,
                                        int64_t num_rows, s3f_tensor **out);

/* Segment reductions over rows: segment s covers rows
 * offsets[s] .. offsets[s+1]-1 of x (E, ...), with offsets (S+1) i32 rising
 * from 0 to E (a CSR row pointer, e.g. incoming edges of each node).
 * out (S, ...). Empty segments give 0 (sum, mean, and max alike). max: ties
 * go to the first row, which alone gets the gradient; NaN propagates.
 * Offsets that do not start at 0, decrease, or end anywhere but E are
 * S3F_ERR_ARG naming the position. */
S3F_API s3f_status s3f_segment_sum(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets,
                                   s3f_tensor **out);
S3F_API s3f_status s3f_segment_mean(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets,
                                    s3f_tensor **out);
S3F_API s3f_status s3f_segment_max(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets,
                                   s3f_tensor **out);
/* Softmax over the rows of each segment, separately for every trailing
 * position: x (E, H) with H heads gives per-head attention weights over the
 * incoming edges of each node. Numerically stable (max subtracted). Offsets
 * as for the segment reductions; out has x's shape (E, ...). */
S3F_API s3f_status s3f_segment_softmax(s3f_ctx_t *ctx, s3f_tensor *x, s3f_tensor *offsets,
                                       s3f_tensor **out);

/* ---- losses ------------------------------------------------------------ */

/* Mean over all elements of |pred - target| or (pred - target)^2; scalar
 * output (NaN for empty inputs: 0 / 0). Shapes must be equal
 * (S3F_ERR_SHAPE). Gradients go to both pred and target; that of |.| at 0
 * is 0. */
S3F_API s3f_status s3f_l1_loss(s3f_ctx_t *ctx, s3f_tensor *pred, s3f_tensor *target,
                               s3f_tensor **out);
S3F_API s3f_status s3f_mse_loss(s3f_ctx_t *ctx, s3f_tensor *pred, s3f_tensor *target,
                                s3f_tensor **out);

#ifdef __cplusplus
}
#endif
#endif
