/* test_sph_harm.c — real spherical harmonics (SPEC.md §3): the §20 reference
 * numbers, the §3.3 low-degree polynomials (which pin the axis relabelling and
 * component order), orthonormality on the sphere by an exact quadrature up to
 * degree 10, the addition-theorem sum rule, f32 against f64, zero vectors,
 * invariance under scaling of the input, and bad arguments; Wigner-D
 * matrices: Y^l(R u) = D^l(R) Y^l(u) for random R and u up to l = 10,
 * orthogonality, D(R1 R2) = D(R1) D(R2), D^1(R) = R. */
#include <math.h>
#include <string.h>

#include "se3flow/so3.h"
#include "test_support.h"

#define FOUR_PI (4.0 * 3.14159265358979323846)

/* Harmonics of degrees 0..max_degree of n vectors (n, 3) into a new tensor. */
static s3f_tensor *harmonics(s3f_dtype dtype, int n, const double *vectors, int max_degree)
{
    s3f_tensor *in = ts_from(dtype, S3F_SHAPE(n, 3), vectors), *out;
    int width = (max_degree + 1) * (max_degree + 1);
    assert_ok(s3f_tensor_create(dtype, S3F_SHAPE(n, width), &out));
    assert_ok(s3f_sph_harm(in, max_degree, out));
    s3f_tensor_destroy(in);
    return out;
}

/* SPEC §20: r = (0.3, -0.5, 0.8), degrees 0..3, given to 8 decimals. */
static void test_reference_numbers(void **state)
{
    static const double want[16] = {0.28209479, 0.14806892,  -0.24678154, 0.39485046,
                                    0.26756288, -0.16722680, -0.07402047, -0.44593813,
                                    0.30658247, 0.33390070,  -0.35754594, 0.03815976,
                                    0.32503617, 0.10175936,  -0.40968806, 0.18002661};
    const double r[3] = {0.3, -0.5, 0.8};
    s3f_tensor *y64 = harmonics(S3F_F64, 1, r, 3), *y32 = harmonics(S3F_F32, 1, r, 3);
    for (int i = 0; i < 16; i++) {
        assert_true(fabs(s3f_tensor_get(y64, i) - want[i]) <=
                    6e-9); /* rounding of the 8th decimal */
        assert_true(fabs(s3f_tensor_get(y32, i) - want[i]) <= 1e-6);
    }
    s3f_tensor_destroy(y64);
    s3f_tensor_destroy(y32);
}

/* SPEC §3.3: the unscaled degree-1 and degree-2 polynomials of the unit
 * vector (x, y, z), times sqrt(2J+1)/sqrt(4 pi). */
static void test_low_degree_polynomials(void **state)
{
    s3f_tensor *dirs = ts_random(S3F_F64, S3F_SHAPE(50, 3), 11, -1, 1, false);
    s3f_tensor *y = harmonics(S3F_F64, 50, dirs->data, 2);
    const double *v = dirs->data, *out = y->data, s3 = sqrt(3.0);
    for (int e = 0; e < 50; e++) {
        const double *r = v + 3 * e, *h = out + 9 * e;
        double n = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double x = r[0] / n, yy = r[1] / n, z = r[2] / n;
        double c1 = sqrt(3 / FOUR_PI), c2 = sqrt(5 / FOUR_PI);
        double want[9] = {1 / sqrt(FOUR_PI),
                          c1 * x,
                          c1 * yy,
                          c1 * z,
                          c2 * s3 * x * z,
                          c2 * s3 * x * yy,
                          c2 * (yy * yy - (x * x + z * z) / 2),
                          c2 * s3 * yy * z,
                          c2 * s3 / 2 * (z * z - x * x)};
        for (int i = 0; i < 9; i++) assert_true(fabs(h[i] - want[i]) <= 1e-14);
    }
    s3f_tensor_destroy(dirs);
    s3f_tensor_destroy(y);
}

