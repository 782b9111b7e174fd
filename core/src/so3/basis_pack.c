/* basis_pack.c — one row per edge holding every per-pair basis tensor of
 * s3f_basis_compute, unpadded, in f32 (so3.h): the layout that datasets
 * precompute and store (the qm9 plugin's bases cache) and that models read
 * from batch->edge_basis.
 *
 * Row layout: for d_in = 0..D (outer), d_out = 0..D (inner), the block
 * pair[d_in][d_out] (2d_in+1, F, 2d_out+1) row-major. It is computed by
 * s3f_basis_compute into per-pair tensors and copied, so the two cannot
 * disagree. */
#include <stdlib.h>
#include <string.h>

#include "se3flow/so3.h"

static int64_t pair_size(int d_in, int d_out)
{
    return (int64_t)(2 * d_in + 1) * s3f_basis_num_freq(d_in, d_out) * (2 * d_out + 1);
}

int64_t s3f_basis_packed_width(int max_degree)
{
    if (max_degree < 0 || max_degree > S3F_BASIS_MAX_DEGREE) return 0;
    int64_t w = 0;
    for (int i = 0; i <= max_degree; i++)
        for (int o = 0; o <= max_degree; o++) w += pair_size(i, o);
    return w;
}

static s3f_status check(const s3f_tensor *v, int max_degree, const s3f_tensor *out)
{
    if (!v || !out) return s3f_fail(S3F_ERR_ARG, "s3f_basis_pack: NULL argument");
    if (max_degree < 0 || max_degree > S3F_BASIS_MAX_DEGREE)
        return s3f_fail(S3F_ERR_ARG, "s3f_basis_pack: max_degree %d is outside 0..%d", max_degree,
                        S3F_BASIS_MAX_DEGREE);
    if (v->device != S3F_CPU || out->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "s3f_basis_pack: vectors and out must be on the CPU");
    if (v->dtype != S3F_F32 || out->dtype != S3F_F32)
        return s3f_fail(S3F_ERR_DTYPE, "s3f_basis_pack: vectors and out must be f32");
    int64_t E = v->shape.d[0], W = s3f_basis_packed_width(max_degree);
    if (v->shape.ndim != 2 || v->shape.d[1] != 3 || out->shape.ndim != 2 || out->shape.d[0] != E ||
        out->shape.d[1] != W)
        return s3f_fail(S3F_ERR_SHAPE,
                        "s3f_basis_pack: vectors must be (E, 3) and out (E, %lld) for max "
                        "degree %d",
                        (long long)W, max_degree);
    return S3F_OK;
}

/* Copies each pair's (E, block) rows into its column range of out. */
static void pack(const s3f_basis_out *pairs, int D, s3f_tensor *out)
{
    int64_t E = out->shape.d[0], W = out->shape.d[1], col = 0;
    float *dst = out->data;
    for (int i = 0; i <= D; i++)
        for (int o = 0; o <= D; o++) {
            int64_t n = pair_size(i, o);
            const float *src = pairs->pair[i][o]->data;
            for (int64_t e = 0; e < E; e++)
                memcpy(dst + e * W + col, src + e * n, sizeof(float) * (size_t)n);
            col += n;
        }
}

s3f_status s3f_basis_pack(const s3f_tensor *vectors, int max_degree, s3f_tensor *out)
{
    S3F_RETURN_IF_ERR(check(vectors, max_degree, out));
    int64_t E = vectors->shape.d[0];
    s3f_basis_layout layout;
    s3f_basis_out pairs = {0};
    s3f_status rc;
    S3F_TRY(s3f_basis_layout_init(max_degree, false, &layout));
    for (int i = 0; i <= max_degree; i++)
        for (int o = 0; o <= max_degree; o++)
            S3F_TRY(s3f_tensor_create(S3F_F32,
                                      S3F_SHAPE(E, 2 * i + 1, s3f_basis_num_freq(i, o), 2 * o + 1),
                                      &pairs.pair[i][o]));
    S3F_TRY(s3f_basis_compute(vectors, &layout, &pairs));
    pack(&pairs, max_degree, out);
fail:
    for (int i = 0; i <= max_degree; i++)
        for (int o = 0; o <= max_degree; o++) s3f_tensor_destroy(pairs.pair[i][o]);
    return rc;
}
