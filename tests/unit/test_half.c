/* test_half.c — the f16 and bf16 conversions of half.h and of
 * s3f_tensor_cast, against independent references:
 *   - every one of the 65536 f16 and bf16 bit patterns round-trips through
 *     f32 (NaNs stay NaN, quietened, with their sign);
 *   - f32 -> f16 agrees bit for bit with GCC's _Float16 conversion, and
 *     f32 -> bf16 with an integer reference written here, on a strided sweep
 *     of all 2^32 patterns, random patterns and every tie position;
 *   - f64 -> f16 / bf16 through s3f_tensor_cast is correctly rounded (one
 *     rounding) on values that a plain f64 -> f32 -> f16 path double-rounds
 *     wrongly, checked against (_Float16)double and an exact ldexp reference.
 * Needs a compiler with _Float16 (GCC >= 12 on x86-64); skipped otherwise. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/half.h"
#include "test_support.h"

#ifndef __FLT16_MAX__
int main(void)
{
    fprintf(stderr, "skipped: this compiler has no _Float16 to compare against\n");
    return TS_SKIP_CODE;
}
#else

/* ---- references --------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint16_t compiler_f32_to_f16(float f)
{
    _Float16 h = (_Float16)f;
    uint16_t u;
    memcpy(&u, &h, 2);
    return u;
}

static uint16_t compiler_f64_to_f16(double d)
{
    _Float16 h = (_Float16)d;
    uint16_t u;
    memcpy(&u, &h, 2);
    return u;
}

static float compiler_f16_to_f32(uint16_t u)
{
    _Float16 h;
    memcpy(&h, &u, 2);
    return (float)h;
}

/* f32 -> bf16 by integers: keep the upper half, round up when the lower half
 * is above one half, or exactly one half and the upper half is odd. NaN is
 * the caller's business. */
static uint16_t reference_bf16(uint32_t u)
{
    uint32_t upper = u >> 16, lower = u & 0xffffu;
    if (lower > 0x8000u || (lower == 0x8000u && (upper & 1u))) upper++;
    return (uint16_t)upper;
}

/* x rounded to nearest, ties to even, into a binary format of p significant
 * bits whose smallest quantum is 2^qmin and which overflows at 2^emax, by
 * exact double arithmetic (scaling by powers of two and floor are exact). */
static double reference_round(double x, int p, int qmin, int emax)
{
    if (isnan(x) || isinf(x) || x == 0) return x;
    int e;
    frexp(fabs(x), &e); /* |x| in [2^(e-1), 2^e) */
    int q = e - p < qmin ? qmin : e - p;
    double s = ldexp(fabs(x), -q), k = floor(s), r = s - k;
    if (r > 0.5 || (r == 0.5 && fmod(k, 2.0) == 1.0)) k += 1;
    double y = ldexp(k, q);
    if (y >= ldexp(1.0, emax)) y = INFINITY;
    return copysign(y, x);
}

static double ref_f16(double x)
{
    return reference_round(x, 11, -24, 16);
}

static double ref_bf16(double x)
{
    return reference_round(x, 8, -133, 128);
}

static bool f16_is_nan(uint16_t h)
{
    return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu);
}

static bool bf16_is_nan(uint16_t h)
{
    return (h & 0x7f80u) == 0x7f80u && (h & 0x7fu);
}

/* Same value and sign (so also same bits, for non-NaN halves). */
static bool same_value(double got, double want)
{
    if (isnan(want)) return isnan(got);
    return got == want && signbit(got) == signbit(want);
}

/* ---- the f32 samples ---------------------------------------------------- */

typedef struct samples {
    uint32_t *u;
    size_t n, cap;
} samples;

static void push(samples *s, uint32_t u)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1 << 16;
        s->u = realloc(s->u, s->cap * sizeof *s->u);
        assert_non_null(s->u);
    }
    s->u[s->n++] = u;
}

/* Every f32 exponent and sign, with mantissas whose bits below a target
 * quantum of 2^drop f32 ulps sit at and around the tie, with both parities
 * of the kept bits; plus a stride over all patterns and random ones. */
