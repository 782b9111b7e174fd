/* tfn_conv_kernels.h — the per-edge work of tfn_conv.c, written once in
 * terms of `real`, FN(name) and GEMM (cblas_sgemm or cblas_dgemm) and
 * included once per float type by tfn_conv.c. No include guard.
 *
 * Per edge and block (tfn_conv.h): T (c_in·F, kb) holds the input contracted
 * with the basis, each frequency's values in its output degree's columns
 * (zero elsewhere); W_e (c_out, c_in·F) is the edge's radial weights; the
 * messages are M = W_e · T (c_out, kb). Backward: dW_e = dM · Tᵀ,
 * dT = W_eᵀ · dM, and the radial layer's gradients from dW_e. */

/* T for edge e of block b (see above). */
static void FN(build_t)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g, int64_t e,
                        const real *x, real *T)
{
    const int F = b->nfreq, kb = g->kb;
    memset(T, 0, sizeof(real) * (size_t)g->cf * (size_t)kb);
    for (int f = 0; f < F; f++) {
        const tfn_freq fr = b->freq[f];
        const int mi = 2 * fr.d_in + 1, mo = 2 * fr.d_out + 1, col = g->loc[fr.d_out];
        const real *xe = x + e * d->x_width + d->x_off[fr.d_in];
        if (fr.unit) {
            for (int i = 0; i < b->c_in; i++) T[(i * F + f) * kb + col] = xe[i];
            continue;
        }
        const s3f_tensor *bt = d->basis[fr.d_in][fr.d_out];
        const int fp = (int)bt->shape.d[2];
        const real *B = (const real *)bt->data + e * mi * fp * mo + fr.f_pair * mo;
        for (int i = 0; i < b->c_in; i++) {
            real *t = T + (i * F + f) * kb + col;
            for (int l = 0; l < mi; l++) {
                const real xv = xe[i * mi + l];
                const real *bl = B + l * fp * mo;
                for (int k = 0; k < mo; k++) t[k] += xv * bl[k];
            }
        }
    }
}

/* dx[e] += the input gradient from dT (the transpose of build_t). */
static void FN(t_grad_to_x)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                            int64_t e, const real *dT, real *dx)
{
    const int F = b->nfreq, kb = g->kb;
    for (int f = 0; f < F; f++) {
        const tfn_freq fr = b->freq[f];
        const int mi = 2 * fr.d_in + 1, mo = 2 * fr.d_out + 1, col = g->loc[fr.d_out];
        real *dxe = dx + e * d->x_width + d->x_off[fr.d_in];
        if (fr.unit) {
            for (int i = 0; i < b->c_in; i++) dxe[i] += dT[(i * F + f) * kb + col];
            continue;
        }
        const s3f_tensor *bt = d->basis[fr.d_in][fr.d_out];
        const int fp = (int)bt->shape.d[2];
        const real *B = (const real *)bt->data + e * mi * fp * mo + fr.f_pair * mo;
        for (int i = 0; i < b->c_in; i++) {
            const real *t = dT + (i * F + f) * kb + col;
            for (int l = 0; l < mi; l++) {
                const real *bl = B + l * fp * mo;
                real s = 0;
                for (int k = 0; k < mo; k++) s += t[k] * bl[k];
                dxe[i * mi + l] += s;
            }
        }
    }
}

/* y[e] += M, or (to_m) M = the slice of dy[e] that block b produced. */
static void FN(move_m)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g, int64_t e,
                       real *y, real *M, bool to_m)
{
    for (int dout = 0; dout <= d->max_degree; dout++) {
        if (g->loc[dout] < 0) continue;
        const int mo = 2 * dout + 1;
        real *ye = y + e * d->y_width + d->y_off[dout];
        for (int o = 0; o < b->c_out; o++)
            for (int k = 0; k < mo; k++) {
                real *m = M + o * g->kb + g->loc[dout] + k;
                if (to_m)
                    *m = ye[o * mo + k];
                else
                    ye[o * mo + k] += *m;
            }
    }
}

/* W (n, rows) = z[e0 .. e0+n, block columns] · Rᵀ: the radial weights of n edges. */
static void FN(radial_weights)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                               int64_t e0, int64_t n, const real *z, int64_t zw, real *W)
{
    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)g->rows, d->hidden, 1,
         z + e0 * zw + b->z_col, (int)zw, (const real *)b->radial_w->data, d->hidden, 0, W,
         (int)g->rows);
}

