/* tfn_conv.c — the fused TFN convolution op (tfn_conv.h): checks, the tape
 * record, and dispatch to the f32/f64 kernels of tfn_conv_kernels.h. */
#include "tfn_conv.h"

#include "radial_kernel.h"
#include "scratch.h"

#include <cblas.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The per-edge loops that GCC vectorises run in a copy built for each of
 * these instruction sets, picked when the plugin loads: the build itself
 * targets the baseline x86-64. Not under AddressSanitizer, whose
 * instrumentation the load-time (ifunc) resolver would run before ASan is
 * set up. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define SE3T_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SE3T_SIMD_CLONES
#endif

enum {
    TFN_SUB = 64,        /* edges whose radial weights are made at once */
    TFN_ROW_TILE = 1024, /* rows of R per GEMM in the backward's dR */
};

/* A block's frequencies grouped by output degree: group g (ascending
 * d_out) holds the block's frequencies order[start[g] .. start[g+1]) in
 * block order; in a row of the grouped radial weights (one output
 * channel), group g's (nf_g, c_in) values start at column col[g]. */
typedef struct block_geom {
    int cf; /* c_in · nfreq */
    int64_t rows;
    int ngroups;
    int d_out[TFN_MAX_DEGREE + 1];
    int start[TFN_MAX_DEGREE + 2];
    int col[TFN_MAX_DEGREE + 1];
    int order[TFN_MAX_FREQ];
    int t_max; /* largest c_in · nf_g · (2 d_out + 1): one group's T */
} block_geom;

static block_geom geometry(const tfn_conv_desc *d, const tfn_block *b)
{
    block_geom g = {.cf = b->c_in * b->nfreq, .rows = (int64_t)b->c_out * b->c_in * b->nfreq};
    int n = 0;
    for (int dout = 0; dout <= d->max_degree; dout++) {
        int first = n;
        for (int f = 0; f < b->nfreq; f++)
            if (b->freq[f].d_out == dout) g.order[n++] = f;
        if (n == first) continue;
        g.d_out[g.ngroups] = dout;
        g.start[g.ngroups] = first;
        g.col[g.ngroups] = b->c_in * first;
        int t = b->c_in * (n - first) * (2 * dout + 1);
        if (t > g.t_max) g.t_max = t;
        g.ngroups++;
    }
    g.start[g.ngroups] = n;
    return g;
}

/* from[r]: the row of the block's radial weight (row o·(c_in·F) + i·F + f)
 * that grouped row r holds. Grouped rows run over output channel o, group,
 * the group's frequencies in block order, and input channel i. *identity:
 * whether that is the parameter's own order (as when the block has one
 * frequency; checked on the values, not assumed). NULL when out of memory. */
static int64_t *grouped_row_sources(const tfn_block *b, const block_geom *g, bool *identity)
{
    int64_t *from = malloc(sizeof(int64_t) * (size_t)g->rows), r = 0;
    if (!from) return NULL;
    *identity = true;
    for (int o = 0; o < b->c_out; o++)
        for (int grp = 0; grp < g->ngroups; grp++)
            for (int j = g->start[grp]; j < g->start[grp + 1]; j++)
                for (int i = 0; i < b->c_in; i++, r++) {
                    from[r] = ((int64_t)o * b->c_in + i) * b->nfreq + g->order[j];
                    *identity = *identity && from[r] == r;
                }
    return from;
}

/* Edges per backward chunk: about 8 M radial weights at once, in whole
 * TFN_SUB tiles, between 1 and 16 tiles. */
static int64_t tfn_chunk_edges(int64_t rows)
{
    int64_t tiles = ((int64_t)8 << 20) / (rows * TFN_SUB);
    if (tiles < 1) tiles = 1;
    if (tiles > 16) tiles = 16;
    return tiles * TFN_SUB;
}

#define real     float
#define FN(name) name##_f32
#define GEMM     cblas_sgemm
#include "tfn_conv_kernels.h"
#undef real
#undef FN
#undef GEMM
#define real     double
#define FN(name) name##_f64
#define GEMM     cblas_dgemm
#include "tfn_conv_kernels.h"
#undef real
#undef FN
#undef GEMM

static s3f_status check_block(const tfn_conv_desc *d, int bi, s3f_dtype dtype, int64_t E)
{
    const tfn_block *b = &d->block[bi];
    if (b->nfreq < 1 || b->nfreq > TFN_MAX_FREQ || b->c_in < 1 || b->c_out < 1)
        return s3f_fail(S3F_ERR_ARG, "tfn_conv: block %d has %d frequencies, %d in, %d out", bi,
                        b->nfreq, b->c_in, b->c_out);
    block_geom g = geometry(d, b);
    const s3f_tensor *R = b->radial_w;
    if (!R || R->dtype != dtype || R->shape.ndim != 2 || R->shape.d[0] != g.rows ||
        R->shape.d[1] != d->hidden)
        return s3f_fail(S3F_ERR_SHAPE, "tfn_conv: block %d radial weight must be (%lld, %d) %s", bi,
                        (long long)g.rows, d->hidden, s3f_dtype_name(dtype));
    for (int f = 0; f < b->nfreq; f++) {
        tfn_freq fr = b->freq[f];
        if (fr.d_in < 0 || fr.d_in > d->max_degree || fr.d_out < 0 || fr.d_out > d->max_degree ||
            d->c_in[fr.d_in] != b->c_in || d->c_out[fr.d_out] != b->c_out)
            return s3f_fail(S3F_ERR_ARG,
                            "tfn_conv: block %d frequency %d (%d -> %d) does not fit "
                            "the channel layout",
                            bi, f, fr.d_in, fr.d_out);
        if (fr.unit) {
            if (fr.d_in || fr.d_out)
                return s3f_fail(S3F_ERR_ARG, "tfn_conv: only the (0,0) pair runs without a basis");
            continue;
        }
        const s3f_tensor *bt = d->basis[fr.d_in][fr.d_out];
        int fp = s3f_basis_num_freq(fr.d_in, fr.d_out);
        if (!bt || bt->dtype != dtype || bt->shape.ndim != 4 || bt->shape.d[0] != E ||
            bt->shape.d[1] != 2 * fr.d_in + 1 || bt->shape.d[2] != fp ||
            bt->shape.d[3] != 2 * fr.d_out + 1 || fr.f_pair < 0 || fr.f_pair >= fp)
            return s3f_fail(S3F_ERR_SHAPE,
                            "tfn_conv: basis %d,%d missing or not (%lld, %d, %d, %d) %s", fr.d_in,
                            fr.d_out, (long long)E, 2 * fr.d_in + 1, fp, 2 * fr.d_out + 1,
                            s3f_dtype_name(dtype));
    }
    if (b->z_col < 0) return s3f_fail(S3F_ERR_ARG, "tfn_conv: block %d z column < 0", bi);
    return S3F_OK;
}

