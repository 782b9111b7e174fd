/* tensor.c — dtype facts, shapes, persistent tensors, casts and fills.
 *
 * CPU tensors are handled here; CUDA tensors go through the device seam
 * (device_internal.h) for allocation, copies and fills. Not here: step
 * tensors and views (context.c), random fills (rng.c), ops. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_internal.h"
#include "se3flow/half.h"
#include "se3flow/tensor.h"

static const struct {
    const char *name;
    size_t size;
    bool is_float;
} g_dtypes[S3F_DTYPE_COUNT_] = {
    [S3F_F32] = {"f32", 4, true},   [S3F_F64] = {"f64", 8, true},  [S3F_F16] = {"f16", 2, true},
    [S3F_BF16] = {"bf16", 2, true}, [S3F_I32] = {"i32", 4, false}, [S3F_I64] = {"i64", 8, false},
    [S3F_U8] = {"u8", 1, false},
};

static bool dtype_valid(s3f_dtype dtype)
{
    return (int)dtype >= 0 && dtype < S3F_DTYPE_COUNT_;
}

size_t s3f_dtype_size(s3f_dtype dtype)
{
    return dtype_valid(dtype) ? g_dtypes[dtype].size : 0;
}

const char *s3f_dtype_name(s3f_dtype dtype)
{
    return dtype_valid(dtype) ? g_dtypes[dtype].name : "invalid-dtype";
}

bool s3f_dtype_is_float(s3f_dtype dtype)
{
    return dtype_valid(dtype) && g_dtypes[dtype].is_float;
}

int64_t s3f_shape_numel(const s3f_shape *shape)
{
    int64_t n = 1;
    for (int i = 0; i < shape->ndim; i++) n *= shape->d[i];
    return n;
}

bool s3f_shape_equal(const s3f_shape *a, const s3f_shape *b)
{
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->d[i] != b->d[i]) return false;
    return true;
}

const char *s3f_shape_format(const s3f_shape *shape, char *buf, size_t size)
{
    size_t used = 0;
    int n = snprintf(buf, size, "(");
    for (int i = 0; n >= 0 && i < shape->ndim && shape->ndim <= S3F_MAX_DIMS; i++) {
        used += (size_t)n;
        if (used >= size) break;
        n = snprintf(buf + used, size - used, i ? ", %lld" : "%lld", (long long)shape->d[i]);
    }
    if (n >= 0) used += (size_t)n;
    if (used < size) snprintf(buf + used, size - used, ")");
    return buf;
}

s3f_status s3f_shape_check(const s3f_shape *shape, s3f_dtype dtype)
{
    if (!dtype_valid(dtype)) return s3f_fail(S3F_ERR_DTYPE, "invalid dtype %d", (int)dtype);
    if (shape->ndim < 0 || shape->ndim > S3F_MAX_DIMS)
        return s3f_fail(S3F_ERR_SHAPE, "a tensor has %d dimensions; se3flow supports 0 to %d",
                        shape->ndim, S3F_MAX_DIMS);
    /* Both the byte count (size_t) and the element count (int64_t, as
     * s3f_shape_numel returns it) must fit: for u8 the second is tighter. */
    uint64_t limit = (uint64_t)SIZE_MAX / s3f_dtype_size(dtype), n = 1;
    if (limit > (uint64_t)INT64_MAX) limit = (uint64_t)INT64_MAX;
    for (int i = 0; i < shape->ndim; i++) {
        char buf[128];
        if (shape->d[i] < 0)
            return s3f_fail(S3F_ERR_SHAPE, "negative size in shape %s",
                            s3f_shape_format(shape, buf, sizeof buf));
        if (shape->d[i] && n > limit / (uint64_t)shape->d[i])
            return s3f_fail(S3F_ERR_SHAPE, "shape %s of %s is too large to address",
                            s3f_shape_format(shape, buf, sizeof buf), s3f_dtype_name(dtype));
        n *= (uint64_t)shape->d[i];
    }
    return S3F_OK;
}

int64_t s3f_tensor_numel(const s3f_tensor *t)
{
    return s3f_shape_numel(&t->shape);
}

size_t s3f_tensor_nbytes(const s3f_tensor *t)
{
    return (size_t)s3f_tensor_numel(t) * s3f_dtype_size(t->dtype);
}

