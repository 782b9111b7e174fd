/* arena.h — bump allocator for the tensors of one step.
 *
 * Every tensor made while computing a step (activations, saved tensors,
 * gradients of intermediates) is carved out of an arena and released all at
 * once by s3f_arena_reset after the optimizer step. Allocations are 64-byte
 * aligned. The arena grows in chunks up to a byte limit fixed at creation;
 * past the limit an allocation fails with S3F_ERR_NOMEM and a message naming
 * the request and the limit, never a crash. After a reset that followed a
 * multi-chunk step, the chunks are merged into one of the peak size, so that
 * steady-state steps allocate nothing from the heap.
 *
 * Not thread-safe: one arena belongs to one thread of control at a time. */
#ifndef SE3FLOW_ARENA_H
#define SE3FLOW_ARENA_H

#include <stddef.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define S3F_ARENA_ALIGN 64

typedef struct s3f_arena s3f_arena_t;

/* Makes an arena that may hold up to `limit_bytes` at once (0 means no limit
 * other than memory). *out takes ownership; free with s3f_arena_destroy. */
S3F_API s3f_status s3f_arena_create(size_t limit_bytes, s3f_arena_t **out);
S3F_API void s3f_arena_destroy(s3f_arena_t *arena);

/* `size` bytes, 64-byte aligned, uninitialised, valid until the next reset.
 * size 0 returns a valid unique non-NULL pointer. S3F_ERR_NOMEM when the
 * limit or the heap is exhausted. */
S3F_API s3f_status s3f_arena_alloc(s3f_arena_t *arena, size_t size, void **out);

/* Releases every allocation at once. */
S3F_API void s3f_arena_reset(s3f_arena_t *arena);

/* Bytes handed out since the last reset, including alignment padding. */
S3F_API size_t s3f_arena_used(const s3f_arena_t *arena);
/* The largest s3f_arena_used seen since creation (or since the last
 * s3f_arena_reset_peak). */
S3F_API size_t s3f_arena_peak(const s3f_arena_t *arena);
S3F_API void s3f_arena_reset_peak(s3f_arena_t *arena);
/* Bytes currently reserved from the heap. */
S3F_API size_t s3f_arena_reserved(const s3f_arena_t *arena);

#ifdef __cplusplus
}
#endif
#endif
