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

#define real      float
#define SUF(name) name##_f32
#define TILE      RADIAL_TILE_F32
#define V_VEC     __m512
#define V_MASK    __mmask16
#define V(op)     _mm512_##op##_ps
#include "radial_kernel_avx512.h"
#define real      double
#define SUF(name) name##_f64
#define TILE      RADIAL_TILE_F64
#define V_VEC     __m512d
#define V_MASK    __mmask8
#define V(op)     _mm512_##op##_pd
#include "radial_kernel_avx512.h"
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
