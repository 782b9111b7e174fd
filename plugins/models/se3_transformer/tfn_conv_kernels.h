/* tfn_conv_kernels.h — the per-edge work of tfn_conv.c, written once in
 * terms of `real`, FN(name) and GEMM (cblas_sgemm or cblas_dgemm) and
 * included once per float type by tfn_conv.c. No include guard.
 *
 * A block's frequencies fall into groups by output degree (block_geom).
 * The radial weights of an edge are made in the grouped row order (the
 * block's last radial layer with its rows permuted, `R`), so that for each
 * group g the edge's weights W_g (c_out, c_in·nf_g) are a plain submatrix.
 * Within a group the columns run over frequency j, then input channel i.
 * Per edge and group: T_g (2d_out+1, nf_g·c_in) holds the input contracted
 * with the basis, and the messages of degree d_out are y_e += W_g · T_gᵀ.
 * Backward: dW_g = dy · T_g, dT_g = dyᵀ · W_g, and the radial layer's
 * gradients from dW. */

/* xt: the edge's input with each degree's (c_in, 2d+1) block transposed to
 * (2d+1, c_in), so that the loops below run over channels, which vectorise. */
static void FN(transpose_x)(const tfn_conv_desc *d, const real *xe, real *xt)
{
    for (int deg = 0; deg <= d->max_degree; deg++) {
        const int c = d->c_in[deg], m = 2 * deg + 1, off = d->x_off[deg];
        for (int i = 0; i < c; i++)
            for (int l = 0; l < m; l++) xt[off + l * c + i] = xe[off + i * m + l];
    }
}

/* dx[e] += dxt, the transpose of transpose_x. */
static void FN(add_transposed)(const tfn_conv_desc *d, const real *dxt, real *dxe)
{
    for (int deg = 0; deg <= d->max_degree; deg++) {
        const int c = d->c_in[deg], m = 2 * deg + 1, off = d->x_off[deg];
        for (int i = 0; i < c; i++)
            for (int l = 0; l < m; l++) dxe[off + i * m + l] += dxt[off + l * c + i];
    }
}

/* T_g for edge e (see above) from its transposed input xt: row k of T_g
 * holds, for each of the group's frequencies j, c_in values
 * Σ_l B_e[l, f_j, k] · x[i, l]. */
SE3T_SIMD_CLONES static void FN(build_t)(const tfn_conv_desc *d, const tfn_block *b,
                                         const block_geom *g, int grp, int64_t e, const real *xt,
                                         real *T)
{
    const int nf = g->start[grp + 1] - g->start[grp], mo = 2 * g->d_out[grp] + 1, c = b->c_in;
    const int cf = c * nf;
    for (int j = 0; j < nf; j++) {
        const tfn_freq fr = b->freq[g->order[g->start[grp] + j]];
        const real *xd = xt + d->x_off[fr.d_in];
        if (fr.unit) { /* mo = 1 */
            memcpy(T + j * c, xd, sizeof(real) * (size_t)c);
            continue;
        }
        const int mi = 2 * fr.d_in + 1;
        const s3f_tensor *bt = d->basis[fr.d_in][fr.d_out];
        const int fp = (int)bt->shape.d[2];
        const real *B = (const real *)bt->data + e * mi * fp * mo + fr.f_pair * mo;
        for (int k = 0; k < mo; k++) {
            real *restrict t = T + k * cf + j * c;
            const real b0 = B[k];
#pragma omp simd
            for (int i = 0; i < c; i++) t[i] = b0 * xd[i];
            for (int l = 1; l < mi; l++) {
                const real bl = B[l * fp * mo + k];
                const real *restrict xl = xd + l * c;
#pragma omp simd
                for (int i = 0; i < c; i++) t[i] += bl * xl[i];
            }
        }
    }
}

