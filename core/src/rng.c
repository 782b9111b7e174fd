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

/* Replaces element i by the next value of its dtype toward -Inf or +Inf. */
static void step(s3f_tensor *t, int64_t i, bool up)
{
    if (t->dtype == S3F_F64) {
        double *d = (double *)t->data + i;
        *d = nextafter(*d, up ? INFINITY : -INFINITY);
    } else if (t->dtype == S3F_F32) {
        float *f = (float *)t->data + i;
        *f = nextafterf(*f, up ? INFINITY : -INFINITY);
    } else { /* f16, bf16: sign-magnitude bits */
        uint16_t *h = (uint16_t *)t->data + i;
        bool negative = *h & 0x8000u;
        if ((*h & 0x7fffu) == 0)
            *h = up ? 0x0001u : 0x8001u;
        else
            *h = negative == up ? *h - 1u : *h + 1u; /* toward zero: smaller magnitude */
    }
}

/* Stores lo + width * u in [lo, hi). Rounding to the tensor's dtype can
 * leave the range: bf16 [0, 1) reaches 1.0 for every u >= 1 - 2^-9, f32
 * [1, 2) reaches 2.0 for u = 1 - 2^-24, f16 [0.1, 0.3) gives 0.09998 near
 * lo. Rounding is monotone, so a value >= hi is the smallest of the dtype
 * >= hi and one step down is the largest below it; likewise below lo. */
static void set_uniform(s3f_tensor *t, int64_t i, double lo, double width, double hi, double u)
{
    s3f_tensor_set(t, i, lo + width * u);
    double v = s3f_tensor_get(t, i);
    if (hi > lo && v >= hi) step(t, i, false);
    if (hi > lo && v < lo) step(t, i, true);
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
    if (t->dtype == S3F_F32) {
        float *data = t->data;
#pragma omp parallel for schedule(static) if (n > 16384)
        for (int64_t i = 0; i < n; i++)
            data[i] = philox_uniform_f32(lo, width, hi, philox4x32_10(base + (uint64_t)i, 0, seed));
    } else if (t->dtype == S3F_F64) {
        double *data = t->data;
#pragma omp parallel for schedule(static) if (n > 16384)
        for (int64_t i = 0; i < n; i++)
            data[i] = philox_uniform_f64(lo, width, hi, philox4x32_10(base + (uint64_t)i, 0, seed));
    } else { /* f16, bf16: drawn at f32 precision, then rounded into [lo, hi) */
#pragma omp parallel for schedule(static) if (n > 16384)
        for (int64_t i = 0; i < n; i++) {
            philox_words r = philox4x32_10(base + (uint64_t)i, 0, seed);
            set_uniform(t, i, lo, width, hi, philox_unit_f32(r.w[0]));
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
