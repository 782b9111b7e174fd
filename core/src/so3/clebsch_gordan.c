/* clebsch_gordan.c — real Clebsch–Gordan (Wigner 3j) tensors with the e3nn
 * 0.3.3 conventions, built constructively as SPEC.md §4.1 says: Racah's
 * formula for the complex SU(2) coefficients, a change to the real basis of
 * the §3 harmonics, Frobenius normalisation, the 0.3.3 sign rule on the
 * sorted triple and the permutation rule for unsorted requests.
 *
 * Not here: harmonics, Wigner-D matrices, bases (other sections of so3.h).
 *
 * Invariant: every tensor this file hands out has Frobenius norm 1 and the
 * sign that e3nn 0.3.3's table has; tensors are computed in long double with
 * the alternating Racah sum done in exact integers, so the result is the
 * correctly signed tensor to double rounding. */
#include <complex.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/so3.h"

typedef long double _Complex cld;

/* Entries this small after normalisation are rounding noise (SPEC §4 rule 3). */
#define CG_ZERO_TOL 1e-14

/* n! for 0 ≤ n ≤ 3·S3F_CG_MAX_L + 1, the largest argument Racah's formula
 * needs; long double holds these to 1e-19 relative. */
static long double factorial(int n)
{
    long double f = 1.0L;
    for (int k = 2; k <= n; k++) f *= (long double)k;
    return f;
}

/* binom(n, k) exactly; 0 outside 0 ≤ k ≤ n. n ≤ 2·S3F_CG_MAX_L keeps it
 * below 2e5, so products of three stay far inside int64. */
static int64_t binom(int n, int k)
{
    if (k < 0 || k > n) return 0;
    int64_t b = 1;
    for (int i = 1; i <= k; i++)
        b = b * (n - k + i) / i; /* exact: b·(n−k+i) is i·binom(n−k+i, i) */
    return b;
}

/* <j1 m1; j2 m2 | J M>, Condon–Shortley convention (SPEC §4.1 step 1).
 * Racah's sum Σ_k (−1)^k / (k!(a−k)!(j1−m1−k)!(j2+m2−k)!(J−j2+m1+k)!(J−j1−m2+k)!)
 * equals Σ_k (−1)^k binom(a,k)·binom(b,j1−m1−k)·binom(c,j2+m2−k) / (a!b!c!)
 * with a = j1+j2−J, b = J+j1−j2, c = J−j1+j2, so the cancelling sum is an
 * exact integer and only the square-root prefactor is rounded. */
static long double su2_cg(int j1, int m1, int j2, int m2, int J, int M)
{
    if (M != m1 + m2 || abs(m1) > j1 || abs(m2) > j2 || abs(M) > J) return 0.0L;
    int a = j1 + j2 - J, b = J + j1 - j2, c = J - j1 + j2;
    int64_t sum = 0;
    for (int k = 0; k <= a; k++) {
        int64_t term = binom(a, k) * binom(b, j1 - m1 - k) * binom(c, j2 + m2 - k);
        sum += (k % 2 == 0) ? term : -term;
    }
    if (sum == 0) return 0.0L;
    long double num = (2 * J + 1) * factorial(J + M) * factorial(J - M) * factorial(j1 - m1) *
                      factorial(j1 + m1) * factorial(j2 - m2) * factorial(j2 + m2);
    long double den = factorial(j1 + j2 + J + 1) * factorial(a) * factorial(b) * factorial(c);
    return (long double)sum * sqrtl(num / den);
}

/* The real-to-complex change of basis q^l of SPEC §4.1 step 2, row-major
 * (2l+1, 2l+1): row = complex order l+m, column = real index. */
static void real_to_complex(int l, cld *q /* (2l+1, 2l+1) */)
{
    int n = 2 * l + 1;
    const long double h = 1.0L / sqrtl(2.0L);
    memset(q, 0, sizeof *q * (size_t)n * (size_t)n);
    for (int m = -l; m < 0; m++) {
        q[(l + m) * n + (l - m)] = h;
        q[(l + m) * n + (l + m)] = -I * h;
    }
    q[l * n + l] = 1.0L;
    for (int m = 1; m <= l; m++) {
        long double s = (m % 2 == 0) ? 1.0L : -1.0L;
        q[(l + m) * n + (l + m)] = s * h;
        q[(l + m) * n + (l - m)] = I * s * h;
    }
    cld phase = 1.0L; /* (−i)^l */
    for (int k = 0; k < l; k++) phase *= -I;
    for (int i = 0; i < n * n; i++) q[i] *= phase;
}

