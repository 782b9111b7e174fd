/* ckpt_layout.h — the fusion layouts of the SE(3)-Transformer's radial
 * weights (SPEC §7.3, §12.6) and the row arithmetic between them.
 *
 * A convolution's last radial layer has rows r = o·(C_in·F) + i·F + f
 * (o output channel, i input channel, f frequency). Per (d_in, d_out) pair
 * there are F(d_in, d_out) = 2·min(d_in, d_out) + 1 frequencies, J =
 * |d_in - d_out| + f. The fused layouts put them side by side:
 *   PARTIAL (per output degree d_out): f = Fo(d_in; d_out) + j,
 *           Fo(d_in; d_out) = Σ_{d' < d_in} F(d', d_out), F = Fp(d_out);
 *   FULL:   f = FO(d_out) + Fo(d_in; d_out) + j, FO(d_out) = Σ_{d' < d_out} Fp(d').
 * FULL -> PARTIAL -> NONE keeps every value; the pairwise (0,0) rows are
 * multiplied by 1/sqrt(4π), the constant that the fused bases hold and the
 * pairwise path leaves out (SPEC §5.2). */
#ifndef SE3FLOW_CLI_CKPT_LAYOUT_H
#define SE3FLOW_CLI_CKPT_LAYOUT_H

#include <stdint.h>

#include "se3flow/se3flow.h"

typedef enum fuse_layout { LAYOUT_NONE = 0, LAYOUT_PARTIAL = 1, LAYOUT_FULL = 2 } fuse_layout;

/* "none", "partial", "full" ("auto" is full, as the model plugin reads it). */
s3f_status fuse_layout_parse(const char *name, fuse_layout *out);
const char *fuse_layout_name(fuse_layout layout);

int64_t layout_pair_freqs(int d_in, int d_out);          /* F(d_in, d_out) */
int64_t layout_partial_offset(int d_in, int d_out);      /* Fo(d_in; d_out) */
int64_t layout_partial_freqs(int max_degree, int d_out); /* Fp(d_out) */
int64_t layout_full_offset(int max_degree, int d_out);   /* FO(d_out) */
int64_t layout_full_freqs(int max_degree);               /* Σ Fp */

/* dst (C_out·C_in·F_dst, K) gets rows (o, i, f) = scale · src (o, i, offset + f)
 * of src (C_out·C_in·F_src, K), f < F_dst. Same dtype. S3F_ERR_SHAPE when
 * the row counts do not factor with c_in and the frequency counts, naming
 * `what`. */
s3f_status layout_gather_rows(const s3f_tensor *src, int64_t f_src, int64_t c_in, int64_t offset,
                              int64_t f_dst, double scale, const char *what, s3f_tensor **dst);

#endif
