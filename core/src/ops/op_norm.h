/* op_norm.h — what layer norm and group norm share: both normalise x seen as
 * (N, C, S) in G groups of C/G channels (layer norm: x (..., C) as
 * (rows, C, 1) with G = 1), then apply a per-channel affine. The public ops
 * (op_layer_norm.c, op_group_norm.c) check their own arguments, map x onto
 * norm_dims and call op_norm_run; kernels are in norm_kernels.h. Internal to
 * core. */
#ifndef SE3FLOW_OP_NORM_H
#define SE3FLOW_OP_NORM_H

#include "op_common.h"

/* x seen as (n, c, s), normalised in `groups` groups; groups divides c. */
typedef struct norm_dims {
    int64_t n, c, s, groups;
} norm_dims;

/* gamma and beta are both NULL, or both 1-D of `channels` entries with x's
 * dtype; eps is finite and >= 0. `shape_rule` (e.g. "gamma and beta must be
 * (C) for x (..., C)") goes into the shape message. S3F_ERR_ARG,
 * S3F_ERR_DTYPE, S3F_ERR_SHAPE, S3F_ERR_DEVICE. */
s3f_status op_norm_check(const char *op, const char *shape_rule, const s3f_tensor *x,
                         int64_t channels, const s3f_tensor *gamma, const s3f_tensor *beta,
                         double eps);

/* Normalises x (checked) into a new *out and, when gradients are wanted,
 * records `def`, whose backward must be op_norm_backward. All tensors are
 * borrowed; *out is owned by the arena. S3F_ERR_NOMEM. */
s3f_status op_norm_run(s3f_ctx_t *ctx, const s3f_op_def *def, s3f_tensor *x, norm_dims d,
                       s3f_tensor *gamma, s3f_tensor *beta, double eps, s3f_tensor **out);

/* The backward function of both ops: grads of x, gamma and beta. */
s3f_status op_norm_backward(s3f_ctx_t *ctx, const s3f_tape_node *node);

#endif
