/* test_clebsch_gordan.c — the real Clebsch–Gordan tensors of SPEC §4: the
 * §4.2 pivot table, the closed forms, normalisation, orthogonality and
 * completeness, the permutation rule for unsorted triples (and the trap of
 * applying the sign rule to them directly), the recurrence check that pins
 * the 0.3.3 signs, SPEC §20's basis numbers for every pair they determine,
 * bad arguments, the cache under threads, and invariance under
 * D ⊗ D ⊗ D with the Wigner-D matrices of the harmonics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/so3.h"
#include "test_support.h"

static int dim(int l)
{
    return 2 * l + 1;
}

static bool valid(int l1, int l2, int l3)
{
    return l3 >= abs(l1 - l2) && l3 <= l1 + l2;
}

/* The cached tensor; fails the test if it cannot be had. */
static const double *cg(int l1, int l2, int l3)
{
    const double *c = NULL;
    assert_ok(s3f_clebsch_gordan_cached(l1, l2, l3, &c));
    assert_non_null(c);
    return c;
}

static double at(const double *c, int l2, int l3, int i, int j, int k)
{
    return c[(i * dim(l2) + j) * dim(l3) + k];
}

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

/* SPEC §4.2: the entry that rule 3 makes positive, for every sorted triple of
 * the QM9 model. The table has 10 significant digits. */
static void test_pivot_table(void **state)
{
    static const struct {
        int l[3], at[3];
        double value;
    } rows[] = {
        {{0, 0, 0}, {0, 0, 0}, 1.0},          {{0, 1, 1}, {0, 1, 1}, 0.5773502692},
        {{0, 2, 2}, {0, 2, 2}, 0.4472135955}, {{0, 3, 3}, {0, 3, 3}, 0.3779644730},
        {{1, 1, 1}, {0, 1, 2}, 0.4082482905}, {{1, 1, 2}, {1, 1, 2}, 0.3651483717},
        {{1, 2, 2}, {0, 0, 1}, 0.1825741858}, {{1, 2, 3}, {1, 2, 3}, 0.2927700219},
        {{1, 3, 3}, {0, 0, 1}, 0.1336306210}, {{1, 3, 4}, {1, 3, 4}, 0.2519763153},
        {{2, 2, 2}, {2, 2, 2}, 0.2390457219}, {{2, 2, 3}, {0, 1, 0}, 0.1889822365},
        {{2, 2, 4}, {2, 2, 4}, 0.2390457219}, {{2, 3, 3}, {2, 3, 3}, 0.1951800146},
        {{2, 3, 4}, {0, 0, 3}, 0.0487950036}, {{2, 3, 5}, {2, 3, 5}, 0.2080625946},
        {{3, 3, 3}, {0, 1, 2}, 0.1543033500}, {{3, 3, 4}, {3, 3, 4}, 0.1611645928},
        {{3, 3, 5}, {0, 1, 0}, 0.1507556723}, {{3, 3, 6}, {3, 3, 6}, 0.1824829672},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const int *l = rows[r].l, *p = rows[r].at;
        const double *c = cg(l[0], l[1], l[2]);
        assert_near(at(c, l[1], l[2], p[0], p[1], p[2]), rows[r].value, 1e-9);
        bool centre = p[0] == l[0] && p[1] == l[1] && p[2] == l[2];
        if (centre) continue;
        /* a "first non-zero" pivot: the centre is zero and nothing precedes it */
        assert_true(at(c, l[1], l[2], l[0], l[1], l[2]) == 0.0);
        int flat = (p[0] * dim(l[1]) + p[1]) * dim(l[2]) + p[2];
        for (int i = 0; i < flat; i++) assert_true(c[i] == 0.0);
    }
}

