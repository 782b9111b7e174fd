/* ckpt_layout.c — frequency offsets of the fused layouts and the row
 * gather between them (ckpt_layout.h). */
#include <string.h>

#include "ckpt_layout.h"

static const char *const k_layout_names[] = {"none", "partial", "full"};

s3f_status fuse_layout_parse(const char *name, fuse_layout *out)
{
    if (!strcmp(name, "auto")) name = "full";
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, k_layout_names[i])) {
            *out = (fuse_layout)i;
            return S3F_OK;
        }
    return s3f_fail(S3F_ERR_ARG, "unknown layout '%s': use partial or none", name);
}

const char *fuse_layout_name(fuse_layout layout)
{
    return k_layout_names[layout];
}

int64_t layout_pair_freqs(int d_in, int d_out)
{
    return 2 * (d_in < d_out ? d_in : d_out) + 1;
}

int64_t layout_partial_offset(int d_in, int d_out)
{
    int64_t f = 0;
    for (int d = 0; d < d_in; d++) f += layout_pair_freqs(d, d_out);
    return f;
}

int64_t layout_partial_freqs(int max_degree, int d_out)
{
    return layout_partial_offset(max_degree + 1, d_out);
}

int64_t layout_full_offset(int max_degree, int d_out)
{
    int64_t f = 0;
    for (int d = 0; d < d_out; d++) f += layout_partial_freqs(max_degree, d);
    return f;
}

int64_t layout_full_freqs(int max_degree)
{
    return layout_full_offset(max_degree, max_degree + 1);
}

s3f_status layout_gather_rows(const s3f_tensor *src, int64_t f_src, int64_t c_in, int64_t offset,
                              int64_t f_dst, double scale, const char *what, s3f_tensor **dst)
{
    int64_t rows = src->shape.d[0], k = src->shape.ndim == 2 ? src->shape.d[1] : 0;
    if (src->shape.ndim != 2 || rows % (c_in * f_src) != 0 || offset + f_dst > f_src)
        return s3f_fail(S3F_ERR_SHAPE,
                        "%s: %lld rows are not output channels x %lld input channels x %lld "
                        "frequencies",
                        what, (long long)rows, (long long)c_in, (long long)f_src);
    int64_t c_out = rows / (c_in * f_src);
    s3f_shape shape = {2, {c_out * c_in * f_dst, k}};
    S3F_RETURN_IF_ERR(s3f_tensor_create(src->dtype, shape, dst));
    for (int64_t o = 0; o < c_out; o++)
        for (int64_t i = 0; i < c_in; i++)
            for (int64_t f = 0; f < f_dst; f++) {
                int64_t from = (o * c_in + i) * f_src + offset + f;
                int64_t to = (o * c_in + i) * f_dst + f;
                for (int64_t j = 0; j < k; j++)
                    s3f_tensor_set(*dst, to * k + j, scale * s3f_tensor_get(src, from * k + j));
            }
    return S3F_OK;
}