static s3f_status check(const tfn_conv_desc *d, const s3f_tensor *x, const s3f_tensor *z)
{
    if (x->dtype != S3F_F32 && x->dtype != S3F_F64)
        return s3f_fail(S3F_ERR_DTYPE, "tfn_conv: x must be f32 or f64, not %s",
                        s3f_dtype_name(x->dtype));
    if (d->max_degree < 0 || d->max_degree > TFN_MAX_DEGREE || d->nblocks < 1 ||
        d->nblocks > TFN_MAX_BLOCKS || d->hidden < 1)
        return s3f_fail(S3F_ERR_ARG, "tfn_conv: max degree %d, %d blocks, hidden %d", d->max_degree,
                        d->nblocks, d->hidden);
    int64_t E = x->shape.d[0];
    if (x->shape.ndim != 2 || x->shape.d[1] != d->x_width || z->dtype != x->dtype ||
        z->shape.ndim != 2 || z->shape.d[0] != E)
        return s3f_fail(S3F_ERR_SHAPE, "tfn_conv: x must be (E, %d) and z (E, ...) of one dtype",
                        d->x_width);
    for (int bi = 0; bi < d->nblocks; bi++) {
        S3F_RETURN_IF_ERR(check_block(d, bi, x->dtype, E));
        if (d->block[bi].z_col + d->hidden > z->shape.d[1])
            return s3f_fail(S3F_ERR_SHAPE, "tfn_conv: block %d reads z columns past %lld", bi,
                            (long long)z->shape.d[1]);
    }
    return S3F_OK;
}

static s3f_status tfn_conv_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const tfn_conv_desc *d = node->saved;
    s3f_tensor *x = node->inputs[0], *z = node->inputs[1], *dy = node->outputs[0]->grad;
    if (!dy) return S3F_OK;
    s3f_tensor *dx, *dz;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, z, &dz));
    int64_t E = x->shape.d[0], zw = z->shape.d[1];
    for (int bi = 0; bi < d->nblocks && E > 0; bi++) {
        const tfn_block *b = &d->block[bi];
        s3f_tensor *dR;
        S3F_RETURN_IF_ERR(s3f_grad_of(ctx, b->radial_w, &dR));
        void *pdx = dx ? dx->data : NULL, *pdz = dz ? dz->data : NULL, *pdR = dR ? dR->data : NULL;
        bool ok = x->dtype == S3F_F32
                      ? run_block_f32(d, b, E, x->data, z->data, zw, NULL, dy->data, pdx, pdz, pdR)
                      : run_block_f64(d, b, E, x->data, z->data, zw, NULL, dy->data, pdx, pdz, pdR);
        if (!ok) return s3f_fail(S3F_ERR_NOMEM, "tfn_conv backward: out of memory");
    }
    return S3F_OK;
}
static const s3f_op_def tfn_conv_def = {"tfn_conv", tfn_conv_bwd};

s3f_status tfn_conv(s3f_ctx_t *ctx, const tfn_conv_desc *desc, s3f_tensor *x, s3f_tensor *z,
                    s3f_tensor **y)
{
    S3F_RETURN_IF_ERR(check(desc, x, z));
    int64_t E = x->shape.d[0], zw = z->shape.d[1];
    s3f_tensor *in[S3F_OP_MAX_INPUTS] = {x, z};
    int n_in = 2;
    for (int bi = 0; bi < desc->nblocks && n_in < S3F_OP_MAX_INPUTS; bi++)
        in[n_in++] = desc->block[bi].radial_w;
    s3f_tensor *out;
    S3F_RETURN_IF_ERR(s3f_tensor_zeros(ctx, x->dtype, S3F_SHAPE(E, desc->y_width), &out));
    for (int bi = 0; bi < desc->nblocks && E > 0; bi++) {
        const tfn_block *b = &desc->block[bi];
        bool ok = x->dtype == S3F_F32 ? run_block_f32(desc, b, E, x->data, z->data, zw, out->data,
                                                      NULL, NULL, NULL, NULL)
                                      : run_block_f64(desc, b, E, x->data, z->data, zw, out->data,
                                                      NULL, NULL, NULL, NULL);
        if (!ok) return s3f_fail(S3F_ERR_NOMEM, "tfn_conv: out of memory");
    }
    if (s3f_tape_wants(ctx, n_in, in)) {
        tfn_conv_desc *saved; /* the caller's description need not outlive the call */
        S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *saved, (void **)&saved));
        *saved = *desc;
        S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &tfn_conv_def, n_in, in, 1, &out, saved));
    }
    *y = out;
    return S3F_OK;
}
