/* sph_harm.c — the public spherical-harmonics API of so3.h: argument checks
 * and an OpenMP loop over vectors around the per-vector S3F_HD function of
 * sph_harm.h.
 *
 * Not here: the formula itself (sph_harm_kernel.h), Clebsch-Gordan tensors
 * and bases.
 *
 * Invariant: each output row depends only on its own input row, so results
 * are bitwise the same for any thread count. */
#include "sph_harm.h"

#include "se3flow/so3.h"

/* Below this many output values the loop runs on one thread. */
#define SPH_HARM_PARALLEL_MIN 16384

static s3f_status sph_harm_check(const s3f_tensor *vectors, int max_degree, const s3f_tensor *out)
{
    if (!vectors || !out)
        return s3f_fail(S3F_ERR_ARG, "s3f_sph_harm: vectors and out must not be NULL");
    if (max_degree < 0 || max_degree > S3F_SPH_HARM_MAX_DEGREE)
        return s3f_fail(S3F_ERR_ARG, "s3f_sph_harm: max_degree %d is outside 0..%d", max_degree,
                        S3F_SPH_HARM_MAX_DEGREE);
    if (vectors->device != S3F_CPU || out->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "s3f_sph_harm: tensors must be on the CPU");
    if (vectors->dtype != S3F_F32 && vectors->dtype != S3F_F64)
        return s3f_fail(S3F_ERR_DTYPE, "s3f_sph_harm: vectors must be f32 or f64, not %s",
                        s3f_dtype_name(vectors->dtype));
    if (out->dtype != vectors->dtype)
        return s3f_fail(S3F_ERR_DTYPE, "s3f_sph_harm: out is %s but vectors are %s",
                        s3f_dtype_name(out->dtype), s3f_dtype_name(vectors->dtype));
    int64_t width = (int64_t)(max_degree + 1) * (max_degree + 1);
    char got_in[64], got_out[64];
    if (vectors->shape.ndim != 2 || vectors->shape.d[1] != 3 || out->shape.ndim != 2 ||
        out->shape.d[0] != vectors->shape.d[0] || out->shape.d[1] != width)
        return s3f_fail(S3F_ERR_SHAPE,
                        "s3f_sph_harm: want vectors (E, 3) and out (E, %lld) for max_degree %d; "
                        "got vectors %s and out %s",
                        (long long)width, max_degree,
                        s3f_shape_format(&vectors->shape, got_in, sizeof got_in),
                        s3f_shape_format(&out->shape, got_out, sizeof got_out));
    return S3F_OK;
}

s3f_status s3f_sph_harm(const s3f_tensor *vectors, int max_degree, s3f_tensor *out)
{
    S3F_RETURN_IF_ERR(sph_harm_check(vectors, max_degree, out));
    int64_t edges = vectors->shape.d[0], width = out->shape.d[1];
    if (vectors->dtype == S3F_F32) {
        const float *r = vectors->data;
        float *y = out->data;
#pragma omp parallel for schedule(static) if (edges * width > SPH_HARM_PARALLEL_MIN)
        for (int64_t e = 0; e < edges; e++)
            sph_harm_vector_f32(r + 3 * e, max_degree, y + width * e);
    } else {
        const double *r = vectors->data;
        double *y = out->data;
#pragma omp parallel for schedule(static) if (edges * width > SPH_HARM_PARALLEL_MIN)
        for (int64_t e = 0; e < edges; e++)
            sph_harm_vector_f64(r + 3 * e, max_degree, y + width * e);
    }
    return S3F_OK;
}
