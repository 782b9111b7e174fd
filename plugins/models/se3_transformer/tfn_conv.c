/* tfn_conv.c — the fused TFN convolution op (tfn_conv.h): checks, the tape
 * record, and dispatch to the f32/f64 kernels of tfn_conv_kernels.h. */
#include "tfn_conv.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

enum {
    TFN_SUB = 16,        /* edges whose radial weights one GEMM makes */
    TFN_ROW_TILE = 1024, /* rows of R per GEMM in the backward's dR */
};

/* Where a block's messages go: kb columns, degree d at column loc[d]
 * (-1 when the block has no frequency of that output degree). */
typedef struct block_geom {
    int kb, cf;
    int loc[TFN_MAX_DEGREE + 1];
    int64_t rows;
} block_geom;

static block_geom geometry(const tfn_conv_desc *d, const tfn_block *b)
{
    block_geom g = {.cf = b->c_in * b->nfreq};
    bool used[TFN_MAX_DEGREE + 1] = {false};
    for (int f = 0; f < b->nfreq; f++) used[b->freq[f].d_out] = true;
    for (int dout = 0; dout <= d->max_degree; dout++) {
        g.loc[dout] = used[dout] ? g.kb : -1;
        if (used[dout]) g.kb += 2 * dout + 1;
    }
    g.rows = (int64_t)b->c_out * g.cf;
    return g;
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

/* What backward needs: the description and, per block, the kept radial
 * weights (NULL when they are recomputed). */
typedef struct tfn_saved {
    tfn_conv_desc desc;
    void *kept[TFN_MAX_BLOCKS];
} tfn_saved;

static s3f_status tfn_conv_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const tfn_saved *sv = node->saved;
    const tfn_conv_desc *d = &sv->desc;
    s3f_tensor *x = node->inputs[0], *z = node->inputs[1], *dy = node->outputs[0]->grad;
    if (!dy) return S3F_OK;
    s3f_tensor *dx, *dz;
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, x, &dx));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, z, &dz));
    int64_t E = x->shape.d[0], zw = z->shape.d[1];
    for (int bi = 0; bi < d->nblocks; bi++) {
        const tfn_block *b = &d->block[bi];
        block_geom g = geometry(d, b);
        s3f_tensor *dR;
        S3F_RETURN_IF_ERR(s3f_grad_of(ctx, b->radial_w, &dR));
        bool ok = x->dtype == S3F_F32
                      ? block_backward_f32(d, b, &g, E, x->data, z->data, zw, dy->data,
                                           sv->kept[bi], dx ? dx->data : NULL, dz ? dz->data : NULL,
                                           dR ? dR->data : NULL)
                      : block_backward_f64(d, b, &g, E, x->data, z->data, zw, dy->data,
                                           sv->kept[bi], dx ? dx->data : NULL, dz ? dz->data : NULL,
                                           dR ? dR->data : NULL);
        if (!ok) return s3f_fail(S3F_ERR_NOMEM, "tfn_conv backward: out of memory");
    }
    return S3F_OK;
}
static const s3f_op_def tfn_conv_def = {"tfn_conv", tfn_conv_bwd};

/* Arena memory for the kept radial weights of every block, or NULLs. */
static s3f_status keep_space(s3f_ctx_t *ctx, const tfn_conv_desc *d, s3f_dtype dtype, int64_t E,
                             tfn_saved *sv)
{
    for (int bi = 0; bi < d->nblocks; bi++) {
        sv->kept[bi] = NULL;
        if (!d->keep_radial || E == 0) continue;
        block_geom g = geometry(d, &d->block[bi]);
        s3f_tensor *t;
        S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dtype, S3F_SHAPE(E, g.rows), &t));
        sv->kept[bi] = t->data;
    }
    return S3F_OK;
}

s3f_status tfn_conv(s3f_ctx_t *ctx, const tfn_conv_desc *desc, s3f_tensor *x, s3f_tensor *z,
                    s3f_tensor **y)
{
    S3F_RETURN_IF_ERR(check(desc, x, z));
    int64_t E = x->shape.d[0], zw = z->shape.d[1];
    s3f_tensor *in[S3F_OP_MAX_INPUTS] = {x, z};
    int n_in = 2;
    for (int bi = 0; bi < desc->nblocks && n_in < S3F_OP_MAX_INPUTS; bi++)
        in[n_in++] = desc->block[bi].radial_w;
    bool record = s3f_tape_wants(ctx, n_in, in);
    tfn_saved local, *sv = &local;
    if (record) S3F_RETURN_IF_ERR(s3f_ctx_saved(ctx, sizeof *sv, (void **)&sv));
    sv->desc = *desc;
    if (!record) sv->desc.keep_radial = false;
    S3F_RETURN_IF_ERR(keep_space(ctx, &sv->desc, x->dtype, E, sv));
    s3f_tensor *out;
    S3F_RETURN_IF_ERR(s3f_tensor_zeros(ctx, x->dtype, S3F_SHAPE(E, desc->y_width), &out));
    for (int bi = 0; bi < desc->nblocks && E > 0; bi++) {
        const tfn_block *b = &desc->block[bi];
        block_geom g = geometry(desc, b);
        bool ok =
            x->dtype == S3F_F32
                ? block_forward_f32(desc, b, &g, E, x->data, z->data, zw, out->data, sv->kept[bi])
                : block_forward_f64(desc, b, &g, E, x->data, z->data, zw, out->data, sv->kept[bi]);
        if (!ok) return s3f_fail(S3F_ERR_NOMEM, "tfn_conv: out of memory");
    }
    if (record) S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &tfn_conv_def, n_in, in, 1, &out, sv));
    *y = out;
    return S3F_OK;
}