static samples f32_samples(int (*drop_for_exponent)(int))
{
    samples s = {0};
    uint64_t rng = 42;
    for (uint64_t u = 0; u <= 0xffffffffu; u += 1031) push(&s, (uint32_t)u);
    for (int i = 0; i < 1000000; i++) push(&s, (uint32_t)splitmix(&rng));
    for (uint32_t sign = 0; sign < 2; sign++) {
        for (uint32_t exp = 0; exp < 256; exp++) {
            int drop = drop_for_exponent((int)exp);
            if (drop < 1 || drop > 23) continue;
            uint32_t half = 1u << (drop - 1), low = (1u << drop) - 1u;
            uint32_t patterns[] = {0, 1, half - 1, half, half + 1, low};
            for (int r = 0; r < 16; r++) {
                uint32_t high = ((uint32_t)splitmix(&rng) << drop) & 0x7fffffu;
                if (r < 2) high = r ? (0x7fffffu & ~low) : 0; /* extremes */
                for (int p = 0; p < 6; p++)
                    push(&s, sign << 31 | exp << 23 | ((high | patterns[p]) & 0x7fffffu));
            }
        }
    }
    uint32_t specials[] = {
        0x00000000,
        0x80000000,
        0x7f800000,
        0xff800000,
        0x7fc00000,
        0xffc00000,
        0x7f800001,
        0xff800001,
        0x7fbfffff,
        0x7fffffff,
        0x7f7fffff,
        0xff7fffff,
        0x00000001,
        0x807fffff,
        0x477fe000,
        /* 65504 */ 0x477fefff,
        0x477ff000,
        /* 65520 */ 0x47800000,
        0x38800000,
        0x387fffff,
        0x33800000,
        /* 2^-24 */ 0x33000000,
        /* 2^-25 */ 0x33000001,
        0x32ffffff,
        0x7f7f8000,
        0x7f7f7fff,
        0x7f7f8001,
        0x7f7fffff,
        0x00800000,
        0x00008000,
        0x00018000,
    };
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) push(&s, specials[i]);
    return s;
}

/* f32 ulps below the f16 quantum at a biased f32 exponent. */
static int f16_drop(int exp)
{
    return 126 - exp > 13 ? 126 - exp : 13;
}

static int bf16_drop(int exp)
{
    return 16;
}

/* ---- tests -------------------------------------------------------------- */

static void test_f16_every_pattern_round_trips(void **state)
{
    for (uint32_t i = 0; i < 65536; i++) {
        uint16_t h = (uint16_t)i;
        float f = s3f_f16_to_f32(h), c = compiler_f16_to_f32(h);
        uint16_t back = s3f_f32_to_f16(f);
        if (f16_is_nan(h)) {
            assert_true(isnan(f) && isnan(c));
            assert_int_equal(signbit(f) != 0, (h & 0x8000u) != 0);
            /* payload kept, quiet bit set */
            assert_int_equal(s3f_f32_bits(f) & 0x7fffffu, (uint32_t)(h & 0x3ffu) << 13);
            assert_int_equal(back, h | 0x200u);
            continue;
        }
        if (s3f_f32_bits(f) != s3f_f32_bits(c)) {
            print_error("f16 %04x widens to %08x, compiler %08x\n", h, s3f_f32_bits(f),
                        s3f_f32_bits(c));
            fail();
        }
        if (back != h) {
            print_error("f16 %04x -> f32 %a -> f16 %04x\n", h, (double)f, back);
            fail();
        }
    }
}

static void test_bf16_every_pattern_round_trips(void **state)
{
    for (uint32_t i = 0; i < 65536; i++) {
        uint16_t h = (uint16_t)i;
        float f = s3f_bf16_to_f32(h);
        assert_int_equal(s3f_f32_bits(f), i << 16);
        uint16_t back = s3f_f32_to_bf16(f);
        if (bf16_is_nan(h))
            assert_int_equal(back, h | 0x40u);
        else
            assert_int_equal(back, h);
    }
}

static void test_f32_to_f16_matches_compiler(void **state)
{
    samples s = f32_samples(f16_drop);
    size_t nan_count = 0;
    for (size_t i = 0; i < s.n; i++) {
        float f = s3f_bits_f32(s.u[i]);
        uint16_t got = s3f_f32_to_f16(f);
        if (isnan(f)) {
            assert_true(f16_is_nan(got) && (got & 0x200u)); /* a quiet NaN */
            assert_int_equal((got & 0x8000u) != 0, signbit(f) != 0);
            nan_count++;
            continue;
        }
        uint16_t want = compiler_f32_to_f16(f);
        /* and the exact reference agrees with the compiler */
        assert_true(same_value(s3f_f16_to_f32(want), ref_f16(f)));
        if (got != want) {
            print_error("f32 %08x (%a): f16 %04x, compiler %04x\n", s.u[i], (double)f, got, want);
            fail();
        }
    }
    assert_true(nan_count > 1000);
    assert_true(s.n > 5000000);
    free(s.u);
}

