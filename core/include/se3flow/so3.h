/* so3.h — rotation-group math with the reference's (e3nn 0.3.3) conventions:
 * real Clebsch–Gordan (Wigner 3j) tensors. SPEC.md §4 is the definition;
 * spherical harmonics, Wigner-D matrices and the equivariant bases are
 * separate sections (SPEC §3, §5).
 *
 * Index convention: a degree-l axis has M = 2l+1 entries, index i = m + l for
 * m = -l..l, in the real basis of SPEC §3 (degree 1 is Cartesian (x, y, z)). */
#ifndef SE3FLOW_SO3_H
#define SE3FLOW_SO3_H

#include "se3flow/export.h"
#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

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