s3f_status s3f_tensor_create_on(s3f_dtype dtype, s3f_shape shape, s3f_device device,
                                s3f_tensor **out)
{
    S3F_RETURN_IF_ERR(s3f_shape_check(&shape, dtype));
    if (device != S3F_CPU && device != S3F_CUDA)
        return s3f_fail(S3F_ERR_ARG, "unknown device %d", (int)device);
    s3f_tensor *t = calloc(1, sizeof *t);
    if (!t) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate a tensor header");
    t->dtype = dtype;
    t->device = device;
    t->shape = shape;
    t->flags = S3F_TENSOR_HEAP | S3F_TENSOR_OWNS_DATA;
    size_t bytes = s3f_tensor_nbytes(t);
    if (device == S3F_CUDA) {
        s3f_status rc = dev_cuda_alloc(bytes, &t->data);
        if (rc != S3F_OK) free(t);
        if (rc == S3F_OK) *out = t;
        return rc;
    }
    /* 64-byte aligned, as arena tensors are: calloc gives only 16, and the
     * parameter slabs (params.h) promise 64-byte aligned views into them. */
    if (posix_memalign(&t->data, 64, bytes ? bytes : 1) != 0) t->data = NULL;
    if (t->data) memset(t->data, 0, bytes);
    if (!t->data) {
        free(t);
        return s3f_fail(S3F_ERR_NOMEM, "cannot allocate %zu bytes for a tensor", bytes);
    }
    *out = t;
    return S3F_OK;
}

s3f_status s3f_tensor_create(s3f_dtype dtype, s3f_shape shape, s3f_tensor **out)
{
    return s3f_tensor_create_on(dtype, shape, S3F_CPU, out);
}

void s3f_tensor_destroy(s3f_tensor *t)
{
    if (!t) return;
    S3F_ASSERT(t->flags & S3F_TENSOR_HEAP);
    if (t->grad && (t->grad->flags & S3F_TENSOR_HEAP)) s3f_tensor_destroy(t->grad);
    if (t->flags & S3F_TENSOR_OWNS_DATA) {
        if (t->device == S3F_CUDA)
            dev_cuda_free(t->data);
        else
            free(t->data);
    }
    free(t);
}

/* f64 -> f32 rounding to odd: the f32 result keeps a sticky last bit, so a
 * second rounding to f16/bf16 (fewer than 22 bits) is correctly rounded. */
static float f64_to_f32_round_odd(double d)
{
    float f = (float)d;
    if (!isfinite(f) || (double)f == d) return f;
    uint32_t bits = s3f_f32_bits(f);
    if (fabs((double)f) > fabs(d)) bits--; /* the first rounding went away from zero */
    return s3f_bits_f32(bits | 1u);
}

/* i64 -> f64 rounding to odd, for casts to f32/f16/bf16: a plain (double)
 * conversion rounds once and the narrowing store rounds again, which can be
 * off by one ulp above 2^53 (2^60 + 2^36 + 1 -> f32). Truncating to 53
 * significant bits with a sticky last bit makes the second rounding exact. */
static double i64_to_f64_round_odd(int64_t v)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int drop = 64 - __builtin_clzll(m | 1u) - 53; /* significant bits past 53 */
    if (drop > 0 && (m & ((UINT64_C(1) << drop) - 1u)))
        m = (m >> drop << drop) | (UINT64_C(1) << drop);
    double d = (double)m; /* exact: at most 53 significant bits */
    return v < 0 ? -d : d;
}

static double load(const void *data, s3f_dtype dtype, int64_t i)
{
    switch (dtype) {
    case S3F_F32:
        return ((const float *)data)[i];
    case S3F_F64:
        return ((const double *)data)[i];
    case S3F_F16:
        return s3f_f16_to_f32(((const uint16_t *)data)[i]);
    case S3F_BF16:
        return s3f_bf16_to_f32(((const uint16_t *)data)[i]);
    case S3F_I32:
        return ((const int32_t *)data)[i];
    case S3F_I64:
        return (double)((const int64_t *)data)[i];
    case S3F_U8:
        return ((const uint8_t *)data)[i];
    default:
        S3F_ASSERT(!"invalid dtype");
        return 0;
    }
}

