/* test_se3t_equivariance.c — SE(3) symmetry of the whole model (SPEC §17
 * and more): random rotations and translations of the input molecules.
 * Pooled scalar outputs stay put; degree-1 node outputs and the mean-pooled
 * degree-1 output rotate with the input. In f64 to 1e-10 and in f32 to
 * 1e-4, relative to the output's largest magnitude. Configurations: the QM9
 * model (7 layers, degrees 0..3, 32 channels, 8 heads) at every fusion
 * level, and the reference test's model with degree-0 and -1 inputs. */
#include <math.h>
#include <stdlib.h>

#include "se3t_test_check.h"
#include "test_support.h"

/* SPEC §17: in {0,1} × 32, hidden {0,1,2} × 32, out {0,1} × 32, no edge
 * features (the radial input is the distance alone). */
static se3t_config reference_test(s3f_dtype dtype, se3t_pooling pooling, int return_type)
{
    se3t_config c = {.num_layers = 4,
                     .num_heads = 8,
                     .channels_div = 2,
                     .norm = true,
                     .use_layer_norm = true,
                     .fuse = FUSE_PARTIAL,
                     .pooling = pooling,
                     .return_type = return_type,
                     .dtype = dtype};
    c.in = (fiber){{32, 32}};
    c.hidden = fiber_uniform(3, 32);
    c.out = (fiber){{32, 32}};
    return c;
}

static double tolerance(s3f_dtype dtype)
{
    return dtype == S3F_F64 ? 1e-10 : 1e-4;
}

/* A copy of t as doubles (heap). */
static double *values(const s3f_tensor *t)
{
    int64_t n = s3f_tensor_numel(t);
    double *v = malloc(sizeof(double) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) v[i] = s3f_tensor_get(t, i);
    return v;
}

static double max_abs(const double *v, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

/* Checks rotated ≈ R·plain for every 3-vector (or rotated ≈ plain when
 * vector is false). */
static void assert_transforms(const double *plain, const double *rotated, int64_t n, bool vector,
                              const double R[9], double tol, const char *what)
{
    double scale = max_abs(plain, n), worst = 0;
    assert_true(scale > 0);
    for (int64_t i = 0; i < n; i++) {
        double expect = plain[i];
        if (vector) {
            int64_t base = i - i % 3, k = i % 3;
            expect = R[k * 3] * plain[base] + R[k * 3 + 1] * plain[base + 1] +
                     R[k * 3 + 2] * plain[base + 2];
        }
        worst = fmax(worst, fabs(rotated[i] - expect));
    }
    if (worst > tol * scale)
        fail_msg("%s: deviation %.3g of a largest value %.3g (tolerance %.1g relative)", what,
                 worst, scale, tol);
}

/* Runs the model on g and on g rotated by R and moved by t; returns both
 * outputs (degree `degree` of the nodes when not pooled). */
static void run_pair(const se3t_config *cfg, test_graph *g, int degree, double **plain,
                     double **rotated, int64_t *n, const double R[9])
{
    se3t_model *m;
    assert_ok(se3t_create(cfg, 77, &m));
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    s3f_ctx_set_grad(ctx, false);
    double t[3] = {1.5, -2.0, 0.75};
    for (int pass = 0; pass < 2; pass++) {
        s3f_ctx_reset(ctx);
        se3t_input in = tg_input(g);
        se3t_output out;
        assert_ok(se3t_forward(m, ctx, &in, &out));
        s3f_tensor *o = out.pred ? out.pred : out.pooled ? out.pooled : out.nodes.d[degree];
        *n = s3f_tensor_numel(o);
        if (pass == 0) {
            *plain = values(o);
            tg_transform(g, R, t);
        } else {
            *rotated = values(o);
        }
    }
    s3f_ctx_destroy(ctx);
    se3t_destroy(m);
}

static void qm9_prediction_invariant(fuse_level fuse, s3f_dtype dtype, uint64_t seed)
{
    se3t_config cfg = se3t_qm9_config(fuse, dtype);
    test_graph *g = tg_random(2, 6, &cfg.in, 4, dtype, seed);
    double R[9], *a, *b;
    int64_t n;
    tg_rotation(0.3 + seed, 1.1, -0.7, R);
    run_pair(&cfg, g, 0, &a, &b, &n, R);
    assert_transforms(a, b, n, false, R, tolerance(dtype), "QM9 prediction");
    free(a);
    free(b);
    tg_destroy(g);
}

static void qm9_model(void **state)
{
    (void)state;
    qm9_prediction_invariant(FUSE_FULL, S3F_F64, 1);
    qm9_prediction_invariant(FUSE_PARTIAL, S3F_F64, 2);
    qm9_prediction_invariant(FUSE_NONE, S3F_F64, 3);
    qm9_prediction_invariant(FUSE_FULL, S3F_F32, 4);
    qm9_prediction_invariant(FUSE_PARTIAL, S3F_F32, 5);
}

static void reference_case(s3f_dtype dtype, se3t_pooling pooling, int return_type, int degree,
                           bool vector, const char *what)
{
    se3t_config cfg = reference_test(dtype, pooling, return_type);
    test_graph *g = tg_random(1, 8, &cfg.in, 0, dtype, 11);
    double R[9], *a, *b;
    int64_t n;
    tg_rotation(0.4, 0.9, 0.2, R); /* angles in [0, 1) as the reference's test draws them */
    run_pair(&cfg, g, degree, &a, &b, &n, R);
    assert_transforms(a, b, n, vector, R, tolerance(dtype), what);
    free(a);
    free(b);
    tg_destroy(g);
}

static void reference_test_model(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        s3f_dtype dt = k ? S3F_F32 : S3F_F64;
        reference_case(dt, SE3T_POOL_NONE, -1, 0, false, "degree-0 node outputs");
        reference_case(dt, SE3T_POOL_NONE, -1, 1, true, "degree-1 node outputs");
        reference_case(dt, SE3T_POOL_MEAN, 1, 1, true, "mean-pooled degree 1");
        reference_case(dt, SE3T_POOL_MEAN, 0, 0, false, "mean-pooled degree 0");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qm9_model),
        cmocka_unit_test(reference_test_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
