/* context.c — contexts, step tensors and views (context.h).
 *
 * Step tensors are a header and data carved from the arena in one go. */
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"

s3f_status s3f_ctx_create(size_t arena_limit_bytes, s3f_ctx_t **out)
{
    s3f_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate a context");
    s3f_status rc = s3f_arena_create(arena_limit_bytes, &ctx->arena);
    if (rc != S3F_OK) {
        free(ctx);
        return rc;
    }
    ctx->grad_enabled = true;
    *out = ctx;
    return S3F_OK;
}

void s3f_ctx_destroy(s3f_ctx_t *ctx)
{
    if (!ctx) return;
    s3f_arena_destroy(ctx->arena);
    free(ctx->tape);
    free(ctx);
}

void s3f_ctx_reset(s3f_ctx_t *ctx)
{
    ctx->tape_size = 0;
    s3f_arena_reset(ctx->arena);
}

bool s3f_ctx_set_grad(s3f_ctx_t *ctx, bool enabled)
{
    bool previous = ctx->grad_enabled;
    ctx->grad_enabled = enabled;
    return previous;
}

bool s3f_ctx_grad_enabled(const s3f_ctx_t *ctx)
{
    return ctx->grad_enabled;
}

s3f_arena_t *s3f_ctx_arena(s3f_ctx_t *ctx)
{
    return ctx->arena;
}

static s3f_status new_header(s3f_ctx_t *ctx, s3f_tensor **out)
{
    void *memory;
    S3F_RETURN_IF_ERR(s3f_arena_alloc(ctx->arena, sizeof(s3f_tensor), &memory));
    *out = memset(memory, 0, sizeof(s3f_tensor));
    return S3F_OK;
}

s3f_status s3f_tensor_empty(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_shape_check(&shape, dtype));
    s3f_tensor *t;
    S3F_RETURN_IF_ERR(new_header(ctx, &t));
    t->dtype = dtype;
    t->device = S3F_CPU;
    t->shape = shape;
    S3F_RETURN_IF_ERR(s3f_arena_alloc(ctx->arena, s3f_tensor_nbytes(t), &t->data));
    *out = t;
    return S3F_OK;
}

s3f_status s3f_tensor_zeros(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape, s3f_tensor **out)
{
    s3f_tensor *t;
    S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dtype, shape, &t));
    memset(t->data, 0, s3f_tensor_nbytes(t));
    *out = t;
    return S3F_OK;
}

s3f_status s3f_tensor_zeros_like(s3f_ctx_t *ctx, const s3f_tensor *like, s3f_tensor **out)
{
    return s3f_tensor_zeros(ctx, like->dtype, like->shape, out);
}

s3f_status s3f_tensor_view(s3f_ctx_t *ctx, const s3f_tensor *t, s3f_shape shape, s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_shape_check(&shape, t->dtype));
    if (s3f_shape_numel(&shape) != s3f_tensor_numel(t)) {
        char a[128], b[128];
        return s3f_fail(S3F_ERR_SHAPE, "view: cannot view %s as %s (element counts differ)",
                        s3f_shape_format(&t->shape, a, sizeof a),
                        s3f_shape_format(&shape, b, sizeof b));
    }
    s3f_tensor *v;
    S3F_RETURN_IF_ERR(new_header(ctx, &v));
    v->dtype = t->dtype;
    v->device = t->device;
    v->shape = shape;
    v->data = t->data;
    v->name = t->name;
    *out = v;
    return S3F_OK;
}

s3f_status s3f_tensor_slice(s3f_ctx_t *ctx, const s3f_tensor *t, int64_t start, int64_t count,
                            s3f_tensor **out)
{
    char a[128];
    if (t->shape.ndim < 1) return s3f_fail(S3F_ERR_SHAPE, "slice: a scalar has no rows to slice");
    /* The message shows start and count, not start + count: the sum may overflow. */
    if (start < 0 || count < 0 || start > t->shape.d[0] || count > t->shape.d[0] - start)
        return s3f_fail(
            S3F_ERR_SHAPE, "slice: %lld rows from row %lld are outside a tensor of shape %s",
            (long long)count, (long long)start, s3f_shape_format(&t->shape, a, sizeof a));
    s3f_shape shape = t->shape;
    shape.d[0] = count;
    size_t row_bytes = s3f_dtype_size(t->dtype);
    for (int i = 1; i < shape.ndim; i++) row_bytes *= (size_t)shape.d[i];
    s3f_tensor *v;
    S3F_RETURN_IF_ERR(new_header(ctx, &v));
    v->dtype = t->dtype;
    v->device = t->device;
    v->shape = shape;
    v->data = (char *)t->data + (size_t)start * row_bytes;
    v->name = t->name;
    *out = v;
    return S3F_OK;
}