/* dxt += the input gradient from dT_g (the transpose of build_t). */
SE3T_SIMD_CLONES static void FN(t_grad_to_x)(const tfn_conv_desc *d, const tfn_block *b,
                                             const block_geom *g, int grp, int64_t e,
                                             const real *dT, real *dxt)
{
    const int nf = g->start[grp + 1] - g->start[grp], mo = 2 * g->d_out[grp] + 1, c = b->c_in;
    const int cf = c * nf;
    for (int j = 0; j < nf; j++) {
        const tfn_freq fr = b->freq[g->order[g->start[grp] + j]];
        real *dxd = dxt + d->x_off[fr.d_in];
        if (fr.unit) {
#pragma omp simd
            for (int i = 0; i < c; i++) dxd[i] += dT[j * c + i];
            continue;
        }
        const int mi = 2 * fr.d_in + 1;
        const s3f_tensor *bt = d->basis[fr.d_in][fr.d_out];
        const int fp = (int)bt->shape.d[2];
        const real *B = (const real *)bt->data + e * mi * fp * mo + fr.f_pair * mo;
        for (int l = 0; l < mi; l++) {
            const real *bl = B + l * fp * mo;
            real *restrict out = dxd + l * c;
            for (int k = 0; k < mo; k++) {
                const real bk = bl[k];
                const real *restrict dt = dT + k * cf + j * c;
#pragma omp simd
                for (int i = 0; i < c; i++) out[i] += bk * dt[i];
            }
        }
    }
}

/* The block's last radial layer in grouped row order, for the product that
 * makes W: packed (radial_kernel.h) where the CPU runs that kernel, else
 * R for BLAS. */
typedef struct FN(radial_src) {
    const real *R;  /* (rows, hidden); NULL where only Rp is needed */
    const real *Rp; /* packed; NULL: use BLAS on R */
} FN(radial_src);

/* W (n, rows) = z[e0 .. e0+n, block columns] · Rᵀ: the radial weights of n
 * edges, rows in the grouped order. */
static void FN(radial_weights)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                               FN(radial_src) src, int64_t e0, int64_t n, const real *z, int64_t zw,
                               real *W)
{
    if (src.Rp) {
        FN(radial_weights_packed)
        (src.Rp, g->rows, d->hidden, z + e0 * zw + b->z_col, zw, n, W, g->rows);
        return;
    }
    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)g->rows, d->hidden, 1,
         z + e0 * zw + b->z_col, (int)zw, src.R, d->hidden, 0, W, (int)g->rows);
}

/* The block's last radial layer with its rows in the grouped order
 * (from[r]: the parameter row of grouped row r): R itself when that is its
 * own order (from == NULL), else a copy in `buf`. */
static const real *FN(grouped_rows)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                                    const int64_t *from, real *buf)
{
    const real *R = b->radial_w->data;
    if (!from) return R;
    const size_t H = (size_t)d->hidden;
    for (int64_t r = 0; r < g->rows; r++) memcpy(buf + r * H, R + from[r] * H, sizeof(real) * H);
    return buf;
}

/* dR += the gradient held in grouped row order. */
static void FN(ungroup_grad)(const tfn_conv_desc *d, const block_geom *g, const int64_t *from,
                             const real *grouped, real *dR)
{
    const int H = d->hidden;
    for (int64_t r = 0; r < g->rows; r++)
        for (int h = 0; h < H; h++) dR[from[r] * H + h] += grouped[r * H + h];
}

