/* test_rng.c — Philox4x32-10 against the Random123 known-answer vectors,
 * seeded fills: independence from the thread count, offsets, the half-open
 * range of uniforms in every float dtype, and loose statistics of uniform
 * and normal fills. Bounds are 5 standard errors (false alarm rate ~1e-6
 * per check, and the seeds are fixed, so the outcome is deterministic). */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "test_support.h"

static void check_kat(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1,
                      const uint32_t want[4])
{
    uint64_t lo = (uint64_t)c0 | (uint64_t)c1 << 32, hi = (uint64_t)c2 | (uint64_t)c3 << 32;
    uint32_t out[4];
    s3f_philox4x32(lo, hi, (uint64_t)k0 | (uint64_t)k1 << 32, out);
    for (int i = 0; i < 4; i++) {
        if (out[i] != want[i]) {
            print_error("word %d: %08x, expected %08x\n", i, out[i], want[i]);
            fail();
        }
    }
}

/* Random123 kat_vectors, philox4x32 with 10 rounds. */
static void test_philox_known_answers(void **state)
{
    const uint32_t zero[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
    check_kat(0, 0, 0, 0, 0, 0, zero);
    const uint32_t ones[4] = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
    check_kat(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, ones);
    const uint32_t pi[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
    check_kat(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, pi);
}

static s3f_tensor *make(s3f_dtype dtype, int64_t n)
{
    s3f_tensor *t;
    assert_ok(s3f_tensor_create(dtype, S3F_SHAPE(n), &t));
    return t;
}

/* Element i of a uniform f32 fill is lo + (hi - lo) * (w0 >> 8) / 2^24 of
 * Philox block (offset + i, 0) under the seed. */
static void test_uniform_uses_the_documented_stream(void **state)
{
    s3f_rng rng = {.seed = 0xabcdef12345ull, .offset = 1000};
    s3f_tensor *t = make(S3F_F32, 64), *d = make(S3F_F64, 64);
    assert_ok(s3f_tensor_fill_uniform(t, &rng, -2, 3));
    rng.offset = 1000;
    assert_ok(s3f_tensor_fill_uniform(d, &rng, 0, 1));
    for (int i = 0; i < 64; i++) {
        uint32_t w[4];
        s3f_philox4x32(1000 + (uint64_t)i, 0, rng.seed, w);
        float want = (float)(-2.0 + 5.0 * ((double)(w[0] >> 8) / 16777216.0));
        assert_true(((float *)t->data)[i] == want);
        double want64 = (double)(((uint64_t)(w[0] >> 5) << 26) | (w[1] >> 6)) / 9007199254740992.0;
        assert_true(((double *)d->data)[i] == want64);
    }
    s3f_tensor_destroy(t);
    s3f_tensor_destroy(d);
}

typedef s3f_status (*fill_fn)(s3f_tensor *t, s3f_rng *rng);

static s3f_status fill_uniform(s3f_tensor *t, s3f_rng *rng)
{
    return s3f_tensor_fill_uniform(t, rng, -1.5, 2.5);
}

static s3f_status fill_normal(s3f_tensor *t, s3f_rng *rng)
{
    return s3f_tensor_fill_normal(t, rng, 0.5, 2.0);
}

static void test_fills_ignore_thread_count(void **state)
{
    int saved = omp_get_max_threads();
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16};
    fill_fn fills[] = {fill_uniform, fill_normal};
    for (int f = 0; f < 2; f++) {
        for (int k = 0; k < 4; k++) {
            s3f_tensor *one = make(dtypes[k], 50000), *two = make(dtypes[k], 50000);
            s3f_rng r1 = {.seed = 77, .offset = 5}, r2 = r1;
            omp_set_num_threads(1);
            assert_ok(fills[f](one, &r1));
            omp_set_num_threads(2);
            assert_ok(fills[f](two, &r2));
            ts_assert_bitwise_equal(one, two);
            assert_true(r1.offset == 50005 && r2.offset == 50005);
            s3f_tensor_destroy(one);
            s3f_tensor_destroy(two);
        }
    }
    omp_set_num_threads(saved);
}

static void test_offsets_advance(void **state)
{
    fill_fn fills[] = {fill_uniform, fill_normal};
    for (int f = 0; f < 2; f++) {
        s3f_rng rng = s3f_rng_make(3);
        assert_true(rng.seed == 3 && rng.offset == 0);
        s3f_tensor *a = make(S3F_F64, 1000), *b = make(S3F_F64, 1000), *c = make(S3F_F64, 2500);
        assert_ok(fills[f](a, &rng));
        assert_true(rng.offset == 1000);
        assert_ok(fills[f](b, &rng));
        assert_true(rng.offset == 2000);
        assert_true(memcmp(a->data, b->data, 1000 * sizeof(double)) != 0);

        /* A fill of n then one of m equals one fill of n + m. */
        s3f_rng split = s3f_rng_make(9), whole = s3f_rng_make(9);
        s3f_tensor *first = make(S3F_F64, 700), *second = make(S3F_F64, 1800);
        assert_ok(fills[f](first, &split));
        assert_ok(fills[f](second, &split));
        assert_ok(fills[f](c, &whole));
        assert_true(split.offset == 2500 && whole.offset == 2500);
        assert_memory_equal(c->data, first->data, 700 * sizeof(double));
        assert_memory_equal((double *)c->data + 700, second->data, 1800 * sizeof(double));

        /* Another seed, another stream. */
        s3f_rng other = s3f_rng_make(10);
        assert_ok(fills[f](a, &other));
        assert_true(memcmp(a->data, c->data, 1000 * sizeof(double)) != 0);
        s3f_tensor *all[] = {a, b, c, first, second};
        ts_destroy_all(5, all);
    }
}

/* Returns the number of elements of t outside [lo, hi). */
static int64_t outside(const s3f_tensor *t, double lo, double hi)
{
    int64_t bad = 0;
    for (int64_t i = 0; i < s3f_tensor_numel(t); i++) {
        double v = s3f_tensor_get(t, i);
        bad += !(v >= lo && v < hi);
    }
    return bad;
}

/* Rounding lo + (hi - lo) * u to the tensor's dtype must not reach hi: in
 * bf16, every u >= 1 - 2^-9 would round [0, 1) draws up to 1.0. */
static void test_uniform_stays_below_hi(void **state)
{
    struct {
        s3f_dtype dtype;
        double lo, hi;
    } cases[] = {
        {S3F_BF16, 0, 1}, {S3F_F16, 0, 1}, {S3F_BF16, -1, 1},  {S3F_F16, 1, 2},     {S3F_F32, 0, 1},
        {S3F_F32, -3, 7}, {S3F_F64, 0, 1}, {S3F_BF16, -5, -4}, {S3F_F16, 0.1, 0.3},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        s3f_tensor *t = make(cases[c].dtype, 200000);
        s3f_rng rng = s3f_rng_make(1234 + c);
        assert_ok(s3f_tensor_fill_uniform(t, &rng, cases[c].lo, cases[c].hi));
        int64_t bad = outside(t, cases[c].lo, cases[c].hi);
        if (bad) {
            print_error("%s uniform [%g, %g): %lld of 200000 draws outside\n",
                        s3f_dtype_name(cases[c].dtype), cases[c].lo, cases[c].hi, (long long)bad);
            fail();
        }
        s3f_tensor_destroy(t);
    }
}

/* Philox block 2350790 under seed 3 has w0 = 0xffffff97, the largest f32
 * uniform 1 - 2^-24; in [1, 2) that is 2 - 2^-24, which rounds to 2.0 in
 * f32. And [1e16, 1e16 + 2) holds a single double, 1e16. */
static void test_uniform_extremes_stay_below_hi(void **state)
{
    uint32_t w[4];
    s3f_philox4x32(2350790, 0, 3, w);
    assert_true(w[0] >= 0xffffff00u);
    s3f_rng rng = {.seed = 3, .offset = 2350790};
    s3f_tensor *t = make(S3F_F32, 1);
    assert_ok(s3f_tensor_fill_uniform(t, &rng, 1.0, 2.0));
    assert_true(s3f_tensor_get(t, 0) < 2.0);
    assert_true(s3f_tensor_get(t, 0) >= 1.0);
    s3f_tensor_destroy(t);

    s3f_tensor *d = make(S3F_F64, 1000);
    rng = s3f_rng_make(5);
    assert_ok(s3f_tensor_fill_uniform(d, &rng, 1e16, 1e16 + 2));
    assert_int_equal(outside(d, 1e16, 1e16 + 2), 0);
    s3f_tensor_destroy(d);
}

static void moments(const s3f_tensor *t, double *mean, double *var)
{
    int64_t n = s3f_tensor_numel(t);
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < n; i++) s += s3f_tensor_get(t, i);
    *mean = s / (double)n;
    for (int64_t i = 0; i < n; i++) {
        double d = s3f_tensor_get(t, i) - *mean;
        s2 += d * d;
    }
    *var = s2 / (double)(n - 1);
}

