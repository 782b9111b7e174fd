/* device_internal.h — the seam between core's C code and its CUDA backend.
 *
 * tensor.c and rng.c call these for CUDA tensors. They are implemented in
 * src/cuda/ (built with nvcc) or, in a build without CUDA, in
 * src/cuda_off/device_off.c, where every call reports that CUDA is absent. */
#ifndef SE3FLOW_DEVICE_INTERNAL_H
#define SE3FLOW_DEVICE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "se3flow/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-filled device memory of `bytes` (at least 1). */
s3f_status dev_cuda_alloc(size_t bytes, void **out);
void dev_cuda_free(void *ptr);
/* Copies between any two of host and device memory. */
s3f_status dev_cuda_copy(void *dst, s3f_device dst_device, const void *src, s3f_device src_device,
                         size_t bytes);
/* Sets n elements of `elem_size` bytes each to the bit pattern at `elem`. */
s3f_status dev_cuda_fill_pattern(void *dst, int64_t n, const void *elem, size_t elem_size);
/* The CUDA twins of the fills in rng.c: same Philox stream, f32/f64 only. */
s3f_status dev_cuda_fill_uniform(s3f_tensor *t, uint64_t seed, uint64_t offset, double lo,
                                 double hi);
s3f_status dev_cuda_fill_normal(s3f_tensor *t, uint64_t seed, uint64_t offset, double mean,
                                double std);

#ifdef __cplusplus
}
#endif
#endif
