/* test_options.c — options set without a recipe (s3f_options_set and
 * _set_defaults), as tests and programs fill a plugin's options struct: each
 * type stored at its offset, range and choice checks, strings borrowed, and
 * list options refused. Table validation itself is in test_recipe_check. */
#include <math.h>

#include "se3flow/options.h"
#include "test_support.h"

typedef struct opts {
    int64_t layers;
    double lr;
    const char *pooling;
    bool norm;
    const char *dir;
    s3f_int_list sizes;
} opts;

static const char *const k_pooling[] = {"max", "mean", NULL};
static const s3f_option k_table[] = {
    S3F_OPT_INT("num_layers", opts, layers, "7", 1, 64, "layers"),
    S3F_OPT_FLOAT("lr", opts, lr, "0.002", 0, INFINITY, "learning rate"),
    S3F_OPT_CHOICE("pooling", opts, pooling, "max", k_pooling, "pooling"),
    S3F_OPT_BOOL("norm", opts, norm, "false", "norm"),
    S3F_OPT_STRING("dir", opts, dir, NULL, "a required string"),
    S3F_OPT_INT_LIST("sizes", opts, sizes, "[1, 2]", 1, 10, "sizes"),
    S3F_OPT_END,
};

static void test_defaults_and_values(void **state)
{
    assert_ok(s3f_options_validate(k_table, "test"));
    opts o = {.dir = "untouched"};
    assert_ok(s3f_options_set_defaults(k_table, &o));
    assert_int_equal(o.layers, 7);
    assert_true(o.lr == 0.002 && !o.norm);
    assert_string_equal(o.pooling, "max");
    assert_string_equal(o.dir, "untouched"); /* no default: left alone */
    assert_int_equal(o.sizes.count, 0);      /* lists come from recipes */
    const char *where = "/data/x";
    assert_ok(s3f_options_set(k_table, &o, "num_layers", "12"));
    assert_ok(s3f_options_set(k_table, &o, "lr", "1e-3"));
    assert_ok(s3f_options_set(k_table, &o, "pooling", "mean"));
    assert_ok(s3f_options_set(k_table, &o, "norm", "true"));
    assert_ok(s3f_options_set(k_table, &o, "dir", where));
    assert_true(o.layers == 12 && o.lr == 1e-3 && o.norm);
    assert_string_equal(o.pooling, "mean");
    assert_ptr_equal(o.dir, where); /* borrowed, not copied */
}

static void test_bad_values(void **state)
{
    opts o = {0};
    assert_fails(s3f_options_set(k_table, &o, "num_layers", "65"), S3F_ERR_ARG, "num_layers", "65");
    assert_fails(s3f_options_set(k_table, &o, "num_layers", "2.5"), S3F_ERR_ARG, "num_layers");
    assert_fails(s3f_options_set(k_table, &o, "pooling", "sum"), S3F_ERR_ARG, "sum");
    assert_fails(s3f_options_set(k_table, &o, "norm", "maybe"), S3F_ERR_ARG, "norm");
    assert_fails(s3f_options_set(k_table, &o, "lr", "fast"), S3F_ERR_ARG, "lr");
    assert_fails(s3f_options_set(k_table, &o, "sizes", "[3]"), S3F_ERR_ARG, "recipe");
    assert_fails(s3f_options_set(k_table, &o, "nope", "1"), S3F_ERR_ARG, "nope");
    assert_int_equal(o.layers, 0); /* nothing written on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
