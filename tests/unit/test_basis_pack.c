/* test_basis_pack.c — s3f_basis_pack (so3.h): the packed row of every edge
 * is the concatenation of s3f_basis_compute's unpadded per-pair tensors,
 * d_in outer and d_out inner, for every max degree; the widths; argument
 * errors. */
#include <string.h>

#include "test_support.h"

static void test_widths(void **state)
{
    assert_int_equal(s3f_basis_packed_width(0), 1);
    assert_int_equal(s3f_basis_packed_width(1), 1 + 3 + 3 + 27);
    assert_int_equal(s3f_basis_packed_width(3), 1092);
    assert_int_equal(s3f_basis_packed_width(-1), 0);
    assert_int_equal(s3f_basis_packed_width(S3F_BASIS_MAX_DEGREE + 1), 0);
}

static void check_degree(int D)
{
    const int64_t E = 9;
    s3f_tensor *v = ts_random(S3F_F32, S3F_SHAPE(E, 3), 7 + (uint64_t)D, -2, 2, false), *packed;
    int64_t W = s3f_basis_packed_width(D);
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(E, W), &packed));
    assert_ok(s3f_basis_pack(v, D, packed));
    s3f_basis_layout layout;
    assert_ok(s3f_basis_layout_init(D, false, &layout));
    s3f_basis_out out = {0};
    for (int i = 0; i <= D; i++)
        for (int o = 0; o <= D; o++)
            assert_ok(s3f_tensor_create(
                S3F_F32, S3F_SHAPE(E, 2 * i + 1, s3f_basis_num_freq(i, o), 2 * o + 1),
                &out.pair[i][o]));
    assert_ok(s3f_basis_compute(v, &layout, &out));
    int64_t col = 0;
    for (int i = 0; i <= D; i++)
        for (int o = 0; o <= D; o++) {
            int64_t n = s3f_tensor_numel(out.pair[i][o]) / E;
            for (int64_t e = 0; e < E; e++)
                assert_memory_equal((const float *)packed->data + e * W + col,
                                    (const float *)out.pair[i][o]->data + e * n,
                                    sizeof(float) * (size_t)n);
            col += n;
            s3f_tensor_destroy(out.pair[i][o]);
        }
    assert_int_equal(col, W);
    s3f_tensor_destroy(v);
    s3f_tensor_destroy(packed);
}

static void test_rows_are_the_per_pair_tensors(void **state)
{
    for (int D = 0; D <= 3; D++) check_degree(D);
}

static void test_arguments(void **state)
{
    s3f_tensor *v = ts_random(S3F_F32, S3F_SHAPE(4, 3), 1, -1, 1, false), *out, *v64;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(4, 34), &out));
    assert_fails(s3f_basis_pack(NULL, 1, out), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_basis_pack(v, 6, out), S3F_ERR_ARG, "max_degree 6");
    assert_fails(s3f_basis_pack(v, 2, out), S3F_ERR_SHAPE, "(E, 259)");
    v64 = ts_cast(v, S3F_F64);
    assert_fails(s3f_basis_pack(v64, 1, out), S3F_ERR_DTYPE, "f32");
    assert_ok(s3f_basis_pack(v, 1, out));
    ts_destroy_all(3, (s3f_tensor *[]){v, out, v64});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_rows_are_the_per_pair_tensors),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