/* SPEC §4.2: C(0,l,l)[0,a,b] = δ_ab/√(2l+1); C(1,1,1)[i,j,k] = ε_ijk/√6. */
static void test_closed_forms(void **state)
{
    for (int l = 0; l <= S3F_CG_MAX_L; l++) {
        const double *c = cg(0, l, l);
        for (int a = 0; a < dim(l); a++)
            for (int b = 0; b < dim(l); b++)
                assert_near(at(c, l, l, 0, a, b), a == b ? 1.0 / sqrt(dim(l)) : 0.0, 1e-15);
    }
    const double *c = cg(1, 1, 1);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) {
                /* ε_ijk = (i−j)(j−k)(k−i)/2 for indices 0..2 */
                double eps = (double)((i - j) * (j - k) * (k - i)) / 2.0;
                assert_near(at(c, 1, 1, i, j, k), eps / sqrt(6.0), 1e-15);
            }
}

/* Every tensor up to l = 10 has Frobenius norm 1 (SPEC §4 item 2). */
static void test_frobenius_norm(void **state)
{
    for (int l1 = 0; l1 <= S3F_CG_MAX_L; l1++)
        for (int l2 = 0; l2 <= S3F_CG_MAX_L; l2++)
            for (int l3 = abs(l1 - l2); l3 <= l1 + l2 && l3 <= S3F_CG_MAX_L; l3++) {
                const double *c = cg(l1, l2, l3);
                double s = 0.0;
                for (int i = 0; i < dim(l1) * dim(l2) * dim(l3); i++) s += c[i] * c[i];
                assert_near(s, 1.0, 1e-14);
            }
}

/* With norm 1, the 3j orthogonality reads
 * Σ_{m1,m2} C(l1,l2,L)[m1,m2,M] C(l1,l2,L')[m1,m2,M'] = δ_LL' δ_MM' / (2L+1),
 * for every l1, l2 ≤ 6 and every pair of valid L, L'. */
static void test_orthogonality(void **state)
{
    for (int l1 = 0; l1 <= 6; l1++)
        for (int l2 = 0; l2 <= 6; l2++)
            for (int L = abs(l1 - l2); L <= l1 + l2 && L <= S3F_CG_MAX_L; L++)
                for (int K = abs(l1 - l2); K <= l1 + l2 && K <= S3F_CG_MAX_L; K++) {
                    const double *a = cg(l1, l2, L), *b = cg(l1, l2, K);
                    for (int M = 0; M < dim(L); M++)
                        for (int N = 0; N < dim(K); N++) {
                            double s = 0.0;
                            for (int i = 0; i < dim(l1); i++)
                                for (int j = 0; j < dim(l2); j++)
                                    s += at(a, l2, L, i, j, M) * at(b, l2, K, i, j, N);
                            double want = (L == K && M == N) ? 1.0 / dim(L) : 0.0;
                            assert_near(s, want, 1e-14);
                        }
                }
}

/* The other 3j relation: Σ_{L,M} (2L+1) C[m1,m2,M] C[m1',m2',M] = δ δ, for
 * every l1 + l2 ≤ 10 (so that every L of the sum is available). */
static void test_completeness(void **state)
{
    for (int l1 = 0; l1 <= S3F_CG_MAX_L; l1++)
        for (int l2 = 0; l1 + l2 <= S3F_CG_MAX_L; l2++)
            for (int i = 0; i < dim(l1); i++)
                for (int j = 0; j < dim(l2); j++)
                    for (int p = 0; p < dim(l1); p++)
                        for (int q = 0; q < dim(l2); q++) {
                            double s = 0.0;
                            for (int L = abs(l1 - l2); L <= l1 + l2; L++) {
                                const double *c = cg(l1, l2, L);
                                for (int M = 0; M < dim(L); M++)
                                    s += dim(L) * at(c, l2, L, i, j, M) * at(c, l2, L, p, q, M);
                            }
                            assert_near(s, (i == p && j == q) ? 1.0 : 0.0, 1e-13);
                        }
}

/* SPEC §4 item 4, the six cases written out, for every triple up to l = 10;
 * the uncached function gives the same bits as the cache. */