/* Gauss-Legendre nodes and weights on [-1, 1] by Newton's method on P_n. */
static void gauss_legendre(int n, double *nodes, double *weights)
{
    for (int i = 0; i < n; i++) {
        double t = cos(3.14159265358979323846 * (i + 0.75) / (n + 0.5)), dp = 0;
        for (int iter = 0; iter < 100; iter++) {
            double p0 = 1, p1 = t; /* P_{k-1}, P_k */
            for (int k = 1; k < n; k++) {
                double p2 = ((2 * k + 1) * t * p1 - k * p0) / (k + 1);
                p0 = p1;
                p1 = p2;
            }
            dp = n * (t * p1 - p0) / (t * t - 1);
            double step = p1 / dp;
            t -= step;
            if (fabs(step) < 1e-16) break;
        }
        nodes[i] = t;
        weights[i] = 2 / ((1 - t * t) * dp * dp);
    }
}

/* The Gram matrix of all (L+1)^2 harmonics for L = 10 over the sphere is the
 * identity. Integrands are polynomials of degree <= 20: 11 Gauss-Legendre
 * nodes in cos(theta) (exact to degree 21) times 24 azimuths (exact for
 * frequencies below 24) integrate them exactly. */
static void test_orthonormal_to_degree_10(void **state)
{
    enum { L = 10, W = (L + 1) * (L + 1), NT = L + 1, NP = 24, NQ = NT * NP };
    double nodes[NT], weights[NT], dirs[3 * NQ], w[NQ];
    gauss_legendre(NT, nodes, weights);
    for (int i = 0; i < NT; i++)
        for (int j = 0; j < NP; j++) {
            double phi = 2 * 3.14159265358979323846 * j / NP, s = sqrt(1 - nodes[i] * nodes[i]);
            int q = i * NP + j;
            dirs[3 * q] = s * cos(phi), dirs[3 * q + 1] = s * sin(phi), dirs[3 * q + 2] = nodes[i];
            w[q] = weights[i] * 2 * 3.14159265358979323846 / NP;
        }
    s3f_tensor *y = harmonics(S3F_F64, NQ, dirs, L);
    const double *h = y->data;
    double worst = 0;
    for (int a = 0; a < W; a++)
        for (int b = 0; b <= a; b++) {
            double sum = 0;
            for (int q = 0; q < NQ; q++) sum += w[q] * h[q * W + a] * h[q * W + b];
            worst = fmax(worst, fabs(sum - (a == b)));
        }
    assert_true(worst <= 1e-13);
    s3f_tensor_destroy(y);
}

/* Addition theorem: sum_i (Y^J_i(u))^2 = (2J+1)/(4 pi) for every unit u,
 * including the poles of the recurrence (u = +-y) and the equator. */
static void test_sum_rule(void **state)
{
    enum { L = 10, W = (L + 1) * (L + 1), N = 203 };
    s3f_tensor *dirs = ts_random(S3F_F64, S3F_SHAPE(N, 3), 12, -1, 1, false);
    double *v = dirs->data;
    const double special[9] = {0, 1, 0, 0, -1, 0, 1, 0, 1};
    memcpy(v, special, sizeof special);
    s3f_tensor *y = harmonics(S3F_F64, N, v, L);
    const double *h = y->data;
    for (int e = 0; e < N; e++)
        for (int j = 0; j <= L; j++) {
            double sum = 0;
            for (int i = j * j; i < (j + 1) * (j + 1); i++) sum += h[e * W + i] * h[e * W + i];
            assert_true(fabs(sum - (2 * j + 1) / FOUR_PI) <= 1e-13);
        }
    s3f_tensor_destroy(dirs);
    s3f_tensor_destroy(y);
}

/* f32 (computed in float) agrees with f64 on the same f32 inputs up to
 * L = 10. The float error grows with the degree (the harmonic's slope, and
 * the recurrence length, grow with J): measured at most about 4.3e-7 (J+1)
 * over 1e5 random vectors, so the bound is 1e-6 (J+1). */
