/* op_gemm.c — the matrix-product engine behind matmul and linear (op_gemm.h).
 *
 * Not an op: it neither checks shapes nor records on the tape.
 *
 * Invariant: every output element is computed by exactly one thread, in an
 * order fixed by the shapes alone, so results are bitwise the same for any
 * OpenMP thread count.
 *
 * Two paths, chosen per product size M * N * K (see GEMM_BLAS_MIN_MNK):
 *  - loop: one output row per work item, parallel over all rows of the batch;
 *  - BLAS: the output is cut into tiles whose size depends only on the
 *    shapes, and each tile is one single-threaded cblas_?gemm call, the tiles
 *    running in parallel. OpenBLAS is never allowed to thread a call itself:
 *    its threaded gemm blocks K differently from its serial one, so the bits
 *    depend on the thread count (0.3.21, 1 vs 2 threads: sgemm differed at
 *    K = 513, 769, 1025 on an AVX-512 Xeon and at K = 255, 257 on another). */
#include <limits.h>
#include <omp.h>

#include <cblas.h>

#include "op_gemm.h"

/* Products with M * N * K below this run as the loop, the rest as BLAS
 * tiles. The loop is for the SE(3)-Transformer's many tiny per-edge products
 * (e.g. 9000 of 3x5 @ 5x7) and for sizes BLAS rejects (K = 0 breaks its
 * leading-dimension rules). Measured per product of a batch, f32, 1 and 16
 * threads, on a 16-core Xeon where OpenBLAS 0.3.21 takes its regular path:
 *     3x5x7  loop 118 / 9 ns,       BLAS 118 / 116 ns
 *     16^3   loop 1600 / 114 ns,    BLAS 570 / 138 ns
 *     24^3   loop 4500 / 320 ns,    BLAS 2300 / 222 ns
 * BLAS calls made from many threads at once barely scaled there, so with
 * threads the loop wins up to about 16^3 = 4096. Where OpenBLAS uses its
 * AVX-512 small-matrix kernels (SkylakeX) single calls are cheaper and BLAS
 * would win from 3x5x7 up (25 vs 52 ns on one thread); the threshold favours
 * the threaded case, which is how training runs. */
#define GEMM_BLAS_MIN_MNK 4096

/* BLAS tiles: columns in blocks of GEMM_TILE_COLS, rows in blocks of at
 * least GEMM_TILE_ROWS, more when the other sizes are small so that a tile
 * holds about GEMM_TILE_WORK multiply-adds. Each tile call repacks its panel
 * of y (K x columns) and x (rows x K); these sizes keep that under ~5% of the
 * arithmetic (measured: 1024^3 sgemm cut in 128-row tiles lost 17% to one
 * unsplit call, in 256-row tiles 5%) while still giving big products
 * several tiles to run in parallel. */
#define GEMM_TILE_ROWS 256
#define GEMM_TILE_COLS 512
#define GEMM_TILE_WORK (1 << 22)

/* The BLAS routine of the instantiation's element type. */
#define GEMM_BLAS(...) _Generic((real)0, float : cblas_sgemm, double : cblas_dgemm)(__VA_ARGS__)

/* How one product's output is cut for the BLAS path: a grid of tiles of
 * rows x cols (those on the last row or column of the grid may be smaller). */
typedef struct gemm_tiling {
    int64_t rows, cols;           /* tile size */
    int64_t row_tiles, col_tiles; /* grid size */
} gemm_tiling;

/* Rows [row, row + rows) and columns [col, col + cols) of an output. */
typedef struct gemm_rect {
    int64_t row, rows, col, cols;
} gemm_rect;

static int64_t gemm_outputs(const gemm_call *g)
{
    return g->sum ? 1 : g->count;
}

static int64_t gemm_terms(const gemm_call *g)
{
    return g->sum ? g->count : 1;
}

/* Multiply-adds of the whole call, in double: the product of four sizes may
 * exceed int64 only for absurd shapes, but it must never wrap. */
static double gemm_work(const gemm_call *g)
{
    return (double)g->count * (double)g->m * (double)g->n * (double)g->k;
}

static enum CBLAS_TRANSPOSE blas_trans(bool trans)
{
    return trans ? CblasTrans : CblasNoTrans;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static gemm_tiling gemm_tiles(const gemm_call *g)
{
    gemm_tiling t = {.cols = min64(g->n, GEMM_TILE_COLS)};
    int64_t fill = GEMM_TILE_WORK / (t.cols * g->k);
    t.rows = min64(g->m, fill > GEMM_TILE_ROWS ? fill : GEMM_TILE_ROWS);
    t.row_tiles = (g->m + t.rows - 1) / t.rows;
    t.col_tiles = (g->n + t.cols - 1) / t.cols;
    return t;
}

static gemm_rect gemm_tile(const gemm_call *g, gemm_tiling t, int64_t tile)
{
    int64_t row = tile / t.col_tiles * t.rows, col = tile % t.col_tiles * t.cols;
    return (gemm_rect){row, min64(t.rows, g->m - row), col, min64(t.cols, g->n - col)};
}

/* BLAS needs at least one term (beta handling), sizes that fit its int
 * arguments, and enough work to beat the loop. */
static bool gemm_use_blas(const gemm_call *g)
{
    bool fits = g->m <= INT_MAX && g->n <= INT_MAX && g->k <= INT_MAX;
    double mnk = (double)g->m * (double)g->n * (double)g->k;
    return fits && gemm_terms(g) > 0 && mnk >= GEMM_BLAS_MIN_MNK;
}

#define KERNEL_FILE "gemm_kernels.h"
#include "float_template.h"

void op_gemm(s3f_dtype dtype, const gemm_call *call)
{
    if (gemm_use_blas(call))
        OP_DISPATCH(dtype, gemm_blas, call, gemm_tiles(call));
    else
        OP_DISPATCH(dtype, gemm_loop, call);
}