static void test_uniform_statistics(void **state)
{
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16};
    const int64_t n = 200000;
    const double lo = -1.0, hi = 3.0, w = hi - lo;
    for (int k = 0; k < 4; k++) {
        s3f_tensor *t = make(dtypes[k], n);
        s3f_rng rng = s3f_rng_make(2024 + k);
        assert_ok(s3f_tensor_fill_uniform(t, &rng, lo, hi));
        double mean, var;
        moments(t, &mean, &var);
        double sd = w / sqrt(12.0);
        /* bf16 rounding shifts the mean by at most half its ulp (2^-7 in [2, 4)) */
        double bias = dtypes[k] == S3F_BF16 ? 0.004 : 0;
        assert_true(fabs(mean - (lo + hi) / 2) < 5 * sd / sqrt((double)n) + bias);
        /* var of a uniform: sd of the estimate ~ var * sqrt(0.8 / n) */
        assert_true(fabs(var - sd * sd) < 5 * sd * sd * sqrt(0.8 / (double)n) + 4 * bias);
        /* ten equal bins hold ~n/10 each: binomial sd ~ sqrt(n * 0.09) */
        int64_t bins[10] = {0};
        for (int64_t i = 0; i < n; i++) {
            int b = (int)((s3f_tensor_get(t, i) - lo) / w * 10);
            assert_true(b >= 0 && b < 10);
            bins[b]++;
        }
        for (int b = 0; b < 10; b++)
            assert_true(fabs((double)bins[b] - n / 10.0) < 5 * sqrt(n * 0.09) + n * bias);
        s3f_tensor_destroy(t);
    }
}

