/* test_radial_kernel.c — the packed radial-weight kernel (radial_kernel.h)
 * against a plain sum, in f32 and f64, for row counts around the tile
 * width, edge counts around the register block, hidden widths other than
 * 32, and a row permutation; and a whole model (forward and every
 * gradient) the same with the kernel and with BLAS. */
#include <math.h>
#include <stdlib.h>

#include "radial_kernel.h"
#include "se3t_test_check.h"
#include "test_support.h"

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) * 0x1p-53 * 2 - 1;
}

/* W from the kernel against Σ_h z·R in long double, for rows r < rows of
 * the permutation `from` (NULL: identity). */
#define DEFINE_CHECK(real, SUF, TOL)                                                               \
    static void check_##SUF(int64_t rows, int hidden, int64_t n, bool permute)                     \
    {                                                                                              \
        uint64_t s = (uint64_t)(rows * 131 + hidden * 7 + n);                                      \
        const int64_t zw = hidden + 3, ldw = rows + 5;                                             \
        real *R = malloc(sizeof(real) * (size_t)(rows * hidden));                                  \
        real *z = malloc(sizeof(real) * (size_t)(n * zw));                                         \
        real *W = malloc(sizeof(real) * (size_t)(n * ldw));                                        \
        real *Rp = malloc(sizeof(real) * (size_t)radial_packed_len_##SUF(rows, hidden));           \
        int64_t *from = permute ? malloc(sizeof(int64_t) * (size_t)rows) : NULL;                   \
        for (int64_t i = 0; i < rows * hidden; i++) R[i] = (real)uniform(&s);                      \
        for (int64_t i = 0; i < n * zw; i++) z[i] = (real)uniform(&s);                             \
        for (int64_t i = 0; i < n * ldw; i++) W[i] = (real)1e30; /* untouched past rows */         \
        for (int64_t r = 0; permute && r < rows; r++) from[r] = (r * 7 + 3) % rows;                \
        radial_pack_##SUF(R, from, rows, hidden, Rp);                                              \
        radial_weights_packed_##SUF(Rp, rows, hidden, z, zw, n, W, ldw);                           \
        for (int64_t e = 0; e < n; e++) {                                                          \
            for (int64_t r = 0; r < rows; r++) {                                                   \
                long double want = 0;                                                              \
                const int64_t src = from ? from[r] : r;                                            \
                for (int h = 0; h < hidden; h++)                                                   \
                    want += (long double)z[e * zw + h] * R[src * hidden + h];                      \
                if (fabsl(W[e * ldw + r] - want) > TOL * hidden)                                   \
                    fail_msg(#SUF " rows %lld hidden %d n %lld: W[%lld, %lld] = %g, not %Lg",      \
                             (long long)rows, hidden, (long long)n, (long long)e, (long long)r,    \
                             (double)W[e * ldw + r], want);                                        \
            }                                                                                      \
            for (int64_t r = rows; r < ldw; r++) assert_true(W[e * ldw + r] == (real)1e30);        \
        }                                                                                          \
        free(R), free(z), free(W), free(Rp), free(from);                                           \
    }
DEFINE_CHECK(float, f32, 1e-6)
DEFINE_CHECK(double, f64, 1e-15)

static void kernel_matches_the_sum(void **state)
{
    (void)state;
    if (!radial_kernel_supported()) skip(); /* no AVX-512 here: tfn_conv uses BLAS */
    const int64_t rows[] = {1, 15, 16, 17, 31, 32, 33, 100, 2817};
    const int64_t edges[] = {1, 7, 8, 9, 64, 70};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        for (size_t j = 0; j < sizeof edges / sizeof *edges; j++)
            for (int hidden = 5; hidden <= 32; hidden += 27) {
                check_f32(rows[i], hidden, edges[j], j % 2);
                check_f64(rows[i], hidden, edges[j], j % 2 == 0);
            }
}

/* Forward value and every parameter gradient of a small model. */
static double run(se3t_model *m, const test_graph *g, s3f_ctx_t *ctx, double *grads, int64_t n)
{
    double v = tc_projected(m, ctx, g, true);
    int64_t k = 0;
    for (int t = 0; t < s3f_params_count(m->params); t++) {
        s3f_tensor *p = s3f_params_at(m->params, t);
        for (int64_t i = 0; i < s3f_tensor_numel(p) && k < n; i++)
            grads[k++] = s3f_tensor_get(p->grad, i);
    }
    return v;
}

/* One model, its output and every gradient through the kernel and through
 * BLAS (the environment switch), compared within tol of the largest. */
static void compare_paths(fuse_level level, s3f_dtype dtype, double tol)
{
    se3t_config c = tg_small_config(level, 5, 3, 3, 4, 1);
    c.dtype = dtype;
    se3t_model *m;
    assert_ok(se3t_create(&c, 11, &m));
    test_graph *g = tg_random(3, 6, &c.in, 3, dtype, 4);
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    const int64_t n = s3f_params_numel(m->params);
    double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n);
    double va = run(m, g, ctx, a, n);
    setenv("SE3FLOW_RADIAL_KERNEL", "blas", 1);
    const bool switched_off = !radial_kernel_supported();
    double vb = run(m, g, ctx, b, n);
    unsetenv("SE3FLOW_RADIAL_KERNEL");
    assert_true(switched_off);
    assert_true(fabs(va - vb) <= tol * fabs(vb));
    double scale = 0;
    for (int64_t i = 0; i < n; i++) scale = fmax(scale, fabs(b[i]));
    for (int64_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > tol * scale)
            fail_msg("level %d %s gradient %lld: kernel %.15g, BLAS %.15g", (int)level,
                     s3f_dtype_name(dtype), (long long)i, a[i], b[i]);
    free(a), free(b);
    s3f_ctx_destroy(ctx);
    tg_destroy(g);
    se3t_destroy(m);
}

static void model_same_with_kernel_and_blas(void **state)
{
    (void)state;
    if (!radial_kernel_supported()) skip(); /* no AVX-512: every other model test runs BLAS */
    compare_paths(FUSE_FULL, S3F_F64, 1e-12);
    compare_paths(FUSE_PARTIAL, S3F_F64, 1e-12);
    compare_paths(FUSE_NONE, S3F_F64, 1e-12);
    compare_paths(FUSE_FULL, S3F_F32, 1e-4);
    compare_paths(FUSE_PARTIAL, S3F_F32, 1e-4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernel_matches_the_sum),
        cmocka_unit_test(model_same_with_kernel_and_blas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
