/* basis.c — the per-pair equivariant bases of a batch (SPEC §5.1): computed
 * from the edge vectors by core (s3f_basis_compute), or taken from the
 * dataset's precomputed rows (s3f_basis_pack's layout: the pairs' unpadded
 * tensors side by side, d_in outer, d_out inner). */
#include <string.h>

#include "model.h"

static int64_t pair_width(int a, int b)
{
    return (int64_t)(2 * a + 1) * s3f_basis_num_freq(a, b) * (2 * b + 1);
}

/* Copies the packed rows' pair blocks into the per-pair tensors. */
static s3f_status unpack(const s3f_tensor *packed, int D,
                         s3f_tensor *pairs[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1])
{
    int64_t E = packed->shape.d[0], W = packed->shape.d[1], need = s3f_basis_packed_width(D);
    if (packed->dtype != S3F_F32 || packed->shape.ndim != 2 || W != need)
        return s3f_fail(S3F_ERR_SHAPE,
                        "precomputed bases have %lld values per edge; this model (max degree %d) "
                        "needs %lld: set the dataset's basis_max_degree to %d",
                        (long long)W, D, (long long)need, D);
    const float *src = packed->data;
    int64_t col = 0;
    for (int a = 0; a <= D; a++)
        for (int b = 0; b <= D; b++) {
            int64_t w = pair_width(a, b);
            s3f_tensor *t = pairs[a][b];
            for (int64_t e = 0; e < E; e++) {
                const float *row = src + e * W + col;
                if (t->dtype == S3F_F32)
                    memcpy((float *)t->data + e * w, row, sizeof(float) * (size_t)w);
                else
                    for (int64_t j = 0; j < w; j++) ((double *)t->data)[e * w + j] = row[j];
            }
            col += w;
        }
    return S3F_OK;
}

s3f_status se3t_bases(s3f_ctx_t *ctx, const se3t_input *in, int D, s3f_dtype dtype,
                      const s3f_tensor *basis[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1])
{
    int64_t E = in->num_edges;
    s3f_basis_out out;
    memset(&out, 0, sizeof out);
    s3f_tensor *pairs[TFN_MAX_DEGREE + 1][TFN_MAX_DEGREE + 1] = {{NULL}};
    for (int a = 0; a <= D; a++)
        for (int b = 0; b <= D; b++) {
            S3F_RETURN_IF_ERR(s3f_tensor_empty(
                ctx, dtype, S3F_SHAPE(E, 2 * a + 1, s3f_basis_num_freq(a, b), 2 * b + 1),
                &pairs[a][b]));
            out.pair[a][b] = pairs[a][b];
            basis[a][b] = pairs[a][b];
        }
    if (in->packed_basis) return unpack(in->packed_basis, D, pairs);
    s3f_basis_layout layout;
    S3F_RETURN_IF_ERR(s3f_basis_layout_init(D, false, &layout));
    s3f_tensor *vectors = in->rel_pos;
    if (vectors->dtype != dtype) {
        S3F_RETURN_IF_ERR(s3f_tensor_empty(ctx, dtype, vectors->shape, &vectors));
        S3F_RETURN_IF_ERR(s3f_tensor_cast(vectors, in->rel_pos));
    }
    return s3f_basis_compute(vectors, &layout, &out);
}
