/* cuda_device.cu — device discovery, memory and plain fills for CUDA tensors
 * (the device seam of device_internal.h). Kernels launch on the default
 * stream and the calls synchronise: streams come with the CUDA op backend. */
#include <stdio.h>

#include "cuda_check.h"
#include "device_internal.h"

static char g_reason[256];

extern "C" bool s3f_cuda_built(void)
{
    return true;
}

extern "C" int s3f_cuda_device_count(void)
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        snprintf(g_reason, sizeof g_reason, "%s", cudaGetErrorString(err));
        cudaGetLastError(); /* clear the sticky error so later calls can retry */
        return 0;
    }
    if (count == 0)
        snprintf(g_reason, sizeof g_reason, "no CUDA device is present");
    else
        g_reason[0] = '\0';
    return count;
}

extern "C" const char *s3f_cuda_unavailable_reason(void)
{
    s3f_cuda_device_count();
    return g_reason;
}

extern "C" s3f_status dev_cuda_alloc(size_t bytes, void **out)
{
    void *ptr = NULL;
    S3F_CUDA_CHECK(cudaMalloc(&ptr, bytes ? bytes : 1));
    cudaError_t err = cudaMemset(ptr, 0, bytes ? bytes : 1);
    if (err != cudaSuccess) {
        cudaFree(ptr);
        return s3f_fail(S3F_ERR_DEVICE, "cudaMemset of %zu bytes failed: %s", bytes,
                        cudaGetErrorString(err));
    }
    *out = ptr;
    return S3F_OK;
}

extern "C" void dev_cuda_free(void *ptr)
{
    if (ptr) cudaFree(ptr);
}

extern "C" s3f_status dev_cuda_copy(void *dst, s3f_device dst_device, const void *src,
                                    s3f_device src_device, size_t bytes)
{
    S3F_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault));
    return S3F_OK;
}

template <typename Word> __global__ void fill_pattern_kernel(Word *dst, int64_t n, Word value)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x)
        dst[i] = value;
}

template <typename Word> static s3f_status launch_fill(void *dst, int64_t n, const void *elem)
{
    Word value;
    memcpy(&value, elem, sizeof value);
    fill_pattern_kernel<Word><<<s3f_cuda_blocks(n), S3F_CUDA_BLOCK>>>((Word *)dst, n, value);
    S3F_CUDA_CHECK(cudaGetLastError());
    S3F_CUDA_CHECK(cudaDeviceSynchronize());
    return S3F_OK;
}

extern "C" s3f_status dev_cuda_fill_pattern(void *dst, int64_t n, const void *elem,
                                            size_t elem_size)
{
    if (n == 0) return S3F_OK;
    switch (elem_size) {
    case 1:
        return launch_fill<uint8_t>(dst, n, elem);
    case 2:
        return launch_fill<uint16_t>(dst, n, elem);
    case 4:
        return launch_fill<uint32_t>(dst, n, elem);
    case 8:
        return launch_fill<uint64_t>(dst, n, elem);
    default:
        return s3f_fail(S3F_ERR_INTERNAL, "fill: element size %zu", elem_size);
    }
}
