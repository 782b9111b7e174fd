/* binary_kernels.h — tile kernels of add, sub, mul, div: the forward pass and
 * the gradient for each operand, instantiated for f32 and f64 by
 * float_template.h (no include guard on purpose; the macros are undefined at
 * the end).
 *
 * A tile (bin_tile, op_binary.c) is `rows` rows of `cols` elements. Along a
 * row the output and dy step by 1 and each operand by 1 or 0 (broadcast), so
 * a row is one contiguous loop in one of three variants (BIN_ROW). Gradient
 * kernels accumulate (+=); where the written gradient has col stride 0 (its
 * operand is broadcast along the last dim), a row is summed first, in order,
 * and added once. */

/* Runs stmt for j in [0, cols) with x = a's element and z = b's element.
 * Col strides are never both 0 unless cols == 1, where the last branch reads
 * a[0] and b[0]. */
#define BIN_ROW(stmt)                                                                              \
    do {                                                                                           \
        if (c->ca && c->cb) {                                                                      \
            for (int64_t j = 0; j < t->cols; j++) {                                                \
                real x = a[j], z = b[j];                                                           \
                (void)x, (void)z;                                                                  \
                stmt;                                                                              \
            }                                                                                      \
        } else if (c->ca) {                                                                        \
            real z = b[0];                                                                         \
            (void)z;                                                                               \
            for (int64_t j = 0; j < t->cols; j++) {                                                \
                real x = a[j];                                                                     \
                (void)x;                                                                           \
                stmt;                                                                              \
            }                                                                                      \
        } else {                                                                                   \
            real x = a[0];                                                                         \
            (void)x;                                                                               \
            for (int64_t j = 0; j < t->cols; j++) {                                                \
                real z = b[j];                                                                     \
                (void)z;                                                                           \
                stmt;                                                                              \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* name_forward: out = expr(x, z) over a tile. */
#define BIN_FORWARD(name, expr)                                                                    \
    static void FN(name##_forward)(const bin_call *c, const bin_tile *t)                           \
    {                                                                                              \
        const real *a = (const real *)c->a + t->a, *b = (const real *)c->b + t->b;                 \
        real *y = (real *)c->w + t->w;                                                             \
        for (int64_t r = 0; r < t->rows; r++, a += c->ra, b += c->rb, y += c->rw)                  \
            BIN_ROW(y[j] = (expr));                                                                \
    }

/* name: w += expr(dy[j], x, z) over a tile, w being da or db. */
#define BIN_GRAD(name, expr)                                                                       \
    static void FN(name)(const bin_call *c, const bin_tile *t)                                     \
    {                                                                                              \
        const real *a = (const real *)c->a + t->a, *b = (const real *)c->b + t->b;                 \
        const real *dy = (const real *)c->dy + t->y;                                               \
        real *w = (real *)c->w + t->w;                                                             \
        for (int64_t r = 0; r < t->rows; r++, a += c->ra, b += c->rb, dy += c->ry, w += c->rw) {   \
            if (c->cw) {                                                                           \
                BIN_ROW(w[j] += (expr));                                                           \
            } else {                                                                               \
                real s = 0;                                                                        \
                BIN_ROW(s += (expr));                                                              \
                w[0] += s;                                                                         \
            }                                                                                      \
        }                                                                                          \
    }

BIN_FORWARD(add, x + z)
BIN_FORWARD(sub, x - z)
BIN_FORWARD(mul, x *z)
BIN_FORWARD(div, x / z)

/* d(a + b) = d(a - b)/da = dy; d(a - b)/db = -dy */
BIN_GRAD(pass_grad, dy[j])
BIN_GRAD(negate_grad, -dy[j])
/* d(a b)/da = b, d(a b)/db = a */
BIN_GRAD(mul_da, dy[j] * z)
BIN_GRAD(mul_db, dy[j] * x)
/* d(a / b)/da = 1 / b; d(a / b)/db = -a / b^2, as (a / b) / b so that b^2
 * cannot overflow */
BIN_GRAD(div_da, dy[j] / z)
BIN_GRAD(div_db, -(dy[j] * (x / z)) / z)

#undef BIN_ROW
#undef BIN_FORWARD
#undef BIN_GRAD
