/* concat_kernels.h — the copies of concat and split, instantiated for f32
 * and f64 by float_template.h (no include guard on purpose; the includer
 * defines slab_pos first).
 *
 * Seen around the axis, the joined tensor is a slab (outer, total) and each
 * piece (one input of a concat, one output of a split) is (outer, piece)
 * sitting at column `offset` of it. Pieces never overlap, so every element
 * is written by one thread. With `accumulate` the copy adds (+=), as
 * backward kernels do. */

static void FN(piece_to_slab)(const real *piece, real *slab, slab_pos p, bool accumulate)
{
#pragma omp parallel for collapse(2) schedule(static) if (p.outer * p.piece > OP_PARALLEL_MIN)
    for (int64_t o = 0; o < p.outer; o++)
        for (int64_t j = 0; j < p.piece; j++) {
            real v = piece[o * p.piece + j], *dst = &slab[o * p.total + p.offset + j];
            *dst = accumulate ? *dst + v : v; /* a plain copy keeps -0 */
        }
}

static void FN(slab_to_piece)(const real *slab, real *piece, slab_pos p, bool accumulate)
{
#pragma omp parallel for collapse(2) schedule(static) if (p.outer * p.piece > OP_PARALLEL_MIN)
    for (int64_t o = 0; o < p.outer; o++)
        for (int64_t j = 0; j < p.piece; j++) {
            real v = slab[o * p.total + p.offset + j], *dst = &piece[o * p.piece + j];
            *dst = accumulate ? *dst + v : v;
        }
}
