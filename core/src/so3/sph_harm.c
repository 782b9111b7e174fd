/* sph_harm.c — the public spherical-harmonics API of so3.h: argument checks
 * and an OpenMP loop over vectors around the per-vector S3F_HD function of
 * sph_harm.h; and Wigner-D matrices built from those harmonics by an exact
 * quadrature over the sphere.
 *
 * Not here: the formula itself (sph_harm_kernel.h), Clebsch-Gordan tensors
 * and bases.
 *
 * Invariant: each output row depends only on its own input row, so results
 * are bitwise the same for any thread count. */
#include "sph_harm.h"

#include <math.h>
#include <string.h>

#include "se3flow/so3.h"

#define SO3_PI 3.14159265358979323846

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

/* Gauss-Legendre nodes and weights of n points on [-1, 1], by Newton's
 * method on P_n from the usual cosine first guess; exact for polynomials of
 * degree <= 2n-1. */
static void gauss_legendre(int n, double *nodes, double *weights)
{
    for (int i = 0; i < n; i++) {
        double t = cos(SO3_PI * (i + 0.75) / (n + 0.5)), slope = 1;
        for (int iter = 0; iter < 100; iter++) {
            double p_prev = 1, p = t; /* P_{k-1}(t), P_k(t) */
            for (int k = 1; k < n; k++) {
                double next = ((2 * k + 1) * t * p - k * p_prev) / (k + 1);
                p_prev = p;
                p = next;
            }
            slope = n * (t * p - p_prev) / (t * t - 1);
            double step = p / slope;
            t -= step;
            if (fabs(step) < 1e-16) break;
        }
        nodes[i] = t;
        weights[i] = 2 / ((1 - t * t) * slope * slope);
    }
}

/* D_ij = integral over the sphere of Y_i(R u) Y_j(u) (so3.h). The integrand
 * is a polynomial of degree 2l in u: l+1 Gauss-Legendre nodes in cos(theta)
 * (exact to degree 2l+1) times 2l+2 azimuths (exact for frequencies up to
 * 2l+1) integrate it exactly, so D is exact up to rounding. */
s3f_status s3f_wigner_d(int l, const double R[9], double *out)
{
    enum {
        MAX_L = S3F_SPH_HARM_MAX_DEGREE,
        MAX_W = (MAX_L + 1) * (MAX_L + 1),
        MAX_M = 2 * MAX_L + 1
    };
    if (!R || !out) return s3f_fail(S3F_ERR_ARG, "s3f_wigner_d: R and out must not be NULL");
    if (l < 0 || l > MAX_L)
        return s3f_fail(S3F_ERR_ARG, "s3f_wigner_d: degree %d is outside 0..%d", l, MAX_L);
    int dim = 2 * l + 1, thetas = l + 1, phis = 2 * l + 2;
    double nodes[MAX_L + 1], weights[MAX_L + 1];
    double y_u[MAX_W], y_ru[MAX_W]; /* ((l+1)^2): all degrees 0..l */
    double d[MAX_M * MAX_M] = {0};  /* (2l+1, 2l+1) */
    gauss_legendre(thetas, nodes, weights);
    for (int a = 0; a < thetas; a++)
        for (int b = 0; b < phis; b++) {
            double phi = 2 * SO3_PI * b / phis, s = sqrt(1 - nodes[a] * nodes[a]);
            double u[3] = {s * cos(phi), s * sin(phi), nodes[a]}, ru[3];
            for (int i = 0; i < 3; i++)
                ru[i] = R[3 * i] * u[0] + R[3 * i + 1] * u[1] + R[3 * i + 2] * u[2];
            sph_harm_vector_f64(u, l, y_u);
            sph_harm_vector_f64(ru, l, y_ru);
            double w = weights[a] * 2 * SO3_PI / phis;
            const double *yl_u = y_u + l * l, *yl_ru = y_ru + l * l; /* (2l+1): degree l */
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++) d[i * dim + j] += w * yl_ru[i] * yl_u[j];
        }
    memcpy(out, d, sizeof(double) * dim * dim);
    return S3F_OK;
}
