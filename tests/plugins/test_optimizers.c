/* test_optimizers.c — the adam, sgd and lamb plugins, loaded as the host
 * loads them: one or two steps on a tiny parameter set against values worked
 * out by hand (bias correction, decoupled vs L2 decay, LAMB's clipping and
 * trust ratio), and state save/restore that continues bit for bit. */
#include <math.h>
#include <string.h>

#include "se3flow/plugin_host.h"
#include "test_support.h"

static s3f_plugin_host_t *g_host;

static int setup(void **state)
{
    if (s3f_plugin_host_create(&g_host) || s3f_plugin_host_add_path(g_host, PLUGIN_DIR) ||
        s3f_plugin_host_scan(g_host))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    s3f_plugin_host_destroy(g_host);
    return 0;
}

typedef struct fixture {
    s3f_params_t *params;
    s3f_tensor *a, *b; /* a (2), b (1) */
    const s3f_optimizer_i *f;
    void *opt;
    unsigned char options[256];
} fixture;

/* Parameters a = [1, -2], b = [3]; an optimizer with its defaults and the
 * given overrides (name, value pairs, NULL-terminated). */
static void make(fixture *x, const char *plugin, const char *const *overrides)
{
    const s3f_plugin_info *info;
    assert_ok(s3f_plugin_host_find(g_host, S3F_PLUGIN_OPTIMIZER, plugin, &info));
    assert_true(info->descriptor->options_size <= sizeof x->options);
    memset(x->options, 0, sizeof x->options);
    assert_ok(s3f_options_set_defaults(info->descriptor->options, x->options));
    for (int i = 0; overrides && overrides[i]; i += 2)
        assert_ok(
            s3f_options_set(info->descriptor->options, x->options, overrides[i], overrides[i + 1]));
    assert_ok(s3f_params_create(S3F_F64, &x->params));
    assert_ok(s3f_params_add(x->params, "a", S3F_SHAPE(2), &x->a));
    assert_ok(s3f_params_add(x->params, "b", S3F_SHAPE(1), &x->b));
    assert_ok(s3f_params_finalize(x->params));
    double *a = x->a->data, *b = x->b->data;
    a[0] = 1, a[1] = -2, b[0] = 3;
    x->f = info->descriptor->interface;
    assert_ok(x->f->create(x->options, x->params, &x->opt));
}

static void set_grads(fixture *x, double ga0, double ga1, double gb0)
{
    double *ga = x->a->grad->data, *gb = x->b->grad->data;
    ga[0] = ga0, ga[1] = ga1, gb[0] = gb0;
}

static void drop(fixture *x)
{
    x->f->destroy(x->opt);
    s3f_params_destroy(x->params);
}

static double a0(fixture *x)
{
    return ((double *)x->a->data)[0];
}
static double a1(fixture *x)
{
    return ((double *)x->a->data)[1];
}
static double b0(fixture *x)
{
    return ((double *)x->b->data)[0];
}

static void test_adam_two_steps_by_hand(void **state)
{
    fixture x;
    make(&x, "adam", NULL); /* betas 0.9/0.999, eps 1e-8, wd 0.1 */
    set_grads(&x, 0.5, -0.1, 0);
    assert_ok(x.f->step(x.opt, 0.1));
    /* t=1: m_hat = g, v_hat = g^2, so the step is sign(g) (up to eps) plus decay */
    assert_true(fabs(a0(&x) - (1 - 0.1 * (0.5 / (0.5 + 1e-8) + 0.1 * 1))) < 1e-15);
    assert_true(fabs(a1(&x) - (-2 - 0.1 * (-0.1 / (0.1 + 1e-8) + 0.1 * -2))) < 1e-15);
    assert_true(fabs(b0(&x) - (3 - 0.1 * 0.1 * 3)) < 1e-15); /* zero gradient: decay only */
    /* t=2 with g = 0.5 again: m = 0.095, v = 0.0004997500...; corrected by 0.19 and 0.001999 */
    double p = a0(&x), m = 0.9 * 0.05 + 0.1 * 0.5, v = 0.999 * 0.00025 + 0.001 * 0.25;
    double want = p - 0.1 * ((m / 0.19) / (sqrt(v / (1 - 0.999 * 0.999)) + 1e-8) + 0.1 * p);
    assert_ok(x.f->step(x.opt, 0.1));
    assert_true(fabs(a0(&x) - want) < 1e-15);
    drop(&x);
}