static void test_normal_statistics(void **state)
{
    s3f_dtype dtypes[] = {S3F_F32, S3F_F64, S3F_F16, S3F_BF16};
    const int64_t n = 200000;
    const double mu = 1.5, sigma = 0.75;
    for (int k = 0; k < 4; k++) {
        s3f_tensor *t = make(dtypes[k], n);
        s3f_rng rng = s3f_rng_make(99 + k);
        assert_ok(s3f_tensor_fill_normal(t, &rng, mu, sigma));
        double mean, var;
        moments(t, &mean, &var);
        assert_true(fabs(mean - mu) < 5 * sigma / sqrt((double)n) + 0.002);
        /* sd of the sample sd ~ sigma / sqrt(2n); plus rounding slack */
        assert_true(fabs(sqrt(var) - sigma) < 5 * sigma / sqrt(2.0 * n) + 0.002);
        int64_t within1 = 0, within2 = 0, finite = 0;
        for (int64_t i = 0; i < n; i++) {
            double z = (s3f_tensor_get(t, i) - mu) / sigma;
            finite += isfinite(z);
            within1 += fabs(z) < 1;
            within2 += fabs(z) < 2;
        }
        assert_int_equal(finite, n);
        assert_true(fabs((double)within1 / n - 0.6827) < 0.01);
        assert_true(fabs((double)within2 / n - 0.9545) < 0.005);
        s3f_tensor_destroy(t);
    }
}

static void test_bad_tensors(void **state)
{
    s3f_rng rng = s3f_rng_make(1);
    s3f_tensor *ints = make(S3F_I32, 4), *x = make(S3F_F32, 4);
    assert_fails(s3f_tensor_fill_uniform(ints, &rng, 0, 1), S3F_ERR_DTYPE, "uniform", "i32");
    assert_fails(s3f_tensor_fill_normal(ints, &rng, 0, 1), S3F_ERR_DTYPE, "normal", "i32");
    assert_true(rng.offset == 0); /* a failed fill draws nothing */
    /* CUDA fills are tested against these CPU ones in tests/gpu */
    s3f_tensor *empty = make(S3F_F32, 0);
    assert_ok(s3f_tensor_fill_normal(empty, &rng, 0, 1));
    assert_true(rng.offset == 0);
    s3f_tensor *all[] = {ints, x, empty};
    ts_destroy_all(3, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers),
        cmocka_unit_test(test_uniform_uses_the_documented_stream),
        cmocka_unit_test(test_fills_ignore_thread_count),
        cmocka_unit_test(test_offsets_advance),
        cmocka_unit_test(test_uniform_stays_below_hi),
        cmocka_unit_test(test_uniform_extremes_stay_below_hi),
        cmocka_unit_test(test_uniform_statistics),
        cmocka_unit_test(test_normal_statistics),
        cmocka_unit_test(test_bad_tensors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
