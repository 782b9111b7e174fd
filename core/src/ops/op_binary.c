/* op_binary.c — add, sub, mul, div with NumPy broadcasting (ops.h).
 *
 * Not here: type promotion (both operands share one float dtype) or in-place
 * variants. Kernels are in binary_kernels.h.
 *
 * Each call is planned once (bin_plan): the broadcast shape is cut down to the
 * fewest dims that walk memory the same way (size-1 dims dropped, neighbours
 * that step alike in a, b and out merged). Identical shapes become one flat
 * dim; b broadcast over the leading dims of a becomes (rows, cols) with b's
 * row stride 0. The two innermost dims are walked in tiles by contiguous
 * loops; the dims above them by a counter per tile, never per element.
 *
 * Invariant (determinism): tasks split only the dims along which the written
 * tensor is not broadcast. Every element written (an output, or a gradient
 * summed over broadcast dims) is owned by one task, which adds its terms in
 * increasing order of the broadcast indices, whatever the thread count. */
#include "op_common.h"

/* Roughly the elements one task covers (a tile is split no finer). */
#define BIN_TILE 4096

enum { BIN_A, BIN_B, BIN_Y };

typedef struct bin_plan {
    int nd;                     /* collapsed dims, >= 2 (size-1 dims padded in front) */
    int64_t n[S3F_MAX_DIMS];    /* their sizes */
    int64_t s[3][S3F_MAX_DIMS]; /* element strides of a, b, out; 0 where broadcast */
} bin_plan;

/* What a kernel reads and writes, with the strides of the two inner dims. */
typedef struct bin_call {
    const void *a, *b, *dy; /* dy: NULL in the forward pass */
    void *w;                /* written: out (forward), or da / db */
    int64_t ra, rb, ry, rw; /* row (second-to-last dim) strides */
    int64_t ca, cb, cw;     /* col (last dim) strides: 0 or 1 */
} bin_call;

/* One tile: element offsets of its first element, and its extent. */
typedef struct bin_tile {
    int64_t a, b, y, w;
    int64_t rows, cols;
} bin_tile;

typedef void (*bin_kernel)(const bin_call *call, const bin_tile *tile);

#define KERNEL_FILE "binary_kernels.h"
#include "float_template.h"

/* Size of dim k of s once left-padded with 1s to nd dims. */
static int64_t padded_size(const s3f_shape *s, int nd, int k)
{
    int j = k - (nd - s->ndim);
    return j < 0 ? 1 : s->d[j];
}

/* The broadcast shape of a and b. */
static s3f_status bin_shape(const char *op, const s3f_tensor *a, const s3f_tensor *b,
                            s3f_shape *out)
{
    int nd = a->shape.ndim > b->shape.ndim ? a->shape.ndim : b->shape.ndim;
    out->ndim = nd;
    for (int k = 0; k < nd; k++) {
        int64_t x = padded_size(&a->shape, nd, k), z = padded_size(&b->shape, nd, k);
        if (x != z && x != 1 && z != 1)
            return op_fail_shapes(op, "shapes do not broadcast", "a", a, "b", b);
        out->d[k] = x == 1 ? z : x;
    }
    return S3F_OK;
}

/* Appends an output dim of size n (strides st in a, b, out) to p, merged
 * into p's last dim when all three step across the pair as across one dim. */
static void plan_push(bin_plan *p, int64_t n, const int64_t st[3])
{
    int j = p->nd - 1;
    bool merge = j >= 0;
    for (int t = 0; t < 3 && merge; t++) merge = p->s[t][j] == st[t] * n;
    if (!merge) {
        j = p->nd++;
        p->n[j] = 1;
    }
    p->n[j] *= n;
    for (int t = 0; t < 3; t++) p->s[t][j] = st[t];
}

/* Puts size-1 dims with stride 0 in front until p has two. */
static void plan_pad(bin_plan *p)
{
    int shift = p->nd < 2 ? 2 - p->nd : 0;
    for (int k = p->nd - 1; k >= 0; k--) {
        p->n[k + shift] = p->n[k];
        for (int t = 0; t < 3; t++) p->s[t][k + shift] = p->s[t][k];
    }
    for (int k = 0; k < shift; k++) {
        p->n[k] = 1;
        for (int t = 0; t < 3; t++) p->s[t][k] = 0;
    }
    p->nd += shift;
}

