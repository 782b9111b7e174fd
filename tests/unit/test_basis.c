/* test_basis.c — the equivariant bases of SPEC.md §5: the §20 reference
 * numbers (basis['0,1'], basis['1,0'], basis['1,1'] blocks, the per-pair
 * sum / wsum / frob² checksums of all 16 pairs, the 884 non-zeros of
 * fully_fused), the rotation law K(R r) = D^{d_in}(R) K(r) D^{d_out}(R)ᵀ of
 * every block, the fused layouts as rearrangements of the per-pair blocks,
 * the pad trick, zero vectors, f32 against f64, thread-count independence,
 * and bad arguments. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/so3.h"
#include "test_support.h"

#define D_MAX S3F_BASIS_MAX_DEGREE

static int dim(int l)
{
    return 2 * l + 1;
}

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

/* Every output of `lay` for E edges, newly created. */
static s3f_basis_out create_all(s3f_dtype dt, int64_t E, const s3f_basis_layout *lay)
{
    s3f_basis_out out = {0};
    int64_t S = lay->components, P = lay->pad;
    for (int a = 0; a <= lay->max_degree; a++) {
        for (int b = 0; b <= lay->max_degree; b++)
            assert_ok(s3f_tensor_create(
                dt, S3F_SHAPE(E, dim(a), s3f_basis_num_freq(a, b), dim(b) + P), &out.pair[a][b]));
        assert_ok(s3f_tensor_create(dt, S3F_SHAPE(E, S, lay->out_freqs[a], dim(a) + P),
                                    &out.out_fused[a]));
        assert_ok(
            s3f_tensor_create(dt, S3F_SHAPE(E, dim(a), lay->in_freqs[a], S), &out.in_fused[a]));
    }
    assert_ok(s3f_tensor_create(dt, S3F_SHAPE(E, S, lay->fully_freqs, S), &out.fully_fused));
    return out;
}

static void destroy_all(s3f_basis_out *out)
{
    for (int a = 0; a <= D_MAX; a++) {
        for (int b = 0; b <= D_MAX; b++) s3f_tensor_destroy(out->pair[a][b]);
        s3f_tensor_destroy(out->out_fused[a]);
        s3f_tensor_destroy(out->in_fused[a]);
    }
    s3f_tensor_destroy(out->fully_fused);
}

/* All outputs for max degree D of n vectors (n, 3). */
static s3f_basis_out bases(s3f_dtype dt, int n, const double *vectors, int D, bool pad)
{
    s3f_basis_layout lay;
    assert_ok(s3f_basis_layout_init(D, pad, &lay));
    s3f_tensor *r = ts_from(dt, S3F_SHAPE(n, 3), vectors);
    s3f_basis_out out = create_all(dt, n, &lay);
    assert_ok(s3f_basis_compute(r, &lay, &out));
    s3f_tensor_destroy(r);
    return out;
}

/* t[i0, i1, i2, i3] of a 4-d tensor. */
static double at4(const s3f_tensor *t, int64_t i0, int64_t i1, int64_t i2, int64_t i3)
{
    const int64_t *d = t->shape.d;
    return s3f_tensor_get(t, ((i0 * d[1] + i1) * d[2] + i2) * d[3] + i3);
}

/* SPEC §20, r = (0.3, −0.5, 0.8), max degree 3; numbers given to 8 decimals.
 * f64 to 1e-7; f32 to 1e-6 (wsum, weighted up to 343, to 2e-5). */