static bool FN(block_forward)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                              FN(radial_src) src, int64_t E, const real *x, const real *z,
                              int64_t zw, real *y)
{
    const int64_t nsub = (E + TFN_SUB - 1) / TFN_SUB;
    bool failed = false;
#pragma omp parallel
    {
        real *W = scratch_take(sizeof(real) * TFN_SUB * (size_t)g->rows);
        real *T = malloc(sizeof(real) * (size_t)(g->t_max + d->x_width));
        real *xt = T ? T + g->t_max : NULL;
        if (!W || !T) {
#pragma omp atomic write
            failed = true;
        }
#pragma omp for schedule(static)
        for (int64_t s = 0; s < nsub; s++) {
            bool stop;
#pragma omp atomic read
            stop = failed;
            if (stop) continue;
            const int64_t e0 = s * TFN_SUB, n = E - e0 < TFN_SUB ? E - e0 : TFN_SUB;
            FN(radial_weights)(d, b, g, src, e0, n, z, zw, W);
            for (int64_t e = e0; e < e0 + n; e++) {
                FN(transpose_x)(d, x + e * d->x_width, xt);
                for (int grp = 0; grp < g->ngroups; grp++) {
                    const int mo = 2 * g->d_out[grp] + 1;
                    const int k = b->c_in * (g->start[grp + 1] - g->start[grp]);
                    FN(build_t)(d, b, g, grp, e, xt, T);
                    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, b->c_out, mo, k, 1,
                         W + (e - e0) * g->rows + g->col[grp], g->cf, T, k, 1,
                         y + e * d->y_width + d->y_off[g->d_out[grp]], mo);
                }
            }
        }
        scratch_give(W);
        free(T);
    }
    return !failed;
}

/* Per edge of a chunk: dW_e into dW, and (dx != NULL) the input gradient. */
static bool FN(chunk_edge_grads)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                                 int64_t c0, int64_t n, const real *x, const real *W,
                                 const real *dy, real *dW, real *dx)
{
    bool failed = false;
#pragma omp parallel
    {
        const size_t n_t = (size_t)g->t_max, n_x = (size_t)d->x_width;
        real *T = malloc(sizeof(real) * (2 * n_t + 2 * n_x));
        real *dT = T ? T + n_t : NULL, *xt = T ? dT + n_t : NULL, *dxt = T ? xt + n_x : NULL;
        if (!T) {
#pragma omp atomic write
            failed = true;
        }
#pragma omp for schedule(static)
        for (int64_t e = c0; e < c0 + n; e++) {
            bool stop;
#pragma omp atomic read
            stop = failed;
            if (stop) continue;
            FN(transpose_x)(d, x + e * d->x_width, xt);
            if (dx) memset(dxt, 0, sizeof(real) * n_x);
            for (int grp = 0; grp < g->ngroups; grp++) {
                const int mo = 2 * g->d_out[grp] + 1;
                const int k = b->c_in * (g->start[grp + 1] - g->start[grp]);
                const real *dM = dy + e * d->y_width + d->y_off[g->d_out[grp]];
                const real *We = W + (e - c0) * g->rows + g->col[grp];
                FN(build_t)(d, b, g, grp, e, xt, T);
                GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, b->c_out, k, mo, 1, dM, mo, T, k, 0,
                     dW + (e - c0) * g->rows + g->col[grp], g->cf);
                if (!dx) continue;
                GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, mo, k, b->c_out, 1, dM, mo, We, g->cf,
                     0, dT, k);
                FN(t_grad_to_x)(d, b, g, grp, e, dT, dxt);
            }
            if (dx) FN(add_transposed)(d, dxt, dx + e * d->x_width);
        }
        free(T);
    }
    return !failed;
}

/* The radial layer's gradients from a chunk's dW: dR += dWᵀ · z in fixed row
 * tiles, dz += dW · R in fixed edge tiles (both in grouped row order). */
static void FN(chunk_radial_grads)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                                   const real *R, int64_t c0, int64_t n, const real *z, int64_t zw,
                                   const real *dW, real *dR, real *dz)
{
    const int H = d->hidden;
    if (dR) {
        const int64_t tiles = (g->rows + TFN_ROW_TILE - 1) / TFN_ROW_TILE;
#pragma omp parallel for schedule(static)
        for (int64_t t = 0; t < tiles; t++) {
            const int64_t r0 = t * TFN_ROW_TILE;
            const int64_t nr = g->rows - r0 < TFN_ROW_TILE ? g->rows - r0 : TFN_ROW_TILE;
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nr, H, (int)n, 1, dW + r0,
                 (int)g->rows, z + c0 * zw + b->z_col, (int)zw, 1, dR + r0 * H, H);
        }
    }
    if (dz) {
        const int64_t tiles = (n + TFN_SUB - 1) / TFN_SUB;
#pragma omp parallel for schedule(static)
        for (int64_t t = 0; t < tiles; t++) {
            const int64_t e0 = t * TFN_SUB, ne = n - e0 < TFN_SUB ? n - e0 : TFN_SUB;
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)ne, H, (int)g->rows, 1,
                 dW + e0 * g->rows, (int)g->rows, R, H, 1, dz + (c0 + e0) * zw + b->z_col, (int)zw);
        }
    }
}