/* The plan for a op b -> y, y having the broadcast shape (numel > 0). */
static void bin_plan_make(const s3f_shape *a, const s3f_shape *b, const s3f_shape *y, bin_plan *p)
{
    const s3f_shape *shapes[3] = {a, b, y};
    int nd = y->ndim;
    int64_t strides[S3F_MAX_DIMS][3], step[3] = {1, 1, 1};
    for (int k = nd - 1; k >= 0; k--) {
        for (int t = 0; t < 3; t++) {
            int64_t size = padded_size(shapes[t], nd, k);
            strides[k][t] = size == 1 ? 0 : step[t];
            step[t] *= size;
        }
    }
    p->nd = 0;
    for (int k = 0; k < nd; k++)
        if (y->d[k] != 1) plan_push(p, y->d[k], strides[k]);
    plan_pad(p);
}

/* How bin_walk cuts the work for a written tensor with strides sw. */
typedef struct bin_split {
    int64_t rows, cols;           /* tile extent (the last tile of a dim may be smaller) */
    int64_t row_tiles, col_tiles; /* tiles along the row and col dims */
    int64_t kept, reduced;        /* outer (above the tile) index counts, by sw != 0 / == 0 */
} bin_split;

static bin_split bin_split_make(const bin_plan *p, const int64_t *sw)
{
    int R = p->nd - 2, C = p->nd - 1;
    bin_split sp = {.kept = 1, .reduced = 1};
    sp.cols = sw[C] && p->n[C] > BIN_TILE ? BIN_TILE : p->n[C];
    sp.rows = sw[R] ? BIN_TILE / sp.cols : p->n[R];
    if (sp.rows < 1) sp.rows = 1;
    if (sp.rows > p->n[R]) sp.rows = p->n[R];
    sp.row_tiles = (p->n[R] + sp.rows - 1) / sp.rows;
    sp.col_tiles = (p->n[C] + sp.cols - 1) / sp.cols;
    for (int k = 0; k < R; k++) *(sw[k] ? &sp.kept : &sp.reduced) *= p->n[k];
    return sp;
}

/* Offsets in a, b, out of outer index (kept index k, reduced index m): each
 * outer dim takes its coordinate from k or m by whether sw steps along it. */
static void outer_offsets(const bin_plan *p, const int64_t *sw, int64_t k, int64_t m,
                          int64_t off[3])
{
    off[0] = off[1] = off[2] = 0;
    for (int d = p->nd - 3; d >= 0; d--) {
        int64_t *from = sw[d] ? &k : &m;
        int64_t i = *from % p->n[d];
        *from /= p->n[d];
        for (int t = 0; t < 3; t++) off[t] += i * p->s[t][d];
    }
}

/* Task `task`: one (kept index, row tile, col tile), walking the reduced
 * outer indices in increasing order. */
static void bin_task(const bin_plan *p, int w_of, const bin_split *sp, const bin_call *call,
                     bin_kernel kernel, int64_t task)
{
    int R = p->nd - 2, C = p->nd - 1;
    int64_t ct = task % sp->col_tiles, rt = task / sp->col_tiles % sp->row_tiles;
    int64_t k = task / sp->col_tiles / sp->row_tiles, off[3];
    int64_t r0 = rt * sp->rows, c0 = ct * sp->cols;
    bin_tile tile = {.rows = p->n[R] - r0 < sp->rows ? p->n[R] - r0 : sp->rows,
                     .cols = p->n[C] - c0 < sp->cols ? p->n[C] - c0 : sp->cols};
    for (int64_t m = 0; m < sp->reduced; m++) {
        outer_offsets(p, p->s[w_of], k, m, off);
        for (int t = 0; t < 3; t++) off[t] += r0 * p->s[t][R] + c0 * p->s[t][C];
        tile.a = off[BIN_A];
        tile.b = off[BIN_B];
        tile.y = off[BIN_Y];
        tile.w = off[w_of];
        kernel(call, &tile);
    }
}

/* Runs kernel over the whole plan, writing the tensor whose strides are
 * p->s[w_of] (BIN_Y for the forward pass, BIN_A / BIN_B for a gradient). */