static void test_f32_to_bf16_matches_reference(void **state)
{
    samples s = f32_samples(bf16_drop);
    /* every upper half with the lower half at and around the tie */
    uint32_t lows[] = {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff};
    for (uint32_t upper = 0; upper < 65536; upper++)
        for (int k = 0; k < 6; k++) push(&s, upper << 16 | lows[k]);
    for (size_t i = 0; i < s.n; i++) {
        float f = s3f_bits_f32(s.u[i]);
        uint16_t got = s3f_f32_to_bf16(f);
        if (isnan(f)) {
            assert_true(bf16_is_nan(got) && (got & 0x40u));
            assert_int_equal(got, (s.u[i] >> 16) | 0x40u);
            continue;
        }
        uint16_t want = reference_bf16(s.u[i]);
        assert_true(same_value(s3f_bf16_to_f32(want), ref_bf16(f)));
        if (got != want) {
            print_error("f32 %08x (%a): bf16 %04x, reference %04x\n", s.u[i], (double)f, got, want);
            fail();
        }
    }
    free(s.u);
}

/* ---- f64 through s3f_tensor_cast ---------------------------------------- */

typedef struct doubles {
    double *v;
    int64_t n, cap;
} doubles;

static void push_d(doubles *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1 << 16;
        s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n++] = v;
}

/* For every finite positive half value a (decoded by `widen`) and its
 * successor b (2^overflow_exp after the largest): the midpoint and points within 2^-30 relative of
 * it, which f32 cannot tell apart from the midpoint; both signs. Then random doubles over the
 * exponent range [emin, emax] and a few extremes. */
static doubles f64_samples(float (*widen)(uint16_t), uint16_t inf_bits, int overflow_exp, int emin,
                           int emax)
{
    doubles s = {0};
    for (uint32_t h = 0; h < inf_bits; h++) {
        /* past the largest finite value, the rounding boundary is 2^overflow_exp */
        double a = widen((uint16_t)h),
               b = h + 1 < inf_bits ? widen((uint16_t)(h + 1)) : ldexp(1.0, overflow_exp);
        double m = (a + b) / 2; /* exact in f64 */
        double offsets[] = {0, ldexp(m, -30), -ldexp(m, -30), ldexp(m, -45), -ldexp(m, -45)};
        for (int k = 0; k < 5; k++) {
            push_d(&s, m + offsets[k]);
            push_d(&s, -(m + offsets[k]));
        }
    }
    uint64_t rng = 7;
    for (int i = 0; i < 300000; i++) {
        uint64_t r = splitmix(&rng);
        int e = emin + (int)(r % (uint64_t)(emax - emin + 1));
        double mant = 1.0 + (double)(splitmix(&rng) >> 11) * 0x1p-53;
        push_d(&s, (r >> 63 ? -1 : 1) * ldexp(mant, e));
    }
    double extremes[] = {0.0,      -0.0,     1e-300,       -1e-300,   1e300,    -1e300,    DBL_MAX,
                         -DBL_MAX, DBL_MIN,  4.9e-324,     -4.9e-324, INFINITY, -INFINITY, NAN,
                         65520.0,  65519.99, 65520.000001, 3.4e38,    3.39e38};
    for (size_t i = 0; i < sizeof extremes / sizeof extremes[0]; i++) push_d(&s, extremes[i]);
    return s;
}

static float widen_f16(uint16_t h)
{
    return s3f_f16_to_f32(h);
}

static float widen_bf16(uint16_t h)
{
    return s3f_bf16_to_f32(h);
}

/* Casts the samples from f64 to `half` with s3f_tensor_cast. */
static s3f_tensor *cast_samples(const doubles *s, s3f_dtype half)
{
    s3f_tensor *src, *dst;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(s->n), &src));
    memcpy(src->data, s->v, (size_t)s->n * sizeof(double));
    assert_ok(s3f_tensor_create(half, S3F_SHAPE(s->n), &dst));
    assert_ok(s3f_tensor_cast(dst, src));
    s3f_tensor_destroy(src);
    return dst;
}

