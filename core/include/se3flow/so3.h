/* so3.h — SO(3) math with the reference's conventions (SPEC.md §3-§5):
 * real spherical harmonics, Wigner-D matrices and real Clebsch–Gordan
 * (Wigner 3j) tensors.
 *
 * Everything here follows e3nn 0.3.3 as the SE(3)-Transformer reference uses
 * it, because weights only carry over when the numbers agree sign for sign.
 * CPU only; the per-vector harmonics are also an internal S3F_HD function
 * (core/src/so3/sph_harm.h) for the CUDA kernels.
 *
 * Index convention: a degree-l axis has M = 2l+1 entries, index i = m + l for
 * m = -l..l, in the real basis of SPEC §3 (degree 1 is Cartesian (x, y, z)). */
#ifndef SE3FLOW_SO3_H
#define SE3FLOW_SO3_H

#include "se3flow/export.h"
#include "se3flow/status.h"
#include "se3flow/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Spherical harmonics and Wigner-D (issue 5, items 1 and 4) ---------- */

/* The largest degree s3f_sph_harm and s3f_wigner_d accept. The recurrence is
 * stable well past it; tests cover degrees up to 10. */
#define S3F_SPH_HARM_MAX_DEGREE 20

/* Real spherical harmonics of degrees 0..max_degree of each row of `vectors`,
 * "integral" normalisation (each component has unit L2 norm on the sphere),
 * exactly as SPEC.md §3 defines them:
 *   - each vector r is first normalised, u = r / max(||r||, 1e-12);
 *   - axes are relabelled (X, Y, Z) = (u_z, u_x, u_y), so degree 1 is
 *     sqrt(3/(4 pi)) * (x, y, z);
 *   - out[e, J*J + J + m] holds degree J, order m (-J <= m <= J): the sine
 *     terms for m < 0, the cosine terms for m > 0, no Condon-Shortley phase;
 *   - a zero vector gives 1/sqrt(4 pi) for degree 0 and 0 for every J > 0.
 * Computed without trigonometric calls, in the dtype of the tensors.
 *
 * vectors (E, 3) f32 or f64, borrowed; out (E, (max_degree+1)^2) of the same
 * dtype, borrowed and overwritten (written only on success). Both on the CPU.
 * Returns S3F_ERR_ARG (NULL, max_degree outside 0..S3F_SPH_HARM_MAX_DEGREE),
 * S3F_ERR_DTYPE, S3F_ERR_SHAPE, S3F_ERR_DEVICE. Thread-safe; runs an OpenMP
 * loop over the vectors. */
S3F_API s3f_status s3f_sph_harm(const s3f_tensor *vectors, int max_degree, s3f_tensor *out);

/* The Wigner-D matrix of degree l for the rotation R, in the basis of
 * s3f_sph_harm: Y^l(R u) = D^l(R) Y^l(u) for every direction u, where Y^l is
 * the (2l+1) block of degree l. D is orthogonal and D(R1 R2) = D(R1) D(R2);
 * D^1(R) = R (degree-1 components are Cartesian).
 *
 * Built from the harmonics themselves: D_ij = integral over the sphere of
 * Y_i(R u) Y_j(u), evaluated by a quadrature that is exact for these
 * polynomials (Gauss-Legendre in cos(theta) times a uniform azimuth grid), so
 * the result is exact up to rounding. f64 throughout.
 *
 * R (3x3, row-major, borrowed) should be a rotation; it is used as given.
 * out ((2l+1)^2, row-major, borrowed) is written on success. Returns
 * S3F_ERR_ARG (NULL, l outside 0..S3F_SPH_HARM_MAX_DEGREE).
 * Thread-safe. */
S3F_API s3f_status s3f_wigner_d(int l, const double R[9], double *out);

/* ---- end of spherical harmonics and Wigner-D ---------------------------- */

/* ---- Clebsch–Gordan / Wigner 3j tensors (SPEC §4) ---------------------- */

/* The largest degree s3f_clebsch_gordan accepts (num_degrees up to 6 needs
 * frequencies J up to 10 with l ≤ 5; every l up to 10 is supported). */
#define S3F_CG_MAX_L 10

/* Writes the real tensor C(l1, l2, l3) of SPEC §4 into `out`, row-major
 * (2l1+1, 2l2+1, 2l3+1): out[(i1·(2l2+1) + i2)·(2l3+1) + i3].
 * C is invariant under D^l1 ⊗ D^l2 ⊗ D^l3, has Frobenius norm 1, and carries
 * the e3nn 0.3.3 signs: rule 3 (centre entry, else first non-zero entry,
 * positive) on the sorted triple, rule 4 (transposition, times (−1)^(l1+l2+l3)
 * for an odd permutation) for unsorted requests. Entries below 1e-14 in
 * magnitude are exactly 0.
 * out: borrowed, (2l1+1)(2l2+1)(2l3+1) doubles, written only on success.
 * Returns S3F_ERR_ARG for a NULL out, a degree outside 0..S3F_CG_MAX_L, or a
 * triple that breaks the triangle rule |l1−l2| ≤ l3 ≤ l1+l2; S3F_ERR_NOMEM
 * if scratch memory runs out. Thread-safe (computes from scratch; prefer the cached variant). */
S3F_API s3f_status s3f_clebsch_gordan(int l1, int l2, int l3, double *out);

/* Like s3f_clebsch_gordan, but returns a pointer into a process-wide cache
 * that is filled on first use of each triple and never freed or changed.
 * *out: borrowed, valid for the life of the process; set only on success.
 * Returns S3F_ERR_ARG as s3f_clebsch_gordan, S3F_ERR_NOMEM if the cache
 * entry cannot be allocated. Thread-safe. */
S3F_API s3f_status s3f_clebsch_gordan_cached(int l1, int l2, int l3, const double **out);

#ifdef __cplusplus
}
#endif
#endif