static void bin_walk(const bin_plan *p, int w_of, bin_call call, bin_kernel kernel)
{
    int R = p->nd - 2, C = p->nd - 1;
    bin_split sp = bin_split_make(p, p->s[w_of]);
    call.ra = p->s[BIN_A][R], call.rb = p->s[BIN_B][R];
    call.ry = p->s[BIN_Y][R], call.rw = p->s[w_of][R];
    call.ca = p->s[BIN_A][C], call.cb = p->s[BIN_B][C], call.cw = p->s[w_of][C];
    int64_t tasks = sp.kept * sp.row_tiles * sp.col_tiles, numel = 1;
    for (int k = 0; k < p->nd; k++) numel *= p->n[k];
#pragma omp parallel for schedule(static) if (numel > OP_PARALLEL_MIN)
    for (int64_t task = 0; task < tasks; task++) bin_task(p, w_of, &sp, &call, kernel, task);
}

/* An op: its tape definition and its kernels, indexed [f32, f64]. */
typedef struct bin_op {
    s3f_op_def def; /* first, so the tape's def pointer leads back to the op */
    bin_kernel forward[2], da[2], db[2];
} bin_op;

#define BOTH(kernel)                                                                               \
    {                                                                                              \
        kernel##_f32, kernel##_f64                                                                 \
    }

static s3f_status binary_bwd(s3f_ctx_t *ctx, const s3f_tape_node *node)
{
    const bin_op *op = (const bin_op *)node->def;
    s3f_tensor *a = node->inputs[0], *b = node->inputs[1], *y = node->outputs[0];
    s3f_tensor *grads[2]; /* da, db: NULL when not wanted */
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, a, &grads[BIN_A]));
    S3F_RETURN_IF_ERR(s3f_grad_of(ctx, b, &grads[BIN_B]));
    if (s3f_tensor_numel(y) == 0) return S3F_OK;
    bin_plan p;
    bin_plan_make(&a->shape, &b->shape, &y->shape, &p);
    int f64 = y->dtype == S3F_F64;
    bin_kernel kernels[2] = {op->da[f64], op->db[f64]};
    for (int i = BIN_A; i <= BIN_B; i++)
        if (grads[i])
            bin_walk(
                &p, i,
                (bin_call){.a = a->data, .b = b->data, .dy = y->grad->data, .w = grads[i]->data},
                kernels[i]);
    return S3F_OK;
}

static const bin_op add_op = {
    {"add", binary_bwd}, BOTH(add_forward), BOTH(pass_grad), BOTH(pass_grad)};
static const bin_op sub_op = {
    {"sub", binary_bwd}, BOTH(sub_forward), BOTH(pass_grad), BOTH(negate_grad)};
static const bin_op mul_op = {{"mul", binary_bwd}, BOTH(mul_forward), BOTH(mul_da), BOTH(mul_db)};
static const bin_op div_op = {{"div", binary_bwd}, BOTH(div_forward), BOTH(div_da), BOTH(div_db)};

static s3f_status binary(s3f_ctx_t *ctx, const bin_op *op, s3f_tensor *a, s3f_tensor *b,
                         s3f_tensor **out)
{
    const char *name = op->def.name;
    S3F_RETURN_IF_ERR(op_check_float(name, "a", a));
    S3F_RETURN_IF_ERR(op_check_float(name, "b", b));
    S3F_RETURN_IF_ERR(op_check_same_dtype(name, a, b));
    s3f_shape shape;
    S3F_RETURN_IF_ERR(bin_shape(name, a, b, &shape));
    s3f_tensor *y;
    S3F_RETURN_IF_ERR(op_output(ctx, a->dtype, shape, &y));
    if (s3f_tensor_numel(y) > 0) {
        bin_plan p;
        bin_plan_make(&a->shape, &b->shape, &y->shape, &p);
        bin_walk(&p, BIN_Y, (bin_call){.a = a->data, .b = b->data, .w = y->data},
                 op->forward[y->dtype == S3F_F64]);
    }
    s3f_tensor *inputs[2] = {a, b};
    S3F_RETURN_IF_ERR(s3f_tape_record(ctx, &op->def, 2, inputs, 1, &y, NULL));
    *out = y;
    return S3F_OK;
}

s3f_status s3f_add(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    return binary(ctx, &add_op, a, b, out);
}

s3f_status s3f_sub(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    return binary(ctx, &sub_op, a, b, out);
}

s3f_status s3f_mul(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    return binary(ctx, &mul_op, a, b, out);
}

s3f_status s3f_div(s3f_ctx_t *ctx, s3f_tensor *a, s3f_tensor *b, s3f_tensor **out)
{
    return binary(ctx, &div_op, a, b, out);
}
