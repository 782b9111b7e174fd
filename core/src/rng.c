/* rng.c — seeded fills (rng.h). Element i of a fill draws Philox block
 * (rng->offset + i, 0) under key rng->seed, so results do not depend on the
 * number of threads. CUDA tensors go to the kernels in cuda/cuda_rng.cu,
 * which share philox.h and so draw the same numbers. */
#include "device_internal.h"
#include "philox.h"
#include "se3flow/rng.h"

void s3f_philox4x32(uint64_t ctr_lo, uint64_t ctr_hi, uint64_t key, uint32_t out[4])
{
    philox_words r = philox4x32_10(ctr_lo, ctr_hi, key);
    for (int i = 0; i < 4; i++) out[i] = r.w[i];
}

static s3f_status check_float(const s3f_tensor *t, const char *what)
{
    if (!s3f_dtype_is_float(t->dtype))
        return s3f_fail(S3F_ERR_DTYPE, "%s fill needs a float tensor, not %s", what,
                        s3f_dtype_name(t->dtype));
    return S3F_OK;
}

s3f_status s3f_tensor_fill_uniform(s3f_tensor *t, s3f_rng *rng, double lo, double hi)
{
    S3F_RETURN_IF_ERR(check_float(t, "uniform"));
    int64_t n = s3f_tensor_numel(t);
    if (t->device == S3F_CUDA) {
        S3F_RETURN_IF_ERR(dev_cuda_fill_uniform(t, rng->seed, rng->offset, lo, hi));
        rng->offset += (uint64_t)n;
        return S3F_OK;
    }
    uint64_t base = rng->offset, seed = rng->seed;
    double width = hi - lo;
    if (t->dtype == S3F_F32) { /* the common case, without per-element dispatch */
        float *data = t->data;
#pragma omp parallel for schedule(static) if (n > 16384)
        for (int64_t i = 0; i < n; i++)
            data[i] = (float)philox_affine(
                lo, width, philox_unit_f32(philox4x32_10(base + (uint64_t)i, 0, seed).w[0]));
    } else {
#pragma omp parallel for schedule(static) if (n > 16384)
        for (int64_t i = 0; i < n; i++) {
            philox_words r = philox4x32_10(base + (uint64_t)i, 0, seed);
            double u =
                t->dtype == S3F_F64 ? philox_unit_f64(r.w[0], r.w[1]) : philox_unit_f32(r.w[0]);
            s3f_tensor_set(t, i, philox_affine(lo, width, u));
        }
    }
    rng->offset += (uint64_t)n;
    return S3F_OK;
}

s3f_status s3f_tensor_fill_normal(s3f_tensor *t, s3f_rng *rng, double mean, double std)
{
    S3F_RETURN_IF_ERR(check_float(t, "normal"));
    int64_t n = s3f_tensor_numel(t);
    if (t->device == S3F_CUDA) {
        S3F_RETURN_IF_ERR(dev_cuda_fill_normal(t, rng->seed, rng->offset, mean, std));
        rng->offset += (uint64_t)n;
        return S3F_OK;
    }
    uint64_t base = rng->offset, seed = rng->seed;
#pragma omp parallel for schedule(static) if (n > 16384)
    for (int64_t i = 0; i < n; i++)
        s3f_tensor_set(t, i,
                       mean + std * philox_normal(philox4x32_10(base + (uint64_t)i, 0, seed)));
    rng->offset += (uint64_t)n;
    return S3F_OK;
}
