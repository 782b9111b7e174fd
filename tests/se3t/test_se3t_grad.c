/* test_se3t_grad.c — the whole SE(3)-Transformer against finite
 * differences in f64: every parameter tensor's gradient, on a small
 * configuration (2 layers, degrees 0..2, 4 channels, 2 heads), at every
 * fusion level, with and without NormSE3 and layer norm, and with degree-1
 * inputs and outputs. */
#include "se3t_test_check.h"
#include "test_support.h"

static se3t_config small(fuse_level fuse, bool norm, bool ln)
{
    se3t_config c = tg_small_config(fuse, 3, 2, 3, 4, 2);
    c.norm = norm;
    c.use_layer_norm = ln;
    return c;
}

static void check(se3t_config cfg, uint64_t seed)
{
    se3t_model *m;
    assert_ok(se3t_create(&cfg, seed, &m));
    test_graph *g = tg_random(3, 5, &cfg.in, cfg.edge.channels[0], S3F_F64, seed + 1);
    tc_gradcheck_params(m, g, 2, 1e-6, 1e-8, 1e-5);
    tg_destroy(g);
    se3t_destroy(m);
}

static void full_fusion(void **state)
{
    (void)state;
    check(small(FUSE_FULL, true, true), 1);
}

static void partial_fusion(void **state)
{
    (void)state;
    check(small(FUSE_PARTIAL, true, true), 2);
}

static void no_fusion(void **state)
{
    (void)state;
    check(small(FUSE_NONE, true, true), 3);
}

static void without_norm_and_layer_norm(void **state)
{
    (void)state;
    check(small(FUSE_NONE, false, true), 10);
    check(small(FUSE_PARTIAL, true, false), 11);
    check(small(FUSE_FULL, false, false), 12);
}

/* The reference test's shape of model: degree-0 and -1 inputs and outputs,
 * no pooling, mean pooling of degree 1, and degree-1 edge features. */
static void vector_inputs_and_outputs(void **state)
{
    (void)state;
    se3t_config c = small(FUSE_PARTIAL, true, true);
    c.in.channels[1] = 2;
    c.out = (fiber){{4, 4}};
    c.pooling = SE3T_POOL_NONE;
    c.return_type = -1;
    c.output_dim = 0;
    check(c, 5);
    c.out = (fiber){{0, 4}}; /* pooled degree 1 alone: every parameter reaches it */
    c.pooling = SE3T_POOL_MEAN;
    c.return_type = 1;
    check(c, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_fusion),
        cmocka_unit_test(partial_fusion),
        cmocka_unit_test(no_fusion),
        cmocka_unit_test(without_norm_and_layer_norm),
        cmocka_unit_test(vector_inputs_and_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