/* Steps 1–3 of SPEC §4.1 for any valid triple: acc[j,l,m] (real part kept)
 * = Σ q1[i,j] q2[k,l] conj(q3[n,m]) CG[i,k,n]. Returns the unnormalised
 * real tensor in out; false if a scratch allocation fails. */
static bool real_tensor(int l1, int l2, int l3, long double *out /* (M1, M2, M3) */)
{
    int n1 = 2 * l1 + 1, n2 = 2 * l2 + 1, n3 = 2 * l3 + 1;
    cld *q1 = malloc(sizeof *q1 * (size_t)(n1 * n1));
    cld *q2 = malloc(sizeof *q2 * (size_t)(n2 * n2));
    cld *q3 = malloc(sizeof *q3 * (size_t)(n3 * n3));
    cld *acc = calloc((size_t)(n1 * n2 * n3), sizeof *acc);
    bool ok = q1 && q2 && q3 && acc;
    if (!ok) goto done;
    real_to_complex(l1, q1);
    real_to_complex(l2, q2);
    real_to_complex(l3, q3);
    for (int i = 0; i < n1; i++) {
        for (int k = 0; k < n2; k++) {
            int n = (i - l1) + (k - l2) + l3; /* m3 = m1 + m2 */
            if (n < 0 || n >= n3) continue;
            long double cg = su2_cg(l1, i - l1, l2, k - l2, l3, n - l3);
            if (cg == 0.0L) continue;
            for (int j = 0; j < n1; j++) {
                if (q1[i * n1 + j] == 0.0L) continue;
                for (int l = 0; l < n2; l++) {
                    if (q2[k * n2 + l] == 0.0L) continue;
                    cld a = q1[i * n1 + j] * q2[k * n2 + l] * cg;
                    for (int m = 0; m < n3; m++)
                        acc[(j * n2 + l) * n3 + m] += a * conjl(q3[n * n3 + m]);
                }
            }
        }
    }
    for (int i = 0; i < n1 * n2 * n3; i++) {
        S3F_ASSERT(fabsl(cimagl(acc[i])) < 1e-12L); /* (−i)^l makes the product real */
        out[i] = creall(acc[i]);
    }
done:
    free(acc);
    free(q3);
    free(q2);
    free(q1);
    return ok;
}

/* The stored tensor of a sorted triple l1 ≤ l2 ≤ l3: normalised, noise
 * zeroed, and signed by SPEC §4 rule 3. */
static s3f_status sorted_tensor(int l1, int l2, int l3, double *out /* (M1, M2, M3) */)
{
    int n2 = 2 * l2 + 1, n3 = 2 * l3 + 1, size = (2 * l1 + 1) * n2 * n3;
    long double *t = malloc(sizeof *t * (size_t)size);
    if (!t || !real_tensor(l1, l2, l3, t)) {
        free(t);
        return s3f_fail(S3F_ERR_NOMEM, "clebsch_gordan(%d, %d, %d): out of memory", l1, l2, l3);
    }
    long double norm = 0.0L;
    for (int i = 0; i < size; i++) norm += t[i] * t[i];
    norm = sqrtl(norm);
    S3F_ASSERT(norm > 0.0L); /* the triangle rule guarantees a non-zero tensor */
    for (int i = 0; i < size; i++) {
        t[i] /= norm;
        if (fabsl(t[i]) < CG_ZERO_TOL) t[i] = 0.0L;
    }
    int pivot = (l1 * n2 + l2) * n3 + l3; /* the centre, all m = 0 */
    if (t[pivot] == 0.0L) {
        pivot = 0; /* else the first non-zero entry, row-major */
        while (t[pivot] == 0.0L) pivot++;
    }
    long double sign = t[pivot] < 0.0L ? -1.0L : 1.0L;
    for (int i = 0; i < size; i++) out[i] = (double)(sign * t[i]);
    free(t);
    return S3F_OK;
}

