/* device.h — which compute devices this build and this machine offer.
 *
 * CPU is always there. CUDA is there when libse3flow was built with the CUDA
 * backend (nvcc found at configure time) and the driver reports a device.
 * Tests and plugins that need a GPU ask here and skip with the reason. */
#ifndef SE3FLOW_DEVICE_H
#define SE3FLOW_DEVICE_H

#include <stdbool.h>

#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* True when this libse3flow contains the CUDA backend. */
S3F_API bool s3f_cuda_built(void);

/* Number of usable CUDA devices: 0 when built without CUDA, when there is no
 * driver or no device. Thread-safe. */
S3F_API int s3f_cuda_device_count(void);

/* Why s3f_cuda_device_count() is 0, e.g. "no CUDA-capable device is
 * detected"; "" when a device is usable. Thread-safe, static storage. */
S3F_API const char *s3f_cuda_unavailable_reason(void);

/* A persistent zero-filled tensor on `device` (S3F_CPU or S3F_CUDA, current
 * CUDA device). Free with s3f_tensor_destroy. S3F_ERR_DEVICE without CUDA. */
S3F_API s3f_status s3f_tensor_create_on(s3f_dtype dtype, s3f_shape shape, s3f_device device,
                                        s3f_tensor **out);

#ifdef __cplusplus
}
#endif
#endif
