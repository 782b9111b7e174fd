/* context.h — the execution context of a step: arena, tape, gradient mode.
 *
 * Ops take a context, allocate their outputs from its arena and, when
 * gradients are enabled and an input requires them, record themselves on its
 * tape (autograd.h). s3f_ctx_reset drops the tape and every step tensor; call
 * it after the optimizer step. Tensors from s3f_tensor_empty/_zeros/_view are
 * owned by the context's arena and are never freed one by one.
 *
 * Not thread-safe: one context per thread of control. Kernels inside ops use
 * OpenMP and produce bitwise the same results for any thread count. */
#ifndef SE3FLOW_CONTEXT_H
#define SE3FLOW_CONTEXT_H

#include <stdbool.h>

#include "se3flow/arena.h"
#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_ctx s3f_ctx_t;

/* A context whose arena holds at most `arena_limit_bytes` (0: no limit).
 * *out takes ownership; free with s3f_ctx_destroy. */
S3F_API s3f_status s3f_ctx_create(size_t arena_limit_bytes, s3f_ctx_t **out);
S3F_API void s3f_ctx_destroy(s3f_ctx_t *ctx);

/* Drops the tape and releases every step tensor. */
S3F_API void s3f_ctx_reset(s3f_ctx_t *ctx);

/* Enables or disables recording (no-grad mode for evaluation). Returns the
 * previous setting so callers can restore it. */
S3F_API bool s3f_ctx_set_grad(s3f_ctx_t *ctx, bool enabled);
S3F_API bool s3f_ctx_grad_enabled(const s3f_ctx_t *ctx);

/* The context's arena (borrowed), e.g. for peak-memory figures. */
S3F_API s3f_arena_t *s3f_ctx_arena(s3f_ctx_t *ctx);

/* Step tensors (owned by the arena). _empty leaves the data uninitialised. */
S3F_API s3f_status s3f_tensor_empty(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape,
                                    s3f_tensor **out);
S3F_API s3f_status s3f_tensor_zeros(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape,
                                    s3f_tensor **out);
/* A step tensor with the same dtype and shape as `like`, zero-filled. */
S3F_API s3f_status s3f_tensor_zeros_like(s3f_ctx_t *ctx, const s3f_tensor *like, s3f_tensor **out);

/* A new header over t's data with another shape of the same element count.
 * Not recorded on the tape: use s3f_reshape (ops.h) inside differentiable
 * code. t is borrowed and must outlive the view. S3F_ERR_SHAPE. */
S3F_API s3f_status s3f_tensor_view(s3f_ctx_t *ctx, const s3f_tensor *t, s3f_shape shape,
                                   s3f_tensor **out);
/* A view of rows [start, start+count) along dimension 0 (a contiguous
 * range). Not recorded on the tape. S3F_ERR_SHAPE when out of range. */
S3F_API s3f_status s3f_tensor_slice(s3f_ctx_t *ctx, const s3f_tensor *t, int64_t start,
                                    int64_t count, s3f_tensor **out);

#ifdef __cplusplus
}
#endif
#endif
