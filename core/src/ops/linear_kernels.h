/* linear_kernels.h — the bias parts of linear, instantiated for f32 and f64
 * by float_template.h (no include guard on purpose). The product itself is
 * op_gemm's. */

/* Columns of dbias summed by one thread: a cache line or two of each row. */
#define LINEAR_BIAS_BLOCK 16

/* out (R, O): every row set to bias (O), for the product to add onto. */
static void FN(linear_bias_forward)(const real *bias, real *out, int64_t rows, int64_t o)
{
#pragma omp parallel for schedule(static) if (rows * o > OP_PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < o; j++) out[r * o + j] = bias[j];
}

/* dbias (O) += dout (R, O) summed over rows in increasing r. Parallel over
 * blocks of columns, each streaming all rows, so every element's sum runs in
 * the same order on one thread. */
static void FN(linear_bias_backward)(const real *dout, real *dbias, int64_t rows, int64_t o)
{
    int64_t blocks = (o + LINEAR_BIAS_BLOCK - 1) / LINEAR_BIAS_BLOCK;
#pragma omp parallel for schedule(static) if (rows * o > OP_PARALLEL_MIN)
    for (int64_t blk = 0; blk < blocks; blk++) {
        int64_t j0 = blk * LINEAR_BIAS_BLOCK;
        int64_t j1 = o - j0 < LINEAR_BIAS_BLOCK ? o : j0 + LINEAR_BIAS_BLOCK;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = j0; j < j1; j++) dbias[j] += dout[r * o + j];
    }
}