static void store(void *data, s3f_dtype dtype, int64_t i, double v)
{
    switch (dtype) {
    case S3F_F32:
        ((float *)data)[i] = (float)v;
        break;
    case S3F_F64:
        ((double *)data)[i] = v;
        break;
    case S3F_F16:
        ((uint16_t *)data)[i] = s3f_f32_to_f16(f64_to_f32_round_odd(v));
        break;
    case S3F_BF16:
        ((uint16_t *)data)[i] = s3f_f32_to_bf16(f64_to_f32_round_odd(v));
        break;
    case S3F_I32:
        ((int32_t *)data)[i] = (int32_t)v;
        break;
    case S3F_I64:
        ((int64_t *)data)[i] = (int64_t)v;
        break;
    case S3F_U8:
        ((uint8_t *)data)[i] = (uint8_t)v;
        break;
    default:
        S3F_ASSERT(!"invalid dtype");
    }
}

static s3f_status check_cpu(const s3f_tensor *t, const char *what)
{
    if (t->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE,
                        "%s: converting dtypes on a CUDA device is not implemented; copy to the "
                        "CPU, cast there and copy back",
                        what);
    return S3F_OK;
}

s3f_status s3f_tensor_cast(s3f_tensor *dst, const s3f_tensor *src)
{
    int64_t n = s3f_tensor_numel(src);
    if (n != s3f_tensor_numel(dst)) {
        char a[128], b[128];
        return s3f_fail(S3F_ERR_SHAPE, "cast: source %s and destination %s differ in size",
                        s3f_shape_format(&src->shape, a, sizeof a),
                        s3f_shape_format(&dst->shape, b, sizeof b));
    }
    if (src->dtype == dst->dtype && (src->device == S3F_CUDA || dst->device == S3F_CUDA))
        return n ? dev_cuda_copy(dst->data, dst->device, src->data, src->device,
                                 s3f_tensor_nbytes(src))
                 : S3F_OK;
    S3F_RETURN_IF_ERR(check_cpu(dst, "cast"));
    S3F_RETURN_IF_ERR(check_cpu(src, "cast"));
    if (src->dtype == dst->dtype) {
        if (n) memmove(dst->data, src->data, s3f_tensor_nbytes(src));
        return S3F_OK;
    }
    bool odd = src->dtype == S3F_I64 && s3f_dtype_is_float(dst->dtype) && dst->dtype != S3F_F64;
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; i++) {
        double v = odd ? i64_to_f64_round_odd(((const int64_t *)src->data)[i])
                       : load(src->data, src->dtype, i);
        store(dst->data, dst->dtype, i, v);
    }
    return S3F_OK;
}

s3f_status s3f_tensor_copy(s3f_tensor *dst, const s3f_tensor *src)
{
    if (dst->dtype != src->dtype)
        return s3f_fail(S3F_ERR_DTYPE, "copy: source is %s but destination is %s; use a cast",
                        s3f_dtype_name(src->dtype), s3f_dtype_name(dst->dtype));
    return s3f_tensor_cast(dst, src);
}

s3f_status s3f_tensor_fill(s3f_tensor *t, double value)
{
    int64_t n = s3f_tensor_numel(t);
    if (t->device == S3F_CUDA) {
        unsigned char elem[8];
        store(elem, t->dtype, 0, value);
        return dev_cuda_fill_pattern(t->data, n, elem, s3f_dtype_size(t->dtype));
    }
    if (value == 0.0 && !signbit(value)) {
        if (n) memset(t->data, 0, s3f_tensor_nbytes(t));
        return S3F_OK;
    }
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; i++) store(t->data, t->dtype, i, value);
    return S3F_OK;
}

double s3f_tensor_get(const s3f_tensor *t, int64_t index)
{
    S3F_ASSERT(index >= 0 && index < s3f_tensor_numel(t) && t->device == S3F_CPU);
    return load(t->data, t->dtype, index);
}

void s3f_tensor_set(s3f_tensor *t, int64_t index, double value)
{
    S3F_ASSERT(index >= 0 && index < s3f_tensor_numel(t) && t->device == S3F_CPU);
    store(t->data, t->dtype, index, value);
}