static bool FN(block_forward)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                              int64_t E, const real *x, const real *z, int64_t zw, real *y,
                              real *kept)
{
    const int64_t nsub = (E + TFN_SUB - 1) / TFN_SUB;
    bool failed = false;
#pragma omp parallel
    {
        real *wbuf = kept ? NULL : malloc(sizeof(real) * TFN_SUB * (size_t)g->rows);
        real *T = malloc(sizeof(real) * (size_t)g->cf * (size_t)g->kb);
        real *M = malloc(sizeof(real) * (size_t)b->c_out * (size_t)g->kb);
        if ((!kept && !wbuf) || !T || !M) {
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
            real *W = kept ? kept + e0 * g->rows : wbuf;
            FN(radial_weights)(d, b, g, e0, n, z, zw, W);
            for (int64_t e = e0; e < e0 + n; e++) {
                FN(build_t)(d, b, g, e, x, T);
                GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, b->c_out, g->kb, g->cf, 1,
                     W + (e - e0) * g->rows, g->cf, T, g->kb, 0, M, g->kb);
                FN(move_m)(d, b, g, e, y, M, false);
            }
        }
        free(wbuf);
        free(T);
        free(M);
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
        real *T = malloc(sizeof(real) * (size_t)g->cf * (size_t)g->kb);
        real *dT = malloc(sizeof(real) * (size_t)g->cf * (size_t)g->kb);
        real *dM = malloc(sizeof(real) * (size_t)b->c_out * (size_t)g->kb);
        if (!T || !dT || !dM) {
#pragma omp atomic write
            failed = true;
        }
#pragma omp for schedule(static)
        for (int64_t e = c0; e < c0 + n; e++) {
            bool stop;
#pragma omp atomic read
            stop = failed;
            if (stop) continue;
            memset(dM, 0, sizeof(real) * (size_t)b->c_out * (size_t)g->kb);
            FN(move_m)(d, b, g, e, (real *)dy, dM, true);
            FN(build_t)(d, b, g, e, x, T);
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, b->c_out, g->cf, g->kb, 1, dM, g->kb, T,
                 g->kb, 0, dW + (e - c0) * g->rows, g->cf);
            if (!dx) continue;
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, g->cf, g->kb, b->c_out, 1,
                 W + (e - c0) * g->rows, g->cf, dM, g->kb, 0, dT, g->kb);
            FN(t_grad_to_x)(d, b, g, e, dT, dx);
        }
        free(T);
        free(dT);
        free(dM);
    }
    return !failed;
}

/* The radial layer's gradients from a chunk's dW: dR += dWᵀ · z in fixed row
 * tiles, dz += dW · R in fixed edge tiles. */
static void FN(chunk_radial_grads)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                                   int64_t c0, int64_t n, const real *z, int64_t zw, const real *dW,
                                   real *dR, real *dz)
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
                 dW + e0 * g->rows, (int)g->rows, (const real *)b->radial_w->data, H, 1,
                 dz + (c0 + e0) * zw + b->z_col, (int)zw);
        }
    }
}

static bool FN(block_backward)(const tfn_conv_desc *d, const tfn_block *b, const block_geom *g,
                               int64_t E, const real *x, const real *z, int64_t zw, const real *dy,
                               const real *kept, real *dx, real *dz, real *dR)
{
    const int64_t ch = tfn_chunk_edges(g->rows);
    real *dW = malloc(sizeof(real) * (size_t)ch * (size_t)g->rows);
    real *Wc = kept ? NULL : malloc(sizeof(real) * (size_t)ch * (size_t)g->rows);
    bool ok = dW && (kept || Wc);
    for (int64_t c0 = 0; ok && c0 < E; c0 += ch) {
        const int64_t n = E - c0 < ch ? E - c0 : ch;
        const real *W = kept ? kept + c0 * g->rows : Wc;
        if (!kept) {
            const int64_t tiles = (n + TFN_SUB - 1) / TFN_SUB;
#pragma omp parallel for schedule(static)
            for (int64_t t = 0; t < tiles; t++) {
                const int64_t e0 = t * TFN_SUB, ne = n - e0 < TFN_SUB ? n - e0 : TFN_SUB;
                FN(radial_weights)(d, b, g, c0 + e0, ne, z, zw, Wc + e0 * g->rows);
            }
        }
        ok = FN(chunk_edge_grads)(d, b, g, c0, n, x, W, dy, dW, dx);
        if (ok) FN(chunk_radial_grads)(d, b, g, c0, n, z, zw, dW, dR, dz);
    }
    free(dW);
    free(Wc);
    return ok;
}