/* dR_grouped: where the chunks' dR accumulates (the parameter's gradient
 * itself when the grouped row order is its own, else zeroed scratch in
 * grouped order; NULL: not wanted). */
static bool FN(block_backward)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                               FN(radial_src) src, int64_t E, const real *x, const real *z,
                               int64_t zw, const real *dy, real *dx, real *dz, real *dR_grouped)
{
    const int64_t ch = tfn_chunk_edges(g->rows);
    real *dW = scratch_take(sizeof(real) * (size_t)ch * (size_t)g->rows);
    real *W = scratch_take(sizeof(real) * (size_t)ch * (size_t)g->rows);
    bool ok = dW && W;
    for (int64_t c0 = 0; ok && c0 < E; c0 += ch) {
        const int64_t n = E - c0 < ch ? E - c0 : ch, tiles = (n + TFN_SUB - 1) / TFN_SUB;
#pragma omp parallel for schedule(static)
        for (int64_t t = 0; t < tiles; t++) {
            const int64_t e0 = t * TFN_SUB, ne = n - e0 < TFN_SUB ? n - e0 : TFN_SUB;
            FN(radial_weights)(d, b, g, src, c0 + e0, ne, z, zw, W + e0 * g->rows);
        }
        ok = FN(chunk_edge_grads)(d, b, g, c0, n, x, W, dy, dW, dx);
        if (ok) FN(chunk_radial_grads)(d, b, g, src.R, c0, n, z, zw, dW, dR_grouped, dz);
    }
    scratch_give(dW);
    scratch_give(W);
    return ok;
}

/* Forward or backward of block b: R in grouped order (a copy unless that
 * is its own order) where BLAS needs it, packed where the kernel runs. */
static bool FN(run_block)(const tfn_conv_desc *d, const tfn_block *b, int64_t E, const real *x,
                          const real *z, int64_t zw, real *y, const real *dy, real *dx, real *dz,
                          real *dR)
{
    const block_geom g = geometry(d, b);
    const size_t n = (size_t)g.rows * (size_t)d->hidden;
    bool identity = false;
    int64_t *from = grouped_row_sources(b, &g, &identity);
    if (identity) {
        free(from);
        from = NULL;
    }
    const bool packed = radial_kernel_supported(), grouped = !identity;
    const bool copy_R = grouped && (!packed || dz);
    real *buf = copy_R ? scratch_take(sizeof(real) * n) : NULL;
    real *Rp = packed
                   ? scratch_take(sizeof(real) * (size_t)FN(radial_packed_len)(g.rows, d->hidden))
                   : NULL;
    real *dR_grouped = grouped && dR ? scratch_take(sizeof(real) * n) : dR;
    if (grouped && dR && dR_grouped) memset(dR_grouped, 0, sizeof(real) * n);
    bool ok = (identity || from) && (!copy_R || buf) && (!packed || Rp) && (!dR || dR_grouped);
    if (ok) {
        FN(radial_src)
        src = {.R = copy_R || identity ? FN(grouped_rows)(d, b, &g, from, buf) : NULL};
        if (packed) FN(radial_pack)(b->radial_w->data, from, g.rows, d->hidden, Rp);
        src.Rp = Rp;
        ok = !dy ? FN(block_forward)(d, b, &g, src, E, x, z, zw, y)
                 : FN(block_backward)(d, b, &g, src, E, x, z, zw, dy, dx, dz, dR_grouped);
    }
    if (ok && dR && grouped) FN(ungroup_grad)(d, &g, from, dR_grouped, dR);
    free(from);
    scratch_give(buf);
    scratch_give(Rp);
    if (grouped) scratch_give(dR_grouped);
    return ok;
}
