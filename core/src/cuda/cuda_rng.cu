/* cuda_rng.cu — the CUDA twins of rng.c's fills. Element i draws Philox
 * block (offset + i, 0) under the seed through the same functions of
 * philox.h as the CPU, so uniform fills are bitwise equal to the CPU's;
 * normal fills agree to the accuracy of the device's log/cos. */
#include "cuda_check.h"
#include "device_internal.h"
#include "philox.h"

template <typename Real>
__global__ void uniform_kernel(Real *out, int64_t n, uint64_t seed, uint64_t offset, double lo,
                               double width, double hi)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x) {
        philox_words r = philox4x32_10(offset + (uint64_t)i, 0, seed);
        if (sizeof(Real) == 8)
            out[i] = (Real)philox_uniform_f64(lo, width, hi, r);
        else
            out[i] = (Real)philox_uniform_f32(lo, width, hi, r);
    }
}

template <typename Real>
__global__ void normal_kernel(Real *out, int64_t n, uint64_t seed, uint64_t offset, double mean,
                              double std)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x)
        out[i] = (Real)philox_affine(mean, std,
                                     philox_normal(philox4x32_10(offset + (uint64_t)i, 0, seed)));
}

static s3f_status check_dtype(const s3f_tensor *t, const char *what)
{
    if (t->dtype != S3F_F32 && t->dtype != S3F_F64)
        return s3f_fail(S3F_ERR_UNSUPPORTED,
                        "%s fill of a CUDA %s tensor: CUDA fills are f32/f64; fill an f32 tensor "
                        "and cast on the CPU",
                        what, s3f_dtype_name(t->dtype));
    return S3F_OK;
}

extern "C" s3f_status dev_cuda_fill_uniform(s3f_tensor *t, uint64_t seed, uint64_t offset,
                                            double lo, double hi)
{
    S3F_RETURN_IF_ERR(check_dtype(t, "uniform"));
    int64_t n = s3f_tensor_numel(t);
    if (n == 0) return S3F_OK;
    if (t->dtype == S3F_F32)
        uniform_kernel<float><<<s3f_cuda_blocks(n), S3F_CUDA_BLOCK>>>((float *)t->data, n, seed,
                                                                      offset, lo, hi - lo, hi);
    else
        uniform_kernel<double><<<s3f_cuda_blocks(n), S3F_CUDA_BLOCK>>>((double *)t->data, n, seed,
                                                                       offset, lo, hi - lo, hi);
    S3F_CUDA_CHECK(cudaGetLastError());
    S3F_CUDA_CHECK(cudaDeviceSynchronize());
    return S3F_OK;
}

extern "C" s3f_status dev_cuda_fill_normal(s3f_tensor *t, uint64_t seed, uint64_t offset,
                                           double mean, double std)
{
    S3F_RETURN_IF_ERR(check_dtype(t, "normal"));
    int64_t n = s3f_tensor_numel(t);
    if (n == 0) return S3F_OK;
    if (t->dtype == S3F_F32)
        normal_kernel<float>
            <<<s3f_cuda_blocks(n), S3F_CUDA_BLOCK>>>((float *)t->data, n, seed, offset, mean, std);
    else
        normal_kernel<double>
            <<<s3f_cuda_blocks(n), S3F_CUDA_BLOCK>>>((double *)t->data, n, seed, offset, mean, std);
    S3F_CUDA_CHECK(cudaGetLastError());
    S3F_CUDA_CHECK(cudaDeviceSynchronize());
    return S3F_OK;
}
