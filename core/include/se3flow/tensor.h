/* tensor.h — the one tensor type.
 *
 * A tensor is a dtype, a device, a shape of up to S3F_MAX_DIMS dimensions and
 * a pointer to contiguous row-major data. It is not a strided view: every
 * tensor is dense, so kernels index it as a flat array. Tensors made during a
 * step live in the context's arena (see context.h) and are never freed one by
 * one; persistent tensors (parameters, optimizer state, datasets) come from
 * s3f_tensor_create and are freed with s3f_tensor_destroy.
 *
 * f16 and bf16 are storage types: s3f_tensor_cast converts them exactly
 * (round to nearest even); ops compute in f32 or f64. */
#ifndef SE3FLOW_TENSOR_H
#define SE3FLOW_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define S3F_MAX_DIMS 6

typedef enum s3f_dtype {
    S3F_F32 = 0,
    S3F_F64 = 1,
    S3F_F16 = 2,
    S3F_BF16 = 3,
    S3F_I32 = 4,
    S3F_I64 = 5,
    S3F_U8 = 6,
    S3F_DTYPE_COUNT_ /* keep last; not a dtype */
} s3f_dtype;

typedef enum s3f_device { S3F_CPU = 0, S3F_CUDA = 1 } s3f_device;

typedef struct s3f_shape {
    int ndim;                /* 0 (a scalar) .. S3F_MAX_DIMS */
    int64_t d[S3F_MAX_DIMS]; /* sizes; entries past ndim are unused */
} s3f_shape;

/* S3F_SHAPE(4, 3) builds an s3f_shape of 1 to 6 dimensions in place. */
#define S3F_NARGS_(...)                           S3F_NARGS_PICK_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define S3F_NARGS_PICK_(a, b, c, d, e, f, n, ...) n
#define S3F_SHAPE(...)                            ((s3f_shape){.ndim = S3F_NARGS_(__VA_ARGS__), .d = {__VA_ARGS__}})
#define S3F_SCALAR_SHAPE                          ((s3f_shape){.ndim = 0})

/* Flags of s3f_tensor.flags. */
enum {
    S3F_TENSOR_OWNS_DATA = 1u << 0, /* data was malloc'ed with the tensor; destroy frees it */
    S3F_TENSOR_HEAP = 1u << 1,      /* the header itself is heap-allocated (s3f_tensor_create) */
};

typedef struct s3f_tensor s3f_tensor;
struct s3f_tensor {
    s3f_dtype dtype;
    s3f_device device;
    s3f_shape shape;
    void *data;         /* numel * s3f_dtype_size(dtype) bytes, contiguous row-major */
    s3f_tensor *grad;   /* same dtype and shape; NULL until backward reaches it */
    bool requires_grad; /* parameters, and every op output computed from one */
    unsigned flags;     /* S3F_TENSOR_* */
    const char *name;   /* borrowed, for messages; may be NULL */
};

/* dtype facts. Thread-safe. */
S3F_API size_t s3f_dtype_size(s3f_dtype dtype);
S3F_API const char *s3f_dtype_name(s3f_dtype dtype);
S3F_API bool s3f_dtype_is_float(s3f_dtype dtype);

/* Shape helpers. s3f_shape_format writes "(3, 4)" into buf (always
 * NUL-terminated) and returns buf. */
S3F_API int64_t s3f_shape_numel(const s3f_shape *shape);
S3F_API bool s3f_shape_equal(const s3f_shape *a, const s3f_shape *b);
S3F_API const char *s3f_shape_format(const s3f_shape *shape, char *buf, size_t size);
/* Checks 0 <= ndim <= S3F_MAX_DIMS, sizes >= 0 and that the byte size of
 * `dtype` elements fits in size_t; S3F_ERR_SHAPE otherwise. */
S3F_API s3f_status s3f_shape_check(const s3f_shape *shape, s3f_dtype dtype);

S3F_API int64_t s3f_tensor_numel(const s3f_tensor *t);
S3F_API size_t s3f_tensor_nbytes(const s3f_tensor *t);

/* A persistent, zero-filled CPU tensor. *out takes ownership of header and
 * data; free with s3f_tensor_destroy. S3F_ERR_SHAPE, S3F_ERR_NOMEM. */
S3F_API s3f_status s3f_tensor_create(s3f_dtype dtype, s3f_shape shape, s3f_tensor **out);
/* Frees a tensor made by s3f_tensor_create. NULL is a no-op. Arena tensors
 * must not be passed here. */
S3F_API void s3f_tensor_destroy(s3f_tensor *t);

/* Copies src into dst, converting dtype (f16/bf16 round to nearest even,
 * float to integer truncates toward zero). Shapes must hold the same number
 * of elements; S3F_ERR_SHAPE otherwise. Both tensors are borrowed. */
S3F_API s3f_status s3f_tensor_cast(s3f_tensor *dst, const s3f_tensor *src);
/* s3f_tensor_cast restricted to equal dtypes (a plain copy). */
S3F_API s3f_status s3f_tensor_copy(s3f_tensor *dst, const s3f_tensor *src);
/* Sets every element to `value` converted to the tensor's dtype. */
S3F_API s3f_status s3f_tensor_fill(s3f_tensor *t, double value);

/* One element as double, at a flat row-major index (for tests and tools, not
 * for hot loops). Index must be in range (asserted). */
S3F_API double s3f_tensor_get(const s3f_tensor *t, int64_t index);
S3F_API void s3f_tensor_set(s3f_tensor *t, int64_t index, double value);

#ifdef __cplusplus
}
#endif
#endif
