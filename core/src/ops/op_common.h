/* op_common.h — what every core op file shares: argument checks that produce
 * the standard messages, axis arithmetic and dtype dispatch. Internal to
 * core; plugins use the public autograd.h API instead. */
#ifndef SE3FLOW_OP_COMMON_H
#define SE3FLOW_OP_COMMON_H

#include "se3flow/ops.h"

/* Calls name_f32(...) or name_f64(...) according to a float dtype. */
#define OP_DISPATCH(dtype, name, ...)                                                              \
    do {                                                                                           \
        if ((dtype) == S3F_F32)                                                                    \
            name##_f32(__VA_ARGS__);                                                               \
        else                                                                                       \
            name##_f64(__VA_ARGS__);                                                               \
    } while (0)

/* Minimum trip count before a loop is worth running in parallel. */
#define OP_PARALLEL_MIN 16384

/* t is non-NULL, f32 or f64, on the CPU. `arg` names it in messages. */
s3f_status op_check_float(const char *op, const char *arg, const s3f_tensor *t);
/* a and b have the same dtype (both already checked as floats). */
s3f_status op_check_same_dtype(const char *op, const s3f_tensor *a, const s3f_tensor *b);
/* t is a 1-D i32 CPU tensor. */
s3f_status op_check_index(const char *op, const char *arg, const s3f_tensor *t);
/* S3F_ERR_SHAPE: "<op>: <what>: <a_name> has shape (..) but <b_name> has shape (..)". */
s3f_status op_fail_shapes(const char *op, const char *what, const char *a_name, const s3f_tensor *a,
                          const char *b_name, const s3f_tensor *b);
/* A negative axis counts from the end; S3F_ERR_ARG when out of range. */
s3f_status op_axis(const char *op, int axis, int ndim, int *out);
/* Product of shape sizes in [from, to). */
int64_t op_span(const s3f_shape *shape, int from, int to);
/* Number of elements in one row of t (all dims but the first; 1 for 1-D). */
int64_t op_row_size(const s3f_tensor *t);

/* New step tensor for an op's output; same as s3f_tensor_empty. */
s3f_status op_output(s3f_ctx_t *ctx, s3f_dtype dtype, s3f_shape shape, s3f_tensor **out);

#endif
