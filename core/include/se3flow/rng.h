/* rng.h — counter-based random numbers (Philox4x32-10).
 *
 * Element i of a fill depends only on (seed, offset + i), never on thread
 * count or order, so the CPU and the CUDA kernels produce identical streams
 * for a seed. A generator is a seed and an offset; each fill advances the
 * offset by the number of elements it drew. */
#ifndef SE3FLOW_RNG_H
#define SE3FLOW_RNG_H

#include <stdint.h>

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_rng {
    uint64_t seed;   /* the Philox key */
    uint64_t offset; /* counter of the next element */
} s3f_rng;

static inline s3f_rng s3f_rng_make(uint64_t seed)
{
    s3f_rng rng = {seed, 0};
    return rng;
}

/* Uniform in [lo, hi) for f32/f64/f16/bf16 tensors (drawn in the tensor's
 * precision, f32 for the half types). S3F_ERR_DTYPE for integer tensors. */
S3F_API s3f_status s3f_tensor_fill_uniform(s3f_tensor *t, s3f_rng *rng, double lo, double hi);
/* Normal(mean, std) by the Box–Muller transform, one draw per element. */
S3F_API s3f_status s3f_tensor_fill_normal(s3f_tensor *t, s3f_rng *rng, double mean, double std);

/* The four 32-bit words of Philox4x32-10 for a 128-bit counter
 * (ctr_lo, ctr_hi) and 64-bit key. Exposed for tests against the published
 * known-answer vectors. */
S3F_API void s3f_philox4x32(uint64_t ctr_lo, uint64_t ctr_hi, uint64_t key, uint32_t out[4]);

#ifdef __cplusplus
}
#endif
#endif
