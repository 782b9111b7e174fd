/* radial_kernel_avx512.h — the AVX-512 kernels of radial_kernel.c, written
 * once in terms of `real`, SUF(name), TILE (rows per packed tile: two
 * vectors), the vector and mask types V_VEC and V_MASK, and V(op) naming
 * the intrinsic _mm512_<op>_ps or _pd; included once per float type, and
 * undefines those at its end. No include guard.
 *
 * Each helper takes its block size as a constant argument, is always
 * inlined and has its block loops unrolled, so that the accumulators of a
 * full block live in registers; the remainder runs the same code with a
 * block of one. */

#define RK_INLINE static inline __attribute__((always_inline, target("avx512f")))
#define RK_KERNEL __attribute__((target("avx512f")))

/* W[k, tile] = Σ_h z[k, h] · Rp_tile[h] for NE edges. */
RK_INLINE void SUF(w_block)(const real *rp, int hidden, const real *z, int64_t zw, const int NE,
                            real *W, int64_t ldw, V_MASK m0, V_MASK m1)
{
    V_VEC lo[EDGES], hi[EDGES];
#pragma GCC unroll 16
    for (int k = 0; k < NE; k++) lo[k] = hi[k] = V(setzero)();
    for (int h = 0; h < hidden; h++) {
        const V_VEC r0 = V(loadu)(rp + h * TILE), r1 = V(loadu)(rp + h * TILE + TILE / 2);
#pragma GCC unroll 16
        for (int k = 0; k < NE; k++) {
            const V_VEC zk = V(set1)(z[k * zw + h]);
            lo[k] = V(fmadd)(zk, r0, lo[k]);
            hi[k] = V(fmadd)(zk, r1, hi[k]);
        }
    }
#pragma GCC unroll 16
    for (int k = 0; k < NE; k++) {
        V(mask_storeu)(W + k * ldw, m0, lo[k]);
        V(mask_storeu)(W + k * ldw + TILE / 2, m1, hi[k]);
    }
}

RK_KERNEL void SUF(radial_weights_packed)(const real *Rp, int64_t rows, int hidden, const real *z,
                                          int64_t zw, int64_t n, real *W, int64_t ldw)
{
    const int64_t tiles = (rows + TILE - 1) / TILE;
    for (int64_t t0 = 0; t0 < tiles; t0 += SPAN)
        for (int64_t e = 0; e < n; e += EDGES)
            for (int64_t t = t0; t < tiles && t < t0 + SPAN; t++) {
                const int64_t c0 = t * TILE;
                const V_MASK m0 = (V_MASK)half_mask(rows - c0, TILE / 2);
                const V_MASK m1 = (V_MASK)half_mask(rows - c0 - TILE / 2, TILE / 2);
                const real *rp = Rp + t * TILE * hidden;
                if (n - e >= EDGES)
                    SUF(w_block)(rp, hidden, z + e * zw, zw, EDGES, W + e * ldw + c0, ldw, m0, m1);
                else
                    for (int64_t k = e; k < n; k++)
                        SUF(w_block)(rp, hidden, z + k * zw, zw, 1, W + k * ldw + c0, ldw, m0, m1);
            }
}

#undef RK_INLINE
#undef RK_KERNEL
#undef real
#undef SUF
#undef TILE
#undef V_VEC
#undef V_MASK
#undef V