static void test_permutation_rule(void **state)
{
    int n = S3F_CG_MAX_L;
    double *fresh = malloc(sizeof *fresh * (size_t)(dim(n) * dim(n) * dim(n)));
    assert_non_null(fresh);
    for (int a = 0; a <= n; a++)
        for (int b = 0; b <= n; b++)
            for (int c = 0; c <= n; c++) {
                if (!valid(a, b, c)) continue;
                const double *t = cg(a, b, c);
                assert_ok(s3f_clebsch_gordan(a, b, c, fresh));
                assert_memory_equal(fresh, t, sizeof *t * (size_t)(dim(a) * dim(b) * dim(c)));
                double s = (a + b + c) % 2 ? -1.0 : 1.0;
                for (int i = 0; i < dim(a); i++)
                    for (int j = 0; j < dim(b); j++)
                        for (int k = 0; k < dim(c); k++) {
                            double want;
                            if (a <= b && b <= c)
                                want = at(cg(a, b, c), b, c, i, j, k);
                            else if (a <= c && c <= b)
                                want = s * at(cg(a, c, b), c, b, i, k, j);
                            else if (b <= a && a <= c)
                                want = s * at(cg(b, a, c), a, c, j, i, k);
                            else if (c <= b && b <= a)
                                want = s * at(cg(c, b, a), b, a, k, j, i);
                            else if (b <= c && c <= a)
                                want = at(cg(b, c, a), c, a, j, k, i);
                            else
                                want = at(cg(c, a, b), a, b, k, i, j);
                            /* with equal degrees several cases apply; they
                             * agree to rounding, not bit for bit */
                            double tol = (a == b || b == c || a == c) ? 1e-15 : 0.0;
                            assert_near(at(t, b, c, i, j, k), want, tol);
                        }
            }
    free(fresh);
}

/* SPEC §4 item 4: applying rule 3 directly to these unsorted triples would
 * give the opposite sign; the permutation rule leaves their would-be pivot
 * negative. */
static void test_unsorted_sign_trap(void **state)
{
    static const int triples[][3] = {{2, 1, 2}, {3, 1, 3}, {2, 3, 2}};
    for (int r = 0; r < 3; r++) {
        int a = triples[r][0], b = triples[r][1], c = triples[r][2];
        const double *t = cg(a, b, c);
        double pivot = at(t, b, c, a, b, c);
        for (int i = 0; pivot == 0.0; i++) pivot = t[i];
        assert_true(pivot < 0.0);
    }
}

/* SPEC §20: Y^0..Y^3 at r = (0.3, −0.5, 0.8), 8 decimals. */
static const double k_y0[] = {0.28209479};
static const double k_y1[] = {0.14806892, -0.24678154, 0.39485046};
static const double k_y2[] = {0.26756288, -0.16722680, -0.07402047, -0.44593813, 0.30658247};
static const double k_y3[] = {0.33390070, -0.35754594, 0.03815976, 0.32503617,
                              0.10175936, -0.40968806, 0.18002661};
static const double *const k_y[] = {k_y0, k_y1, k_y2, k_y3};

/* SPEC §4, e3nn 0.3.3's test_recurrence_relation: Y^{l+1} = c·Σ C(l+1,l,1)
 * Y^l u with c > 0, checked with the §20 harmonics for l = 0, 1, 2 (the
 * reference numbers carry 8 decimals, hence the 1e-7 relative tolerance). */
static void test_recurrence_pins_signs(void **state)
{
    double r[3] = {0.3, -0.5, 0.8}, norm = sqrt(0.09 + 0.25 + 0.64), u[3];
    for (int a = 0; a < 3; a++) u[a] = r[a] / norm;
    for (int l = 0; l <= 2; l++) {
        const double *c = cg(l + 1, l, 1), *y = k_y[l], *next = k_y[l + 1];
        double v[7] = {0}, vy = 0.0, yy = 0.0, vv = 0.0;
        for (int k = 0; k < dim(l + 1); k++) {
            for (int i = 0; i < dim(l); i++)
                for (int j = 0; j < 3; j++) v[k] += at(c, l, 1, k, i, j) * y[i] * u[j];
            vy += v[k] * next[k];
            yy += next[k] * next[k];
            vv += v[k] * v[k];
        }
        double scale = vy / yy;
        assert_true(scale > 0.0);
        for (int k = 0; k < dim(l + 1); k++) assert_near(v[k], scale * next[k], 1e-7 * sqrt(vv));
    }
}

