/* so3.h — SO(3) math with the reference's conventions (SPEC.md §3-§5):
 * real spherical harmonics, Wigner-D matrices and real Clebsch–Gordan
 * (Wigner 3j) tensors.
 *
 * Everything here follows e3nn 0.3.3 as the SE(3)-Transformer reference uses
 * it, because weights only carry over when the numbers agree sign for sign.
 * Index convention: a degree-l axis has M = 2l+1 entries, index i = m + l for
 * m = -l..l, in the real basis of SPEC §3 (degree 1 is Cartesian (x, y, z)).
 * CPU only; the per-vector harmonics are also an internal S3F_HD function
 * (core/src/so3/sph_harm.h) for the CUDA kernels. */
#ifndef SE3FLOW_SO3_H
#define SE3FLOW_SO3_H

#include <stdbool.h>

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

/* ---- Equivariant bases (SPEC §5; issue 5, item 3) ----------------------- */

/* The largest max degree the bases support: frequencies reach J = 2·D, and
 * Clebsch–Gordan tensors stop at S3F_CG_MAX_L = 10 (num_degrees up to 6). */
#define S3F_BASIS_MAX_DEGREE 5

/* The number of frequencies F of the pair (d_in, d_out): 2·min(d_in, d_out)+1,
 * frequency f standing for J = |d_in − d_out| + f. */
S3F_API int s3f_basis_num_freq(int d_in, int d_out);

/* Where every per-pair block sits in the fused layouts of SPEC §5.2, for
 * max degree D (all degrees 0..D). A plain value; fill it with
 * s3f_basis_layout_init. Offsets count entries along the named axis. */
typedef struct s3f_basis_layout {
    int max_degree; /* D */
    bool pad;       /* per-pair and out{d}_fused tensors get 2d_out+2 output components
                       (SPEC §5.1 pad trick); the extra one is always 0 */
    int components; /* S = Σ_d (2d+1) = (D+1)^2 */
    int offset[S3F_BASIS_MAX_DEGREE + 1]; /* off(d) = d², start of degree d on an S axis */
    /* out{d_out}_fused: frequencies out_freqs[d_out]; pair (d_in, d_out) starts at
     * out_freq_offset[d_out][d_in] = Σ_{d' < d_in} F(d', d_out) */
    int out_freqs[S3F_BASIS_MAX_DEGREE + 1];
    int out_freq_offset[S3F_BASIS_MAX_DEGREE + 1][S3F_BASIS_MAX_DEGREE + 1];
    /* in{d_in}_fused: frequencies in_freqs[d_in]; pair (d_in, d_out) starts at
     * in_freq_offset[d_in][d_out] = Σ_{d' < d_out} F(d_in, d') */
    int in_freqs[S3F_BASIS_MAX_DEGREE + 1];
    int in_freq_offset[S3F_BASIS_MAX_DEGREE + 1][S3F_BASIS_MAX_DEGREE + 1];
    /* fully_fused: frequencies fully_freqs (44 for D = 3), d_out-major;
     * out{d_out}_fused's frequencies start at fully_freq_offset[d_out] (0, 4, 14, 28) */
    int fully_freqs;
    int fully_freq_offset[S3F_BASIS_MAX_DEGREE + 1];
} s3f_basis_layout;

/* Fills *out for max degree D = max_degree and the pad choice.
 * out: borrowed, written only on success. Returns S3F_ERR_ARG (NULL, D
 * outside 0..S3F_BASIS_MAX_DEGREE). Thread-safe. */
S3F_API s3f_status s3f_basis_layout_init(int max_degree, bool pad, s3f_basis_layout *out);

/* The tensors s3f_basis_compute fills, by name as the reference's dict has
 * them; every entry may be NULL (not wanted). All borrowed, on the CPU, of
 * the dtype of the edge vectors, contiguous. P = 1 if layout.pad else 0. */
typedef struct s3f_basis_out {
    /* basis['d_in,d_out'] = pair[d_in][d_out]: (E, 2d_in+1, F, 2d_out+1+P),
     * [e, l, f, k] = Σ_j Y^J_j(r̂_e) C(J, d_in, d_out)[j, l, k], J = |d_in−d_out|+f */
    s3f_tensor *pair[S3F_BASIS_MAX_DEGREE + 1][S3F_BASIS_MAX_DEGREE + 1];
    /* out{d}_fused = out_fused[d]: (E, S, out_freqs[d], 2d+1+P) */
    s3f_tensor *out_fused[S3F_BASIS_MAX_DEGREE + 1];
    /* in{d}_fused = in_fused[d]: (E, 2d+1, in_freqs[d], S), never padded */
    s3f_tensor *in_fused[S3F_BASIS_MAX_DEGREE + 1];
    /* fully_fused: (E, S, fully_freqs, S), never padded */
    s3f_tensor *fully_fused;
} s3f_basis_out;

/* The equivariant bases of SPEC §5 for every edge vector: the per-pair
 * tensors of §5.1 and the fused layouts of §5.2, whichever `out` names.
 * Fused tensors are zero outside their per-pair blocks, as are the pad
 * entries. Like the reference, the '0,0' pair is the constant 1/√(4π) (the
 * model's pairwise (0,0) path must use no basis; SPEC §5.2).
 *
 * Per edge, harmonics Y^0..Y^{2D} of r̂ (s3f_sph_harm's, in the tensors'
 * dtype) are contracted with the C tensors (computed in f64, rounded to the
 * dtype once), in the tensors' dtype. Each edge is independent, so results
 * are bitwise the same for any thread count.
 *
 * vectors (E, 3) f32 or f64 (need not be unit); layout from
 * s3f_basis_layout_init; out as above. All borrowed; outputs are written
 * only on success. Returns S3F_ERR_ARG (NULL vectors, layout or out),
 * S3F_ERR_DEVICE, S3F_ERR_DTYPE, S3F_ERR_SHAPE (naming the tensor),
 * S3F_ERR_NOMEM. Thread-safe; runs an OpenMP loop over edges. */
S3F_API s3f_status s3f_basis_compute(const s3f_tensor *vectors, const s3f_basis_layout *layout,
                                     const s3f_basis_out *out);

/* ---- Packed bases: one row per edge (precomputed by datasets) ---------- */

/* W, the floats in one packed row for max degree D: Σ over d_in, d_out of
 * (2d_in+1)·F(d_in, d_out)·(2d_out+1) (1092 for D = 3); 0 when D is outside
 * 0..S3F_BASIS_MAX_DEGREE. */
S3F_API int64_t s3f_basis_packed_width(int max_degree);

/* Packs every per-pair basis of each edge into one f32 row: for d_in = 0..D
 * (outer), d_out = 0..D (inner), the unpadded tensor pair[d_in][d_out]
 * (2d_in+1, F, 2d_out+1) row-major, exactly as s3f_basis_compute gives it
 * (the '0,0' block is the constant 1/√(4π)).
 * vectors (E, 3) f32; out (E, W) f32; both borrowed, on the CPU. Returns
 * S3F_ERR_ARG (NULL, D out of range), S3F_ERR_DEVICE, S3F_ERR_DTYPE,
 * S3F_ERR_SHAPE, S3F_ERR_NOMEM. Thread-safe. */
S3F_API s3f_status s3f_basis_pack(const s3f_tensor *vectors, int max_degree, s3f_tensor *out);

/* ---- end of equivariant bases ------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif
