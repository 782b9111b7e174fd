/* test_options.c — option tables checked on their own (s3f_options_validate
 * catches each kind of bad declaration) and the "did you mean" helper. */
#include <math.h>

#include "se3flow/options.h"
#include "se3flow/suggest.h"
#include "test_support.h"

typedef struct opts {
    int64_t layers;
    double lr;
    const char *pooling;
    bool norm;
    s3f_int_list sizes;
} opts;

static const char *const k_pooling[] = {"max", "mean", NULL};

static void test_valid_table(void **state)
{
    const s3f_option table[] = {
        S3F_OPT_INT("num_layers", opts, layers, "7", 1, 64, "layers"),
        S3F_OPT_FLOAT("lr", opts, lr, "0.002", 0, INFINITY, "learning rate"),
        S3F_OPT_CHOICE("pooling", opts, pooling, "max", k_pooling, "pooling"),
        S3F_OPT_BOOL("norm", opts, norm, "false", "norm"),
        S3F_OPT_INT_LIST("sizes", opts, sizes, "[1, 2, 3]", 1, 10, "sizes"),
        S3F_OPT_STRING("dir", opts, pooling, NULL, "required string"),
        S3F_OPT_END,
    };
    assert_ok(s3f_options_validate(table, "t"));
    assert_int_equal(s3f_options_count(table), 6);
    assert_ptr_equal(s3f_options_find(table, "lr"), &table[1]);
    assert_null(s3f_options_find(table, "nope"));
    assert_string_equal(s3f_option_type_name(S3F_OPTION_INT_LIST), "int list");
}

static void test_bad_tables(void **state)
{
    const s3f_option out_of_range[] = {S3F_OPT_INT("n", opts, layers, "99", 1, 10, "n"),
                                       S3F_OPT_END};
    assert_fails(s3f_options_validate(out_of_range, "model x"), S3F_ERR_ARG, "model x", "'n'",
                 "99");
    const s3f_option not_int[] = {S3F_OPT_INT("n", opts, layers, "2.5", 1, 10, "n"), S3F_OPT_END};
    assert_fails(s3f_options_validate(not_int, "t"), S3F_ERR_ARG, "2.5");
    const s3f_option bad_choice[] = {S3F_OPT_CHOICE("p", opts, pooling, "sum", k_pooling, "p"),
                                     S3F_OPT_END};
    assert_fails(s3f_options_validate(bad_choice, "t"), S3F_ERR_ARG, "sum");
    const s3f_option twice[] = {S3F_OPT_BOOL("a", opts, norm, "true", "a"),
                                S3F_OPT_BOOL("a", opts, norm, "true", "a"), S3F_OPT_END};
    assert_fails(s3f_options_validate(twice, "t"), S3F_ERR_ARG, "twice");
    const s3f_option bad_bool[] = {S3F_OPT_BOOL("a", opts, norm, "yes", "a"), S3F_OPT_END};
    assert_fails(s3f_options_validate(bad_bool, "t"), S3F_ERR_ARG, "yes");
    const s3f_option no_help[] = {S3F_OPT_BOOL("a", opts, norm, "true", ""), S3F_OPT_END};
    assert_fails(s3f_options_validate(no_help, "t"), S3F_ERR_ARG, "help");
    const s3f_option bad_list[] = {S3F_OPT_INT_LIST("s", opts, sizes, "[1, 20]", 1, 10, "s"),
                                   S3F_OPT_END};
    assert_fails(s3f_options_validate(bad_list, "t"), S3F_ERR_ARG, "[1, 20]");
}

static void test_suggestions(void **state)
{
    const char *keys[] = {"num_layers", "num_heads", "num_channels", "pooling", "norm"};
    assert_string_equal(s3f_closest_word("num_layer", keys, 5), "num_layers");
    assert_string_equal(s3f_closest_word("num_haeds", keys, 5), "num_heads"); /* a swap */
    assert_string_equal(s3f_closest_word("pool", keys, 5), "pooling");        /* a prefix */
    assert_null(s3f_closest_word("learning_rate", keys, 5));
    assert_null(s3f_closest_word("x", keys, 0));
    assert_int_equal(s3f_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(s3f_edit_distance("", "abc"), 3);
    assert_int_equal(s3f_edit_distance("ab", "ba"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_table),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