static void test_reference_numbers(void **state)
{
    static const double b01[3] = {0.08548763, -0.14247939, 0.22796702};
    static const double b11[3][3][3] = {
        {{0.1628675, 0, 0}, {0, 0.1628675, 0}, {0, 0, 0.1628675}},
        {{0, 0.16119702, 0.10074814}, {-0.16119702, 0, 0.06044888}, {-0.10074814, -0.06044888, 0}},
        {{-0.08343566, -0.05288176, 0.08461081},
         {-0.05288176, -0.02702845, -0.14101802},
         {0.08461081, -0.14101802, 0.11046412}},
    };
    static const double sums[4][4][3] = {
        {{0.28209479, 0.28209479, 0.07957747},
         {0.17097526, 0.48442991, 0.07957747},
         {-0.05055305, -0.24140247, 0.07957747},
         {0.07999565, 0.13012843, 0.07957747}},
        {{0.17097526, 0.48442991, 0.07957747},
         {0.27002458, -0.66869955, 0.23873241},
         {-0.14710347, -3.60368769, 0.23873241},
         {-0.00553010, 0.01854094, 0.23873241}},
        {{-0.05055305, -0.24140247, 0.07957747},
         {0.09592049, 5.96205924, 0.23873241},
         {0.07700791, 35.04517138, 0.39788736},
         {0.11398790, 10.41005184, 0.39788736}},
        {{0.07999565, 0.13012843, 0.07957747},
         {0.11637793, 4.53609838, 0.23873241},
         {-0.18731379, -25.86384926, 0.39788736},
         {0.13395852, 143.17558522, 0.55704230}},
    };
    const double r[3] = {0.3, -0.5, 0.8};
    for (int pass = 0; pass < 2; pass++) {
        s3f_dtype dt = pass ? S3F_F32 : S3F_F64;
        double tol = pass ? 1e-6 : 1e-7, wtol = pass ? 2e-5 : 1e-7;
        s3f_basis_out b = bases(dt, 1, r, 3, false);
        for (int k = 0; k < 3; k++) {
            assert_near(at4(b.pair[0][1], 0, 0, 0, k), b01[k], tol);
            assert_near(at4(b.pair[1][0], 0, k, 0, 0), b01[k], tol);
        }
        for (int f = 0; f < 3; f++)
            for (int l = 0; l < 3; l++)
                for (int k = 0; k < 3; k++)
                    assert_near(at4(b.pair[1][1], 0, l, f, k), b11[f][l][k], tol);
        for (int a = 0; a < 4; a++)
            for (int c = 0; c < 4; c++) {
                const s3f_tensor *t = b.pair[a][c];
                double sum = 0, wsum = 0, frob2 = 0;
                for (int64_t i = 0; i < s3f_tensor_numel(t); i++) {
                    double v = s3f_tensor_get(t, i);
                    sum += v;
                    wsum += v * (double)(1 + i);
                    frob2 += v * v;
                }
                assert_near(sum, sums[a][c][0], tol);
                assert_near(wsum, sums[a][c][1], wtol);
                assert_near(frob2, sums[a][c][2], tol);
            }
        int64_t nonzero = 0;
        for (int64_t i = 0; i < s3f_tensor_numel(b.fully_fused); i++)
            nonzero += s3f_tensor_get(b.fully_fused, i) != 0;
        assert_int_equal(nonzero, 884);
        destroy_all(&b);
    }
}

