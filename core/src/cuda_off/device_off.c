/* device_off.c — the device seam in a build without the CUDA backend: no
 * devices, and every CUDA request fails with S3F_ERR_DEVICE saying why. */
#include "device_internal.h"

static const char *const k_reason =
    "this se3flow was built without CUDA (no nvcc at configure time; see SE3FLOW_CUDA)";

bool s3f_cuda_built(void)
{
    return false;
}

int s3f_cuda_device_count(void)
{
    return 0;
}

const char *s3f_cuda_unavailable_reason(void)
{
    return k_reason;
}

static s3f_status absent(void)
{
    return s3f_fail(S3F_ERR_DEVICE, "%s", k_reason);
}

s3f_status dev_cuda_alloc(size_t bytes, void **out)
{
    return absent();
}

void dev_cuda_free(void *ptr)
{
    S3F_ASSERT(ptr == NULL);
}

s3f_status dev_cuda_copy(void *dst, s3f_device dst_device, const void *src, s3f_device src_device,
                         size_t bytes)
{
    return absent();
}

s3f_status dev_cuda_fill_pattern(void *dst, int64_t n, const void *elem, size_t elem_size)
{
    return absent();
}

s3f_status dev_cuda_fill_uniform(s3f_tensor *t, uint64_t seed, uint64_t offset, double lo,
                                 double hi)
{
    return absent();
}

s3f_status dev_cuda_fill_normal(s3f_tensor *t, uint64_t seed, uint64_t offset, double mean,
                                double std)
{
    return absent();
}