static void test_sgd_two_steps_by_hand(void **state)
{
    fixture x;
    make(&x, "sgd", NULL); /* momentum 0.9, wd 0.1 */
    set_grads(&x, 0.5, -0.1, 0);
    assert_ok(x.f->step(x.opt, 0.1));
    assert_true(fabs(a0(&x) - 0.94) < 1e-15 && fabs(a1(&x) + 1.97) < 1e-15);
    assert_ok(x.f->step(x.opt, 0.1)); /* b = 0.9 * 0.6 + (0.5 + 0.094) = 1.134 */
    assert_true(fabs(a0(&x) - 0.8266) < 1e-14 && fabs(a1(&x) + 1.9133) < 1e-14);
    drop(&x);
    make(&x, "sgd", (const char *[]){"momentum", "0", "weight_decay", "0", NULL});
    set_grads(&x, 0.5, -0.1, 2);
    assert_ok(x.f->step(x.opt, 0.5));
    assert_true(a0(&x) == 0.75 && a1(&x) == -1.95 && b0(&x) == 2);
    drop(&x);
}

static void test_lamb_clips_and_scales_by_trust_ratio(void **state)
{
    fixture x;
    make(&x, "lamb", NULL);       /* eps 1e-6, wd 0.1, max_grad_norm 1 */
    set_grads(&x, 0.3, 0.4, 2.0); /* global norm sqrt(4.25) > 1: divide by it */
    assert_ok(x.f->step(x.opt, 0.01));
    double scale = sqrt(4.25), p[3] = {1, -2, 3}, g[3] = {0.3, 0.4, 2.0}, u[3];
    for (int i = 0; i < 3; i++) { /* t=1: m_hat = g', v_hat = g'^2 */
        double gs = g[i] / scale;
        u[i] = gs / (fabs(gs) + 1e-6) + 0.1 * p[i];
    }
    double ratio_a = sqrt(1 + 4) / sqrt(u[0] * u[0] + u[1] * u[1]), ratio_b = 3 / fabs(u[2]);
    assert_true(fabs(a0(&x) - (1 - 0.01 * ratio_a * u[0])) < 1e-14);
    assert_true(fabs(a1(&x) - (-2 - 0.01 * ratio_a * u[1])) < 1e-14);
    assert_true(fabs(b0(&x) - (3 - 0.01 * ratio_b * u[2])) < 1e-14);
    drop(&x);
}

/* Restoring a saved state into a fresh optimizer continues exactly. */
static void check_round_trip(const char *plugin)
{
    fixture x, y;
    make(&x, plugin, NULL);
    make(&y, plugin, NULL);
    for (int t = 0; t < 3; t++) {
        set_grads(&x, 0.1 * t, -0.3, 1.5);
        assert_ok(x.f->step(x.opt, 0.05));
    }
    int nx, ny;
    const char *const *names_x, *const *names_y;
    s3f_tensor *const *tx, *const *ty;
    assert_ok(x.f->state_tensors(x.opt, &nx, &names_x, &tx));
    assert_ok(y.f->state_tensors(y.opt, &ny, &names_y, &ty));
    assert_int_equal(nx, ny);
    for (int i = 0; i < nx; i++) {
        assert_string_equal(names_x[i], names_y[i]);
        assert_ok(s3f_tensor_copy(ty[i], tx[i]));
    }
    assert_ok(s3f_tensor_copy(s3f_params_values(y.params), s3f_params_values(x.params)));
    set_grads(&x, 0.7, 0.2, -1);
    set_grads(&y, 0.7, 0.2, -1);
    assert_ok(x.f->step(x.opt, 0.05));
    assert_ok(y.f->step(y.opt, 0.05));
    ts_assert_bitwise_equal(s3f_params_values(x.params), s3f_params_values(y.params));
    drop(&x);
    drop(&y);
}

static void test_state_round_trips(void **state)
{
    check_round_trip("adam");
    check_round_trip("sgd");
    check_round_trip("lamb");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam_two_steps_by_hand),
        cmocka_unit_test(test_sgd_two_steps_by_hand),
        cmocka_unit_test(test_lamb_clips_and_scales_by_trust_ratio),
        cmocka_unit_test(test_state_round_trips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