/* SPEC §5.2's offsets for max degree 3. */
static void test_layout(void **state)
{
    s3f_basis_layout lay;
    assert_ok(s3f_basis_layout_init(3, true, &lay));
    static const int out_freqs[4] = {4, 10, 14, 16}, fo[4] = {0, 4, 14, 28}, off[4] = {0, 1, 4, 9};
    assert_int_equal(lay.components, 16);
    assert_int_equal(lay.fully_freqs, 44);
    for (int d = 0; d < 4; d++) {
        assert_int_equal(lay.out_freqs[d], out_freqs[d]);
        assert_int_equal(lay.in_freqs[d], out_freqs[d]); /* F is symmetric */
        assert_int_equal(lay.fully_freq_offset[d], fo[d]);
        assert_int_equal(lay.offset[d], off[d]);
    }
    /* Fo(d_in; d_out = 2) = 0, 1, 4, 9 */
    assert_int_equal(lay.out_freq_offset[2][1], 1);
    assert_int_equal(lay.out_freq_offset[2][3], 9);
    assert_int_equal(lay.in_freq_offset[3][2], 4);
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

/* From §5.1, K(r)[l, k] = Σ_j Y^J_j(r) C[j, l, k]; Y^J(R r) = D^J Y^J(r) and
 * the invariance of C under D^J ⊗ D^{d_in} ⊗ D^{d_out} (with D orthogonal)
 * give K(R r) = D^{d_in}(R) K(r) D^{d_out}(R)ᵀ for every pair and f. Checked
 * in f64 to 1e-12 for max degree 5 (J up to 10), 3 rotations × 6 vectors. */
static void test_rotation(void **state)
{
    enum { N = 6, D = D_MAX, M = 2 * D_MAX + 1 };
    s3f_tensor *r = ts_random(S3F_F64, S3F_SHAPE(N, 3), 41, -2, 2, false);
    s3f_basis_out b = bases(S3F_F64, N, r->data, D, false);
    for (int t = 0; t < 3; t++) {
        double R[9], rr[N * 3], wd[D + 1][M * M];
        random_rotation(200 + t, R);
        for (int l = 0; l <= D; l++) assert_ok(s3f_wigner_d(l, R, wd[l]));
        const double *v = r->data;
        for (int e = 0; e < N; e++)
            for (int i = 0; i < 3; i++)
                rr[3 * e + i] =
                    R[3 * i] * v[3 * e] + R[3 * i + 1] * v[3 * e + 1] + R[3 * i + 2] * v[3 * e + 2];
        s3f_basis_out br = bases(S3F_F64, N, rr, D, false);
        for (int a = 0; a <= D; a++)
            for (int c = 0; c <= D; c++)
                for (int e = 0; e < N; e++)
                    for (int f = 0; f < s3f_basis_num_freq(a, c); f++)
                        for (int l = 0; l < dim(a); l++)
                            for (int k = 0; k < dim(c); k++) {
                                double want = 0;
                                for (int p = 0; p < dim(a); p++)
                                    for (int q = 0; q < dim(c); q++)
                                        want += wd[a][l * dim(a) + p] *
                                                at4(b.pair[a][c], e, p, f, q) *
                                                wd[c][k * dim(c) + q];
                                assert_near(at4(br.pair[a][c], e, l, f, k), want, 1e-12);
                            }
        destroy_all(&br);
    }
    destroy_all(&b);
    s3f_tensor_destroy(r);
}

/* The fused tensors of SPEC §5.2 equal zero-filled tensors with the per-pair
 * blocks copied in at the §5.2 offsets, exactly (bitwise); with and without
 * the pad, in which case the pad entries are 0 and the rest equals the
 * unpadded tensors. */
static void test_fused_layouts(void **state)
{
    enum { N = 7, D = 3 };
    s3f_tensor *r = ts_random(S3F_F64, S3F_SHAPE(N, 3), 43, -2, 2, false);
    s3f_basis_out plain = bases(S3F_F64, N, r->data, D, false);
    for (int pad = 0; pad < 2; pad++) {
        s3f_basis_layout lay;
        assert_ok(s3f_basis_layout_init(D, pad, &lay));
        s3f_basis_out b = pad ? bases(S3F_F64, N, r->data, D, true) : plain;
        s3f_basis_out want = create_all(S3F_F64, N, &lay);
        for (int a = 0; a <= D; a++) {
            assert_ok(s3f_tensor_fill(want.out_fused[a], 0));
            assert_ok(s3f_tensor_fill(want.in_fused[a], 0));
        }
        assert_ok(s3f_tensor_fill(want.fully_fused, 0));
        double *ff = want.fully_fused->data;
        int64_t S = lay.components, FF = lay.fully_freqs;
        for (int a = 0; a <= D; a++)     /* d_in */
            for (int c = 0; c <= D; c++) /* d_out */
                for (int e = 0; e < N; e++)
                    for (int l = 0; l < dim(a); l++)
                        for (int f = 0; f < s3f_basis_num_freq(a, c); f++)
                            for (int k = 0; k < dim(c) + pad; k++) {
                                double v = at4(b.pair[a][c], e, l, f, k);
                                if (k == dim(c)) {
                                    assert_true(v == 0);
                                    continue;
                                }
                                assert_true(v == at4(plain.pair[a][c], e, l, f, k));
                                int64_t of = lay.out_freqs[c], inf = lay.in_freqs[a];
                                int64_t fo = lay.out_freq_offset[c][a] + f;
                                int64_t fi = lay.in_freq_offset[a][c] + f;
                                int64_t fu = lay.fully_freq_offset[c] + fo;
                                int64_t ao = lay.offset[a] + l, co = lay.offset[c] + k;
                                double *o = want.out_fused[c]->data, *i = want.in_fused[a]->data;
                                o[((e * S + ao) * of + fo) * (dim(c) + pad) + k] = v;
                                i[((e * dim(a) + l) * inf + fi) * S + co] = v;
                                ff[((e * S + ao) * FF + fu) * S + co] = v;
                            }
        for (int d = 0; d <= D; d++) {
            ts_assert_bitwise_equal(b.out_fused[d], want.out_fused[d]);
            ts_assert_bitwise_equal(b.in_fused[d], want.in_fused[d]);
        }
        ts_assert_bitwise_equal(b.fully_fused, want.fully_fused);
        destroy_all(&want);
        if (pad) destroy_all(&b);
    }
    destroy_all(&plain);
    s3f_tensor_destroy(r);
}

/* f32 against f64 on 200 random edges, every output, max degree 3: the f32
 * path (harmonics and contraction in float, C rounded to float) agrees to
 * 1e-6 absolute (entries are at most 1/√(4π) ≈ 0.28). */
static void test_f32_matches_f64(void **state)
{
    enum { N = 200, D = 3 };
    s3f_tensor *r = ts_random(S3F_F64, S3F_SHAPE(N, 3), 47, -3, 3, false);
    s3f_basis_out b64 = bases(S3F_F64, N, r->data, D, true);
    s3f_basis_out b32 = bases(S3F_F32, N, r->data, D, true);
    for (int a = 0; a <= D; a++) {
        for (int c = 0; c <= D; c++) ts_assert_close(b32.pair[a][c], b64.pair[a][c], 1e-6, 0);
        ts_assert_close(b32.out_fused[a], b64.out_fused[a], 1e-6, 0);
        ts_assert_close(b32.in_fused[a], b64.in_fused[a], 1e-6, 0);
    }
    ts_assert_close(b32.fully_fused, b64.fully_fused, 1e-6, 0);
    destroy_all(&b64);
    destroy_all(&b32);
    s3f_tensor_destroy(r);
}

/* The same edges on 1 and on 3 threads give bitwise equal outputs. */
static void test_thread_count(void **state)
{
    enum { N = 500, D = 3 };
    s3f_tensor *r = ts_random(S3F_F64, S3F_SHAPE(N, 3), 53, -3, 3, false);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    s3f_basis_out one = bases(S3F_F32, N, r->data, D, true);
    omp_set_num_threads(3);
    s3f_basis_out three = bases(S3F_F32, N, r->data, D, true);
    omp_set_num_threads(saved);
    for (int a = 0; a <= D; a++) {
        for (int c = 0; c <= D; c++) ts_assert_bitwise_equal(one.pair[a][c], three.pair[a][c]);
        ts_assert_bitwise_equal(one.out_fused[a], three.out_fused[a]);
        ts_assert_bitwise_equal(one.in_fused[a], three.in_fused[a]);
    }
    ts_assert_bitwise_equal(one.fully_fused, three.fully_fused);
    destroy_all(&one);
    destroy_all(&three);
    s3f_tensor_destroy(r);
}

/* A zero vector has Y^0 = 1/√(4π), Y^{J>0} = 0 (SPEC §3.1), so only the J = 0
 * blocks survive: basis['d,d'][l, 0, k] = δ_lk / √((2d+1)·4π). */
static void test_zero_vector(void **state)
{
    const double r[3] = {0, 0, 0};
    s3f_basis_out b = bases(S3F_F64, 1, r, 3, false);
    for (int a = 0; a <= 3; a++)
        for (int c = 0; c <= 3; c++)
            for (int l = 0; l < dim(a); l++)
                for (int f = 0; f < s3f_basis_num_freq(a, c); f++)
                    for (int k = 0; k < dim(c); k++) {
                        bool j0 = a == c && f == 0 && l == k;
                        double want = j0 ? 1 / sqrt(dim(a) * 4 * 3.14159265358979323846) : 0;
                        assert_near(at4(b.pair[a][c], 0, l, f, k), want, 1e-15);
                    }
    destroy_all(&b);
}

static void test_bad_arguments(void **state)
{
    s3f_basis_layout lay, bad;
    s3f_basis_out none = {0};
    assert_ok(s3f_basis_layout_init(2, false, &lay));
    assert_fails(s3f_basis_layout_init(6, false, &bad), S3F_ERR_ARG, "0..5");
    assert_fails(s3f_basis_layout_init(-1, false, &bad), S3F_ERR_ARG, "0..5");
    assert_fails(s3f_basis_layout_init(1, false, NULL), S3F_ERR_ARG, "NULL");
    s3f_tensor *r = ts_random(S3F_F64, S3F_SHAPE(4, 3), 1, -1, 1, false);
    s3f_tensor *r4 = ts_random(S3F_F64, S3F_SHAPE(4, 4), 1, -1, 1, false);
    s3f_tensor *r32 = ts_cast(r, S3F_F32), *t;
    assert_ok(s3f_tensor_create(S3F_F64, S3F_SHAPE(4, 3, 3, 5), &t)); /* '1,2' unpadded */
    assert_fails(s3f_basis_compute(NULL, &lay, &none), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_basis_compute(r, NULL, &none), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_basis_compute(r, &lay, NULL), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_basis_compute(r4, &lay, &none), S3F_ERR_SHAPE, "(E, 3)");
    s3f_basis_out o = {0};
    o.pair[1][2] = t;
    assert_ok(s3f_basis_compute(r, &lay, &o));
    assert_fails(s3f_basis_compute(r32, &lay, &o), S3F_ERR_DTYPE, "basis '1,2'");
    o.pair[1][2] = NULL;
    o.pair[2][1] = t;
    assert_fails(s3f_basis_compute(r, &lay, &o), S3F_ERR_SHAPE, "basis '2,1'");
    o.pair[2][1] = NULL;
    o.fully_fused = t;
    assert_fails(s3f_basis_compute(r, &lay, &o), S3F_ERR_SHAPE, "fully_fused");
    s3f_tensor *all[] = {r, r4, r32, t};
    ts_destroy_all(4, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_numbers), cmocka_unit_test(test_layout),
        cmocka_unit_test(test_rotation),          cmocka_unit_test(test_fused_layouts),
        cmocka_unit_test(test_f32_matches_f64),   cmocka_unit_test(test_thread_count),
        cmocka_unit_test(test_zero_vector),       cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
