/* radial_kernel.c — the packed radial-weight kernel (radial_kernel.h). */
#include "radial_kernel.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RADIAL_X86 1
#endif

enum {
    EDGES = 8, /* edges per register block: 8 × 2 accumulators */
    SPAN = 64, /* tiles per pass over the edges: 256 KB of packed f32 R stays in L2 while
                  each edge's row of W is written in 8 KB runs */
};

bool radial_kernel_supported(void)
{
#ifdef RADIAL_X86
    const char *choice = getenv("SE3FLOW_RADIAL_KERNEL");
    if (choice && strcmp(choice, "blas") == 0) return false;
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

#define DEFINE_PACK(real, SUF, TILE)                                                               \
    int64_t radial_packed_len_##SUF(int64_t rows, int hidden)                                      \
    {                                                                                              \
        return (rows + TILE - 1) / TILE * TILE * hidden;                                           \
    }                                                                                              \
    void radial_pack_##SUF(const real *R, const int64_t *from, int64_t rows, int hidden, real *Rp) \
    {                                                                                              \
        const int64_t tiles = (rows + TILE - 1) / TILE;                                            \
        for (int64_t t = 0; t < tiles; t++) {                                                      \
            real *tile = Rp + t * TILE * hidden;                                                   \
            memset(tile, 0, sizeof(real) * TILE * (size_t)hidden);                                 \
            for (int c = 0; c < TILE && t * TILE + c < rows; c++) {                                \
                const int64_t r = t * TILE + c, src = from ? from[r] : r;                          \
                for (int h = 0; h < hidden; h++) tile[h * TILE + c] = R[src * hidden + h];         \
            }                                                                                      \
        }                                                                                          \
    }
DEFINE_PACK(float, f32, RADIAL_TILE_F32)
DEFINE_PACK(double, f64, RADIAL_TILE_F64)

#ifdef RADIAL_X86
/* The lanes of a tile's low (lo) or high half that hold rows below `valid`. */
static inline unsigned half_mask(int64_t valid, int lanes)
{
    if (valid <= 0) return 0;
    return valid >= lanes ? (1u << lanes) - 1 : (1u << valid) - 1;
}

/* One tile of W for `ne` (1..EDGES) edges: accumulators in registers. The
 * instantiations below differ only in vector type and width. */
#define DEFINE_KERNEL(real, SUF, TILE, VEC, MASK, LOAD, SET1, FMADD, ZERO, MSTORE)                 \
    __attribute__((target("avx512f"))) static void tile_##SUF(                                     \
        const real *rp, int hidden, const real *z, int64_t zw, int ne, real *W, int64_t ldw,       \
        MASK m0, MASK m1)                                                                          \
    {                                                                                              \
        VEC lo[EDGES], hi[EDGES];                                                                  \
        for (int k = 0; k < EDGES; k++) lo[k] = hi[k] = ZERO();                                    \
        if (ne == EDGES) {                                                                         \
            for (int h = 0; h < hidden; h++) {                                                     \
                const VEC r0 = LOAD(rp + h * TILE), r1 = LOAD(rp + h * TILE + TILE / 2);           \
                _Pragma("GCC unroll 8") for (int k = 0; k < EDGES; k++)                            \
                {                                                                                  \
                    const VEC zk = SET1(z[k * zw + h]);                                            \
                    lo[k] = FMADD(zk, r0, lo[k]);                                                  \
                    hi[k] = FMADD(zk, r1, hi[k]);                                                  \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (int k = 0; k < ne; k++)                                                           \
                for (int h = 0; h < hidden; h++) {                                                 \
                    const VEC zk = SET1(z[k * zw + h]);                                            \
                    lo[k] = FMADD(zk, LOAD(rp + h * TILE), lo[k]);                                 \
                    hi[k] = FMADD(zk, LOAD(rp + h * TILE + TILE / 2), hi[k]);                      \
                }                                                                                  \
        }                                                                                          \
        for (int k = 0; k < ne; k++) {                                                             \
            MSTORE(W + k * ldw, m0, lo[k]);                                                        \
            MSTORE(W + k * ldw + TILE / 2, m1, hi[k]);                                             \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target("avx512f"))) void radial_weights_packed_##SUF(                           \
        const real *Rp, int64_t rows, int hidden, const real *z, int64_t zw, int64_t n, real *W,   \
        int64_t ldw)                                                                               \
    {                                                                                              \
        const int64_t tiles = (rows + TILE - 1) / TILE;                                            \
        for (int64_t t0 = 0; t0 < tiles; t0 += SPAN)                                               \
            for (int64_t e = 0; e < n; e += EDGES)                                                 \
                for (int64_t t = t0; t < tiles && t < t0 + SPAN; t++) {                            \
                    const int64_t c0 = t * TILE;                                                   \
                    const MASK m0 = (MASK)half_mask(rows - c0, TILE / 2);                          \
                    const MASK m1 = (MASK)half_mask(rows - c0 - TILE / 2, TILE / 2);               \
                    tile_##SUF(Rp + t * TILE * hidden, hidden, z + e * zw, zw,                     \
                               (int)(n - e < EDGES ? n - e : EDGES), W + e * ldw + c0, ldw, m0,    \
                               m1);                                                                \
                }                                                                                  \
    }
DEFINE_KERNEL(float, f32, RADIAL_TILE_F32, __m512, __mmask16, _mm512_loadu_ps, _mm512_set1_ps,
              _mm512_fmadd_ps, _mm512_setzero_ps, _mm512_mask_storeu_ps)
DEFINE_KERNEL(double, f64, RADIAL_TILE_F64, __m512d, __mmask8, _mm512_loadu_pd, _mm512_set1_pd,
              _mm512_fmadd_pd, _mm512_setzero_pd, _mm512_mask_storeu_pd)
#else
/* Not x86-64: radial_kernel_supported() is false and callers use BLAS; the
 * portable loops below keep the library linkable and compute the same. */
#define DEFINE_PORTABLE(real, SUF, TILE)                                                           \
    void radial_weights_packed_##SUF(const real *Rp, int64_t rows, int hidden, const real *z,      \
                                     int64_t zw, int64_t n, real *W, int64_t ldw)                  \
    {                                                                                              \
        for (int64_t e = 0; e < n; e++)                                                            \
            for (int64_t r = 0; r < rows; r++) {                                                   \
                const real *rp = Rp + r / TILE * TILE * hidden + r % TILE;                         \
                real s = 0;                                                                        \
                for (int h = 0; h < hidden; h++) s += z[e * zw + h] * rp[h * TILE];                \
                W[e * ldw + r] = s;                                                                \
            }                                                                                      \
    }
DEFINE_PORTABLE(float, f32, RADIAL_TILE_F32)
DEFINE_PORTABLE(double, f64, RADIAL_TILE_F64)
#endif