/* basis['d_in,d_out'][l, f, k] = Σ_j Y^J_j C(J, d_in, d_out)[j, l, k] with
 * J = |d_in − d_out| + f (SPEC §5.1), for the one edge of §20. */
static int pair_basis(int din, int dout, double *out /* (2d_in+1, F, 2d_out+1) */)
{
    int nf = 2 * (din < dout ? din : dout) + 1;
    for (int l = 0; l < dim(din); l++)
        for (int f = 0; f < nf; f++)
            for (int k = 0; k < dim(dout); k++) {
                int J = abs(din - dout) + f;
                const double *c = cg(J, din, dout);
                double s = 0.0;
                for (int j = 0; j < dim(J); j++) s += k_y[J][j] * at(c, din, dout, j, l, k);
                out[(l * nf + f) * dim(dout) + k] = s;
            }
    return dim(din) * nf * dim(dout);
}

/* SPEC §20: the basis['1,1'] blocks and the per-pair checksums of every pair
 * whose frequencies stay within the J ≤ 3 harmonics that §20 lists (this
 * covers the (J=2; 1→2) and (J=2; 2→1) blocks of the §4.3 version trap).
 * wsum weights entries by up to 45, hence its looser tolerance. */
static void test_reference_bases(void **state)
{
    static const double b11[3][3][3] = {
        {{0.1628675, 0, 0}, {0, 0.1628675, 0}, {0, 0, 0.1628675}},
        {{0, 0.16119702, 0.10074814}, {-0.16119702, 0, 0.06044888}, {-0.10074814, -0.06044888, 0}},
        {{-0.08343566, -0.05288176, 0.08461081},
         {-0.05288176, -0.02702845, -0.14101802},
         {0.08461081, -0.14101802, 0.11046412}},
    };
    double b[7 * 7 * 7];
    pair_basis(1, 1, b);
    for (int f = 0; f < 3; f++)
        for (int l = 0; l < 3; l++)
            for (int k = 0; k < 3; k++) assert_near(b[(l * 3 + f) * 3 + k], b11[f][l][k], 1e-7);
    static const struct {
        int din, dout;
        double sum, wsum, frob2;
    } pairs[] = {
        {0, 0, 0.28209479, 0.28209479, 0.07957747},   {0, 1, 0.17097526, 0.48442991, 0.07957747},
        {0, 2, -0.05055305, -0.24140247, 0.07957747}, {0, 3, 0.07999565, 0.13012843, 0.07957747},
        {1, 0, 0.17097526, 0.48442991, 0.07957747},   {1, 1, 0.27002458, -0.66869955, 0.23873241},
        {1, 2, -0.14710347, -3.60368769, 0.23873241}, {2, 0, -0.05055305, -0.24140247, 0.07957747},
        {2, 1, 0.09592049, 5.96205924, 0.23873241},   {3, 0, 0.07999565, 0.13012843, 0.07957747},
    };
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        int n = pair_basis(pairs[p].din, pairs[p].dout, b);
        double sum = 0.0, wsum = 0.0, frob2 = 0.0;
        for (int i = 0; i < n; i++) {
            sum += b[i];
            wsum += b[i] * (1 + i);
            frob2 += b[i] * b[i];
        }
        assert_near(sum, pairs[p].sum, 1e-7);
        assert_near(wsum, pairs[p].wsum, 1e-6);
        assert_near(frob2, pairs[p].frob2, 1e-7);
    }
    /* basis['0,1'][0, 0, :] = Y^1/√3 */
    pair_basis(0, 1, b);
    for (int k = 0; k < 3; k++) assert_near(b[k], k_y1[k] / sqrt(3.0), 1e-8);
}