static void test_f32_matches_f64(void **state)
{
    enum { L = 10, W = (L + 1) * (L + 1), N = 1000 };
    s3f_tensor *r32 = ts_random(S3F_F32, S3F_SHAPE(N, 3), 13, -2, 2, false);
    s3f_tensor *r64 = ts_cast(r32, S3F_F64), *y32, *y64;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(N, W), &y32));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(N, W), &y64));
    assert_ok(s3f_sph_harm(r32, L, y32));
    assert_ok(s3f_sph_harm(r64, L, y64));
    const float *a = y32->data;
    const double *b = y64->data;
    for (int e = 0; e < N; e++)
        for (int j = 0; j <= L; j++)
            for (int i = j * j; i < (j + 1) * (j + 1); i++)
                assert_true(fabs(a[e * W + i] - b[e * W + i]) <= 1e-6 * (j + 1));
    s3f_tensor *all[] = {r32, r64, y32, y64};
    ts_destroy_all(4, all);
}

/* SPEC §3.1: a zero vector gives Y^0 = 1/sqrt(4 pi) and exactly 0 above. */
static void test_zero_vector(void **state)
{
    const double zero[3] = {0, 0, 0};
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64};
    for (int k = 0; k < 2; k++) {
        s3f_tensor *y = harmonics(dtypes[k], 1, zero, 10);
        assert_true(fabs(s3f_tensor_get(y, 0) - 1 / sqrt(FOUR_PI)) <= 1e-7);
        for (int i = 1; i < 121; i++) assert_true(s3f_tensor_get(y, i) == 0);
        s3f_tensor_destroy(y);
    }
}

/* The input is normalised: scaling a vector by any positive factor whose
 * result stays above the 1e-12 clamp leaves the output unchanged. */
static void test_scale_invariant(void **state)
{
    enum { L = 10, N = 64 };
    s3f_tensor *dirs = ts_random(S3F_F64, S3F_SHAPE(N, 3), 14, -1, 1, false);
    s3f_tensor *base = harmonics(S3F_F64, N, dirs->data, L);
    const double scales[] = {1e-9, 1e-3, 7.5, 1e6, 1e12};
    double scaled[3 * N];
    for (int s = 0; s < 5; s++) {
        for (int i = 0; i < 3 * N; i++) scaled[i] = ((double *)dirs->data)[i] * scales[s];
        s3f_tensor *y = harmonics(S3F_F64, N, scaled, L);
        ts_assert_close(y, base, 1e-13, 0);
        s3f_tensor_destroy(y);
    }
    s3f_tensor_destroy(dirs);
    s3f_tensor_destroy(base);
}

static void test_bad_arguments(void **state)
{
    s3f_tensor *r, *out, *wrong, *r32;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(4, 3), &r));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(4, 3), &r32));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(4, 9), &out));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(4, 8), &wrong));
    assert_fails(s3f_sph_harm(NULL, 2, out), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_sph_harm(r, -1, out), S3F_ERR_ARG, "max_degree -1");
    assert_fails(s3f_sph_harm(r, S3F_SPH_HARM_MAX_DEGREE + 1, out), S3F_ERR_ARG, "max_degree");
    assert_fails(s3f_sph_harm(r, 2, wrong), S3F_ERR_SHAPE, "(E, 9)", "(4, 8)");
    assert_fails(s3f_sph_harm(r32, 2, out), S3F_ERR_DTYPE, "f64");
    s3f_tensor *all[] = {r, out, wrong, r32};
    ts_destroy_all(4, all);
}

/* A random rotation (3x3 row-major) from a normalised random quaternion. */
static void random_rotation(uint64_t seed, double *R)
{
    s3f_tensor *q4 = ts_random(S3F_F64, S3F_SHAPE(4), seed, -1, 1, false);
    const double *q = q4->data;
    double n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
    double m[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
                   2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                   2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
    memcpy(R, m, sizeof m);
    s3f_tensor_destroy(q4);
}

/* c (n, n) = a (n, n) b (n, n). */
static void matmul(int n, const double *a, const double *b, double *c)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
            c[i * n + j] = sum;
        }
}

