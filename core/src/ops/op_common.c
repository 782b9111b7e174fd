/* op_common.c — shared argument checks and helpers for core ops. */
#include "op_common.h"

s3f_status op_check_float(const char *op, const char *arg, const s3f_tensor *t)
{
    if (!t) return s3f_fail(S3F_ERR_ARG, "%s: %s is NULL", op, arg);
    if (t->dtype != S3F_F32 && t->dtype != S3F_F64)
        return s3f_fail(S3F_ERR_DTYPE, "%s: %s is %s; this op computes in f32 or f64 (cast first)",
                        op, arg, s3f_dtype_name(t->dtype));
    if (t->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "%s: %s is on a CUDA device; no CUDA kernel yet", op, arg);
    return S3F_OK;
}

s3f_status op_check_same_dtype(const char *op, const s3f_tensor *a, const s3f_tensor *b)
{
    if (a->dtype != b->dtype)
        return s3f_fail(S3F_ERR_DTYPE, "%s: operands have different dtypes (%s and %s)", op,
                        s3f_dtype_name(a->dtype), s3f_dtype_name(b->dtype));
    return S3F_OK;
}

s3f_status op_check_index(const char *op, const char *arg, const s3f_tensor *t)
{
    if (!t) return s3f_fail(S3F_ERR_ARG, "%s: %s is NULL", op, arg);
    if (t->dtype != S3F_I32)
        return s3f_fail(S3F_ERR_DTYPE, "%s: %s must be i32, not %s", op, arg,
                        s3f_dtype_name(t->dtype));
    if (t->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "%s: %s is on a CUDA device; no CUDA kernel yet", op, arg);
    if (t->shape.ndim != 1) {
        char a[128];
        return s3f_fail(S3F_ERR_SHAPE, "%s: %s must be 1-D, not %s", op, arg,
                        s3f_shape_format(&t->shape, a, sizeof a));
    }
    return S3F_OK;
}

s3f_status op_fail_shapes(const char *op, const char *what, const char *a_name, const s3f_tensor *a,
                          const char *b_name, const s3f_tensor *b)
{
    char sa[128], sb[128];
    return s3f_fail(S3F_ERR_SHAPE, "%s: %s: %s has shape %s but %s has shape %s", op, what, a_name,
                    s3f_shape_format(&a->shape, sa, sizeof sa), b_name,
                    s3f_shape_format(&b->shape, sb, sizeof sb));
}

s3f_status op_axis(const char *op, int axis, int ndim, int *out)
{
    int a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim)
        return s3f_fail(S3F_ERR_ARG, "%s: axis %d is out of range for a %d-D tensor", op, axis,
                        ndim);
    *out = a;
    return S3F_OK;
}

int64_t op_span(const s3f_shape *shape, int from, int to)
{
    int64_t n = 1;
    for (int i = from; i < to; i++) n *= shape->d[i];
    return n;
}

int64_t op_row_size(const s3f_tensor *t)
{
    return op_span(&t->shape, 1, t->shape.ndim);
}

s3f_status op_output(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape, s3f_tensor **out)
{
    return s3f_tensor_empty(ctx, dtype, shape, out);
}