static void test_f64_to_f16_cast_rounds_once(void **state)
{
    doubles s = f64_samples(widen_f16, 0x7c00, 16, -30, 17);
    s3f_tensor *h = cast_samples(&s, S3F_F16);
    const uint16_t *got = h->data;
    int64_t naive_wrong = 0;
    for (int64_t i = 0; i < s.n; i++) {
        double d = s.v[i];
        if (isnan(d)) {
            assert_true(f16_is_nan(got[i]));
            continue;
        }
        uint16_t want = compiler_f64_to_f16(d);
        assert_true(same_value(s3f_f16_to_f32(want), ref_f16(d)));
        if (got[i] != want) {
            print_error("f64 %a: cast gives f16 %04x, correctly rounded %04x\n", d, got[i], want);
            fail();
        }
        naive_wrong += s3f_f32_to_f16((float)d) != want;
    }
    /* The samples do exercise double rounding: the naive path fails often. */
    assert_true(naive_wrong > 10000);
    s3f_tensor_destroy(h);
    free(s.v);
}

static void test_f64_to_bf16_cast_rounds_once(void **state)
{
    doubles s = f64_samples(widen_bf16, 0x7f80, 128, -140, 130);
    s3f_tensor *h = cast_samples(&s, S3F_BF16);
    const uint16_t *got = h->data;
    int64_t naive_wrong = 0;
    for (int64_t i = 0; i < s.n; i++) {
        double d = s.v[i];
        if (isnan(d)) {
            assert_true(bf16_is_nan(got[i]));
            continue;
        }
        double want = ref_bf16(d);
        if (!same_value(s3f_bf16_to_f32(got[i]), want)) {
            print_error("f64 %a: cast gives bf16 %04x = %a, correctly rounded %a\n", d, got[i],
                        (double)s3f_bf16_to_f32(got[i]), want);
            fail();
        }
        naive_wrong += !same_value(s3f_bf16_to_f32(s3f_f32_to_bf16((float)d)), want);
    }
    assert_true(naive_wrong > 10000);
    s3f_tensor_destroy(h);
    free(s.v);
}

/* f16 and bf16 sources widen exactly to every other float dtype. */
static void test_half_sources_widen_exactly(void **state)
{
    s3f_tensor *f16, *bf16, *f64, *f32;
    assert_ok(s3f_tensor_create(S3F_F16, S3F_SHAPE(65536), &f16));
    assert_ok(s3f_tensor_create(S3F_BF16, S3F_SHAPE(65536), &bf16));
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(65536), &f64));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(65536), &f32));
    for (uint32_t i = 0; i < 65536; i++) {
        ((uint16_t *)f16->data)[i] = (uint16_t)i;
        ((uint16_t *)bf16->data)[i] = (uint16_t)i;
    }
    assert_ok(s3f_tensor_cast(f64, f16));
    assert_ok(s3f_tensor_cast(f32, f16));
    for (uint32_t i = 0; i < 65536; i++) {
        double want = s3f_f16_to_f32((uint16_t)i);
        assert_true(same_value(((double *)f64->data)[i], want));
        assert_true(same_value(((float *)f32->data)[i], want));
    }
    assert_ok(s3f_tensor_cast(f64, bf16));
    for (uint32_t i = 0; i < 65536; i++)
        assert_true(same_value(((double *)f64->data)[i], s3f_bf16_to_f32((uint16_t)i)));
    /* f16 -> bf16 and back: bf16 has fewer significant bits, so compare
     * with the reference rounding of the exact f16 value. */
    assert_ok(s3f_tensor_cast(bf16, f16));
    for (uint32_t i = 0; i < 65536; i++) {
        double v = s3f_f16_to_f32((uint16_t)i);
        double got = s3f_bf16_to_f32(((uint16_t *)bf16->data)[i]);
        if (isnan(v))
            assert_true(isnan(got));
        else
            assert_true(same_value(got, ref_bf16(v)));
    }
    s3f_tensor *all[] = {f16, bf16, f64, f32};
    ts_destroy_all(4, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f16_every_pattern_round_trips),
        cmocka_unit_test(test_bf16_every_pattern_round_trips),
        cmocka_unit_test(test_f32_to_f16_matches_compiler),
        cmocka_unit_test(test_f32_to_bf16_matches_reference),
        cmocka_unit_test(test_f64_to_f16_cast_rounds_once),
        cmocka_unit_test(test_f64_to_bf16_cast_rounds_once),
        cmocka_unit_test(test_half_sources_widen_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