s3f_status s3f_clebsch_gordan(int l1, int l2, int l3, double *out)
{
    if (!out) return s3f_fail(S3F_ERR_ARG, "clebsch_gordan: out is NULL");
    int deg[3] = {l1, l2, l3};
    for (int a = 0; a < 3; a++)
        if (deg[a] < 0 || deg[a] > S3F_CG_MAX_L)
            return s3f_fail(S3F_ERR_ARG, "clebsch_gordan(%d, %d, %d): degree outside 0..%d", l1, l2,
                            l3, S3F_CG_MAX_L);
    if (l3 < abs(l1 - l2) || l3 > l1 + l2)
        return s3f_fail(S3F_ERR_ARG,
                        "clebsch_gordan(%d, %d, %d): breaks the triangle rule |l1-l2| <= l3 <= "
                        "l1+l2",
                        l1, l2, l3);
    /* p: sorted axis a is request axis p[a] (stable sort of three). */
    int p[3] = {0, 1, 2}, odd = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2 - a; b++)
            if (deg[p[b]] > deg[p[b + 1]]) {
                int s = p[b];
                p[b] = p[b + 1];
                p[b + 1] = s;
                odd ^= 1;
            }
    int ns[3] = {2 * deg[p[0]] + 1, 2 * deg[p[1]] + 1, 2 * deg[p[2]] + 1};
    double *s = malloc(sizeof *s * (size_t)(ns[0] * ns[1] * ns[2]));
    if (!s) return s3f_fail(S3F_ERR_NOMEM, "clebsch_gordan(%d, %d, %d): out of memory", l1, l2, l3);
    s3f_status rc = sorted_tensor(deg[p[0]], deg[p[1]], deg[p[2]], s);
    if (rc != S3F_OK) {
        free(s);
        return rc;
    }
    /* Rule 4: transpose; an odd permutation also multiplies by (−1)^(l1+l2+l3). */
    double sign = (odd && (l1 + l2 + l3) % 2 == 1) ? -1.0 : 1.0;
    int n1 = 2 * l1 + 1, n2 = 2 * l2 + 1, n3 = 2 * l3 + 1, idx[3];
    for (idx[0] = 0; idx[0] < n1; idx[0]++)
        for (idx[1] = 0; idx[1] < n2; idx[1]++)
            for (idx[2] = 0; idx[2] < n3; idx[2]++) {
                double v = s[(idx[p[0]] * ns[1] + idx[p[1]]) * ns[2] + idx[p[2]]];
                out[(idx[0] * n2 + idx[1]) * n3 + idx[2]] = v == 0.0 ? 0.0 : sign * v;
            }
    free(s);
    return S3F_OK;
}

/* One slot per (l1, l2, l3); filled once under the mutex, read lock-free. */
static _Atomic(double *) g_cache[S3F_CG_MAX_L + 1][S3F_CG_MAX_L + 1][S3F_CG_MAX_L + 1];
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;

s3f_status s3f_clebsch_gordan_cached(int l1, int l2, int l3, const double **out)
{
    if (!out) return s3f_fail(S3F_ERR_ARG, "clebsch_gordan_cached: out is NULL");
    if (l1 < 0 || l2 < 0 || l3 < 0 || l1 > S3F_CG_MAX_L || l2 > S3F_CG_MAX_L || l3 > S3F_CG_MAX_L)
        return s3f_fail(S3F_ERR_ARG, "clebsch_gordan(%d, %d, %d): degree outside 0..%d", l1, l2, l3,
                        S3F_CG_MAX_L);
    _Atomic(double *) *slot = &g_cache[l1][l2][l3];
    double *t = atomic_load_explicit(slot, memory_order_acquire);
    if (t) {
        *out = t;
        return S3F_OK;
    }
    s3f_status rc = S3F_OK;
    pthread_mutex_lock(&g_cache_lock);
    t = atomic_load_explicit(slot, memory_order_relaxed);
    if (!t) {
        t = malloc(sizeof *t * (size_t)((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1)));
        rc = t ? s3f_clebsch_gordan(l1, l2, l3, t)
               : s3f_fail(S3F_ERR_NOMEM, "clebsch_gordan_cached: out of memory");
        if (rc == S3F_OK)
            atomic_store_explicit(slot, t, memory_order_release);
        else {
            free(t);
            t = NULL;
        }
    }
    pthread_mutex_unlock(&g_cache_lock);
    if (rc == S3F_OK) *out = t;
    return rc;
}
