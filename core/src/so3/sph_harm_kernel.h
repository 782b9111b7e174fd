/* sph_harm_kernel.h — the per-vector real spherical harmonics, written once
 * in terms of `real` and FN(name) and instantiated for f32 and f64 by
 * sph_harm.h (no include guard on purpose, like ops/float_template.h).
 *
 * What it computes (SPEC.md §3): for r (3), u = r / max(||r||, 1e-12), the
 * relabelled axes (X, Y, Z) = (u_z, u_x, u_y) and, for every degree J = 0..L
 * and order m = -J..J, out[J*J + J + m] =
 *     sqrt(2) * Nbar(J,|m|)(Z) * Im((X + iY)^|m|)   for m < 0,
 *               Nbar(J, 0)(Z)                       for m = 0,
 *     sqrt(2) * Nbar(J, m)(Z)  * Re((X + iY)^m)     for m > 0,
 * where Nbar(J,m) = N(J,m) * d^m P_J / dt^m is the normalised Legendre factor
 * without the Condon-Shortley phase, made homogeneous of degree J - m with
 * rho2 = X^2 + Y^2 + Z^2. Homogeneity is what makes a zero vector give
 * Y^0 = 1/sqrt(4 pi) and Y^{J>0} = 0, as e3nn's polynomials do (SPEC §3.1);
 * on unit vectors rho2 = 1 and this is the closed form of SPEC §3.2.
 *
 * Not here: trigonometric calls (the azimuth enters through powers of
 * X + iY), argument checks, batching.
 *
 * Stability: the Legendre factor runs the orthonormalised three-term
 * recurrence (every intermediate is O(1)); |X + iY| <= 1 keeps the powers
 * bounded. All arithmetic is in `real`. */

/* out ((L+1)^2): every degree 0..max_degree of the raw vector r (3). */
S3F_HD void FN(sph_harm_vector)(const real *r, int max_degree, real *out)
{
    real norm = (real)sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    real inv = (real)1 / (norm > (real)1e-12 ? norm : (real)1e-12);
    real x = r[2] * inv, y = r[0] * inv, z = r[1] * inv; /* (X, Y, Z) of SPEC §3.2 */
    real rho2 = x * x + y * y + z * z;
    real re = 1, im = 0;                     /* Re, Im of (X + iY)^m */
    real pmm = (real)0.28209479177387814347; /* Nbar(m, m); 1/sqrt(4 pi) at m = 0 */
    for (int m = 0; m <= max_degree; m++) {
        if (m > 0) {
            real next_re = re * x - im * y;
            im = im * x + re * y;
            re = next_re;
            pmm *= (real)sqrt((2.0 * m + 1) / (2.0 * m));
        }
        real scale_cos = m ? (real)1.41421356237309504880 * re : 1;
        real scale_sin = (real)1.41421356237309504880 * im;
        real p_prev = 0, p = pmm; /* Nbar(l-1, m), Nbar(l, m) */
        for (int l = m; l <= max_degree; l++) {
            if (l > m) {
                double l2 = (double)l * l, m2 = (double)m * m, k = l - 1;
                real a = (real)sqrt((4 * l2 - 1) / (l2 - m2));
                real b = (real)sqrt((k * k - m2) / (4 * k * k - 1));
                real next = a * (z * p - b * rho2 * p_prev);
                p_prev = p;
                p = next;
            }
            out[l * l + l + m] = p * scale_cos;
            if (m > 0) out[l * l + l - m] = p * scale_sin;
        }
    }
}