/* Y^l(R u) = D^l(R) Y^l(u) for 4 rotations, 16 directions, l = 0..10. */
static void test_wigner_d_rotates_harmonics(void **state)
{
    enum { L = 10, W = (L + 1) * (L + 1), N = 16 };
    s3f_tensor *dirs = ts_random(S3F_F64, S3F_SHAPE(N, 3), 21, -1, 1, false);
    s3f_tensor *y = harmonics(S3F_F64, N, dirs->data, L);
    static double d[21 * 21];
    for (int t = 0; t < 4; t++) {
        double R[9], rotated[3 * N];
        random_rotation(100 + t, R);
        const double *u = dirs->data;
        for (int e = 0; e < N; e++)
            for (int i = 0; i < 3; i++)
                rotated[3 * e + i] =
                    R[3 * i] * u[3 * e] + R[3 * i + 1] * u[3 * e + 1] + R[3 * i + 2] * u[3 * e + 2];
        s3f_tensor *y_rot = harmonics(S3F_F64, N, rotated, L);
        const double *a = y->data, *b = y_rot->data;
        for (int l = 0; l <= L; l++) {
            int dim = 2 * l + 1;
            assert_ok(s3f_wigner_d(l, R, d));
            for (int e = 0; e < N; e++)
                for (int i = 0; i < dim; i++) {
                    double sum = 0;
                    for (int j = 0; j < dim; j++) sum += d[i * dim + j] * a[e * W + l * l + j];
                    assert_true(fabs(sum - b[e * W + l * l + i]) <= 1e-12);
                }
        }
        s3f_tensor_destroy(y_rot);
    }
    s3f_tensor_destroy(dirs);
    s3f_tensor_destroy(y);
}

/* D D^T = I and D(R1 R2) = D(R1) D(R2) to 1e-12, l = 0..10; D^1(R) = R. */
static void test_wigner_d_is_a_representation(void **state)
{
    static double d1[441], d2[441], d12[441], prod[441];
    double r1[9], r2[9], r12[9];
    random_rotation(31, r1);
    random_rotation(32, r2);
    matmul(3, r1, r2, r12);
    for (int l = 0; l <= 10; l++) {
        int dim = 2 * l + 1;
        assert_ok(s3f_wigner_d(l, r1, d1));
        assert_ok(s3f_wigner_d(l, r2, d2));
        assert_ok(s3f_wigner_d(l, r12, d12));
        matmul(dim, d1, d2, prod);
        for (int i = 0; i < dim * dim; i++) assert_true(fabs(prod[i] - d12[i]) <= 1e-12);
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++) {
                double dot = 0;
                for (int k = 0; k < dim; k++) dot += d1[i * dim + k] * d1[j * dim + k];
                assert_true(fabs(dot - (i == j)) <= 1e-12);
            }
        if (l == 1)
            for (int i = 0; i < 9; i++) assert_true(fabs(d1[i] - r1[i]) <= 1e-14);
    }
    double out[9];
    assert_fails(s3f_wigner_d(-1, r1, out), S3F_ERR_ARG, "degree -1");
    assert_fails(s3f_wigner_d(1, NULL, out), S3F_ERR_ARG, "NULL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_numbers),
        cmocka_unit_test(test_low_degree_polynomials),
        cmocka_unit_test(test_orthonormal_to_degree_10),
        cmocka_unit_test(test_sum_rule),
        cmocka_unit_test(test_f32_matches_f64),
        cmocka_unit_test(test_zero_vector),
        cmocka_unit_test(test_scale_invariant),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_wigner_d_rotates_harmonics),
        cmocka_unit_test(test_wigner_d_is_a_representation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
