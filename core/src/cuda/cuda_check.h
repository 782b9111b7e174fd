/* cuda_check.h — turns CUDA runtime results into s3f_status (STYLE.md: one
 * checking macro per library, naming the call and the location). */
#ifndef SE3FLOW_CUDA_CHECK_H
#define SE3FLOW_CUDA_CHECK_H

#include <cuda_runtime.h>

#include "se3flow/status.h"

#define S3F_CUDA_CHECK(call)                                                                       \
    do {                                                                                           \
        cudaError_t s3f_cuda_err_ = (call);                                                        \
        if (s3f_cuda_err_ != cudaSuccess)                                                          \
            return s3f_fail(S3F_ERR_DEVICE, "%s failed at %s:%d: %s", #call, __FILE__, __LINE__,   \
                            cudaGetErrorString(s3f_cuda_err_));                                    \
    } while (0)

/* Threads per block for simple elementwise kernels. */
#define S3F_CUDA_BLOCK 256

static inline unsigned s3f_cuda_blocks(int64_t n)
{
    int64_t blocks = (n + S3F_CUDA_BLOCK - 1) / S3F_CUDA_BLOCK;
    return (unsigned)(blocks < 65535 * 32 ? (blocks ? blocks : 1) : 65535 * 32);
}

#endif
