/* segment_common.h — what the segment ops (op_segment.c, op_segment_softmax.c)
 * share: the check of CSR offsets and the state their backward passes keep.
 * Defined in op_segment.c. Internal to core. */
#ifndef SE3FLOW_SEGMENT_COMMON_H
#define SE3FLOW_SEGMENT_COMMON_H

#include "op_common.h"

/* Saved by a segment op for its backward (arena memory). */
typedef struct segment_saved {
    int64_t segments;       /* S */
    const int32_t *offsets; /* (S+1), a copy: the caller's tensor may change before backward */
    const int32_t *argmax;  /* (S, D) segment_max only (else NULL): the row of each maximum,
                               -1 in an empty segment */
} segment_saved;

/* x (E, ...) is a float tensor with a row dimension and offsets (S+1) a 1-D
 * i32 tensor with offsets[0] == 0, never decreasing, offsets[S] == E. The
 * message of a bad offset names its position and value. */
s3f_status segment_check(const char *op, const s3f_tensor *x, const s3f_tensor *offsets);

/* A segment_saved holding a copy of offsets and no argmax. */
s3f_status segment_save(s3f_ctx_t *ctx, const s3f_tensor *offsets, segment_saved **out);

#endif
