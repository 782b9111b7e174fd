/* tfn_conv.h — the fused TFN convolution of the SE(3)-Transformer as one
 * custom op with its own backward (SPEC §7).
 *
 * Every fusion level of the reference computes, per edge e and output degree
 * d_out, m[e, o, k] = Σ_{i,f} W_e[o, i, f] · T_e[i, f, k] with
 * T_e[i, f, k] = Σ_l x[e, d_in(f), i, l] · K_{J(f)}[e, l, k], where the
 * radial weights W_e = R · z_e come from the last (bias-free) layer R of a
 * radial network applied to the edge's hidden activations z_e. The levels
 * differ only in how the frequencies f are grouped into radial networks:
 * one network for everything (FULL), one per output degree or per input
 * degree (PARTIAL), one per degree pair (NONE). Here a group is a "block":
 * its own R, its own columns of z, its frequency list in the row order of
 * SPEC §12.6.
 *
 * The op never builds the (E, rows) radial output as one tensor: edges run
 * in chunks whose radial weights are made at once (one GEMM, or the packed
 * kernel of radial_kernel.h where the CPU has AVX-512, so R is read once per
 * chunk) and applied at once, and backward recomputes them chunk by chunk.
 * Measured on the QM9 model (bench_se3t, 2 cores): keeping them for backward
 * instead was slower (14.9 against 18.9 molecules/s) and took 3-5 times the
 * memory, the cost of writing and reading them back exceeding the GEMM that
 * makes them. Pooling, self-interaction and everything else stay core ops.
 * All loops partition work in fixed-size pieces, so results do not depend
 * on the thread count. */
#ifndef SE3T_TFN_CONV_H
#define SE3T_TFN_CONV_H

#include <se3flow/se3flow.h>

#define TFN_MAX_DEGREE 5 /* num_degrees up to 6 */
#define TFN_MAX_BLOCKS ((TFN_MAX_DEGREE + 1) * (TFN_MAX_DEGREE + 1))
#define TFN_MAX_FREQ   160 /* fully fused frequencies for max degree 5: 146 */

/* One frequency of a block: the degree pair, the frequency index within the
 * pair (J = |d_in - d_out| + f_pair), and `unit` for the pairwise (0,0) path,
 * which the reference runs with no basis at all (a factor of 1, SPEC §5.2). */
typedef struct tfn_freq {
    int8_t d_in, d_out, f_pair;
    bool unit;
} tfn_freq;

typedef struct tfn_block {
    s3f_tensor *radial_w; /* (c_out · c_in · nfreq, hidden): row o·(c_in·F) + i·F + f */
    int z_col;            /* this block's hidden activations are z[:, z_col : z_col+hidden] */
    int c_in, c_out, nfreq;
    tfn_freq freq[TFN_MAX_FREQ];
} tfn_block;

/* The layout of inputs and outputs: per edge, degree d of x starts at
 * column x_off[d] and holds c_in[d] × (2d+1) values (channel-major); the same
 * for y. A degree with 0 channels is absent. */
typedef struct tfn_conv_desc {
    int max_degree;
    int hidden; /* width of each block's z columns */
    int x_width, x_off[TFN_MAX_DEGREE + 1], c_in[TFN_MAX_DEGREE + 1];
    int y_width, y_off[TFN_MAX_DEGREE + 1], c_out[TFN_MAX_DEGREE + 1];
    int nblocks;
    tfn_block block[TFN_MAX_BLOCKS];
    /* per-pair bases (E, 2d_in+1, F, 2d_out+1), unpadded, x's dtype; needed
     * for every pair some block uses (except a unit frequency's) */
    const s3f_tensor *basis[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1];
} tfn_conv_desc;

/* y (E, y_width) = the messages of every edge, summed over blocks.
 * x (E, x_width) per-edge input features; z (E, hidden · nblocks) the radial
 * networks' hidden activations. Gradients flow to x, z and every block's
 * radial_w. S3F_ERR_SHAPE / S3F_ERR_ARG / S3F_ERR_DTYPE for inconsistent
 * descriptions, naming what is wrong. */
s3f_status tfn_conv(s3f_ctx_t *ctx, const tfn_conv_desc *desc, s3f_tensor *x, s3f_tensor *z,
                    s3f_tensor **y);

#endif