static void test_bad_arguments(void **state)
{
    double out[1];
    const double *c = NULL;
    assert_fails(s3f_clebsch_gordan(1, 1, 3, out), S3F_ERR_ARG, "triangle");
    assert_fails(s3f_clebsch_gordan(0, 11, 11, out), S3F_ERR_ARG, "0..10");
    assert_fails(s3f_clebsch_gordan(-1, 0, 1, out), S3F_ERR_ARG, "0..10");
    assert_fails(s3f_clebsch_gordan(0, 0, 0, NULL), S3F_ERR_ARG, "NULL");
    assert_fails(s3f_clebsch_gordan_cached(2, 0, 3, &c), S3F_ERR_ARG, "triangle");
    assert_fails(s3f_clebsch_gordan_cached(0, 0, 11, &c), S3F_ERR_ARG, "0..10");
    assert_fails(s3f_clebsch_gordan_cached(0, 0, 0, NULL), S3F_ERR_ARG, "NULL");
    assert_null(c);
}

/* Threads racing on the same cold entries all get the one cached pointer. */
static void test_cache_is_shared_across_threads(void **state)
{
    enum { T = 4 };
    const double *seen[T] = {0};
    int failures = 0;
#pragma omp parallel for num_threads(T) reduction(+ : failures)
    for (int t = 0; t < T; t++) {
        const double *c = NULL;
        failures += s3f_clebsch_gordan_cached(4, 9, 7, &c) != S3F_OK;
        seen[t] = c;
    }
    assert_int_equal(failures, 0);
    for (int t = 0; t < T; t++) assert_ptr_equal(seen[t], seen[0]);
    assert_ptr_equal(cg(4, 9, 7), seen[0]);
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

/* SPEC §4 property 1: C_abc = Σ C_ijk D^l1_ia D^l2_jb D^l3_kc for every
 * triple with all l ≤ 6 (sorted or not) and 3 random rotations, to 1e-12;
 * D from s3f_wigner_d. Contracted one axis at a time. */
static void test_invariance(void **state)
{
    enum { L = 6, M = 2 * L + 1 };
    for (int t = 0; t < 3; t++) {
        double R[9], d[L + 1][M * M];
        random_rotation(300 + t, R);
        for (int l = 0; l <= L; l++) assert_ok(s3f_wigner_d(l, R, d[l]));
        for (int l1 = 0; l1 <= L; l1++)
            for (int l2 = 0; l2 <= L; l2++)
                for (int l3 = 0; l3 <= L; l3++) {
                    if (!valid(l1, l2, l3)) continue;
                    const double *c = cg(l1, l2, l3);
                    int n1 = dim(l1), n2 = dim(l2), n3 = dim(l3);
                    double u[M * M * M], v[M * M * M];
                    for (int a = 0; a < n1; a++) /* u[a,j,k] = Σ_i D1_ia C_ijk */
                        for (int jk = 0; jk < n2 * n3; jk++) {
                            double s = 0;
                            for (int i = 0; i < n1; i++)
                                s += d[l1][i * n1 + a] * c[i * n2 * n3 + jk];
                            u[a * n2 * n3 + jk] = s;
                        }
                    for (int a = 0; a < n1; a++) /* v[a,b,k] = Σ_j D2_jb u[a,j,k] */
                        for (int b = 0; b < n2; b++)
                            for (int k = 0; k < n3; k++) {
                                double s = 0;
                                for (int j = 0; j < n2; j++)
                                    s += d[l2][j * n2 + b] * u[(a * n2 + j) * n3 + k];
                                v[(a * n2 + b) * n3 + k] = s;
                            }
                    for (int ab = 0; ab < n1 * n2; ab++) /* Σ_k D3_kc v[a,b,k] = C_abc */
                        for (int cc = 0; cc < n3; cc++) {
                            double s = 0;
                            for (int k = 0; k < n3; k++) s += d[l3][k * n3 + cc] * v[ab * n3 + k];
                            assert_near(s, c[ab * n3 + cc], 1e-12);
                        }
                }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_is_shared_across_threads),
        cmocka_unit_test(test_pivot_table),
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_frobenius_norm),
        cmocka_unit_test(test_orthogonality),
        cmocka_unit_test(test_completeness),
        cmocka_unit_test(test_permutation_rule),
        cmocka_unit_test(test_unsorted_sign_trap),
        cmocka_unit_test(test_recurrence_pins_signs),
        cmocka_unit_test(test_reference_bases),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
