/* bench_ops.c — figures for core ops at the shapes of a QM9 batch.
 *
 * A batch of 240 QM9 molecules has about 4,300 atoms and 9,000 directed
 * bonds; the SE(3)-Transformer's default width is 32 channels and 8 heads.
 * Prints GFLOP/s for matmul (large, and batched small per-edge products) and
 * throughput for gather, segment sum and segment softmax, forward and
 * forward+backward. Figures only: nothing here passes or fails.
 *
 * Usage: bench_ops [--reps N] [--f64]     (threads: OMP_NUM_THREADS) */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/se3flow.h"

#define NODES    4300
#define EDGES    9000
#define CHANNELS 32
#define HEADS    8

typedef s3f_status (*bench_fn)(s3f_ctx_t *ctx, s3f_tensor **in, s3f_tensor **out);

typedef struct bench_case {
    const char *name;
    const char *shapes;
    bench_fn fn;
    double flops; /* per call, 0 if not meaningful */
    double bytes; /* bytes moved per call (inputs read + output written) */
    double items; /* rows or elements per call, for "items/s" */
} bench_case;

static void check(s3f_status rc, const char *what)
{
    if (rc == S3F_OK) return;
    fprintf(stderr, "bench_ops: %s: %s: %s\n", what, s3f_status_string(rc), s3f_last_error());
    exit(1);
}

static s3f_tensor *random_tensor(s3f_dtype dtype, s3f_shape shape, uint64_t seed)
{
    s3f_tensor *t;
    check(s3f_tensor_create(dtype, shape, &t), "create");
    s3f_rng rng = s3f_rng_make(seed);
    check(s3f_tensor_fill_uniform(t, &rng, -1, 1), "fill");
    t->requires_grad = true;
    return t;
}

/* Edges sorted by destination: each node gets 1..3 incoming edges. */
static s3f_tensor *make_offsets(int64_t segments, int64_t rows)
{
    s3f_tensor *t;
    check(s3f_tensor_create(S3F_I32, S3F_SHAPE(segments + 1), &t), "offsets");
    int32_t *o = t->data;
    for (int64_t s = 0; s <= segments; s++) o[s] = (int32_t)(s * rows / segments);
    return t;
}

static s3f_tensor *make_index(int64_t n, int64_t range)
{
    s3f_tensor *t;
    check(s3f_tensor_create(S3F_I32, S3F_SHAPE(n), &t), "index");
    int32_t *idx = t->data;
    for (int64_t i = 0; i < n; i++) idx[i] = (int32_t)((i * 7919) % range);
    return t;
}

/* ---- the cases: in[] is filled by setup() below ---- */
static s3f_status run_matmul(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_matmul(c, in[0], in[1], false, false, out);
}
static s3f_status run_batched(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_matmul(c, in[2], in[3], false, false, out);
}
static s3f_status run_linear(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_linear(c, in[4], in[5], NULL, out);
}
static s3f_status run_gather(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_gather_rows(c, in[4], in[6], out);
}
static s3f_status run_segment_sum(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_segment_sum(c, in[7], in[8], out);
}
static s3f_status run_segment_softmax(s3f_ctx_t *c, s3f_tensor **in, s3f_tensor **out)
{
    return s3f_segment_softmax(c, in[9], in[8], out);
}

static void setup(s3f_dtype dt, s3f_tensor **in)
{
    in[0] = random_tensor(dt, S3F_SHAPE(1024, 1024), 1);
    in[1] = random_tensor(dt, S3F_SHAPE(1024, 1024), 2);
    in[2] = random_tensor(dt, S3F_SHAPE(EDGES, 4, 16), 3); /* per-edge small products */
    in[3] = random_tensor(dt, S3F_SHAPE(EDGES, 16, 8), 4);
    in[4] = random_tensor(dt, S3F_SHAPE(NODES, CHANNELS * 4), 5);
    in[5] = random_tensor(dt, S3F_SHAPE(CHANNELS * 4, CHANNELS * 4), 6);
    in[6] = make_index(EDGES, NODES);
    in[7] = random_tensor(dt, S3F_SHAPE(EDGES, CHANNELS * 4), 7);
    in[8] = make_offsets(NODES, EDGES);
    in[9] = random_tensor(dt, S3F_SHAPE(EDGES, HEADS), 8);
}

static double time_case(s3f_ctx_t *ctx, const bench_case *bc, s3f_tensor **in, int reps, bool grad)
{
    double best = 1e30;
    for (int r = 0; r < reps + 1; r++) { /* the first run warms up and is not counted */
        s3f_ctx_set_grad(ctx, grad);
        s3f_tensor *out, *seed = NULL;
        double t0 = omp_get_wtime();
        check(bc->fn(ctx, in, &out), bc->name);
        if (grad) {
            check(s3f_tensor_zeros_like(ctx, out, &seed), "seed");
            check(s3f_tensor_fill(seed, 1.0), "seed");
            check(s3f_backward_from(ctx, out, seed), "backward");
        }
        double dt = omp_get_wtime() - t0;
        if (r > 0 && dt < best) best = dt;
        s3f_ctx_reset(ctx);
    }
    return best;
}

int main(int argc, char **argv)
{
    int reps = 20;
    s3f_dtype dt = S3F_F32;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--f64"))
            dt = S3F_F64;
        else {
            fprintf(stderr, "usage: bench_ops [--reps N] [--f64]\n");
            return 2;
        }
    }
    double es = (double)s3f_dtype_size(dt);
    const bench_case cases[] = {
        {"matmul", "(1024,1024)@(1024,1024)", run_matmul, 2.0 * 1024 * 1024 * 1024,
         3 * es * 1024 * 1024, 1024},
        {"matmul batched", "(9000,4,16)@(9000,16,8)", run_batched, 2.0 * EDGES * 4 * 16 * 8,
         es * EDGES * (64 + 128 + 32), EDGES},
        {"linear", "(4300,128)@(128,128)^T", run_linear, 2.0 * NODES * 128 * 128,
         es * (2 * NODES * 128 + 128 * 128), NODES},
        {"gather_rows", "(4300,128)[9000]", run_gather, 0, es * 2 * EDGES * 128 + 4 * EDGES, EDGES},
        {"segment_sum", "(9000,128) -> (4300,128)", run_segment_sum, 0,
         es * (EDGES + NODES) * 128 + 4 * NODES, EDGES},
        {"segment_softmax", "(9000,8) over 4300 nodes", run_segment_softmax, 0,
         es * 2 * EDGES * HEADS + 4 * NODES, EDGES},
    };
    s3f_tensor *in[10];
    setup(dt, in);
    s3f_ctx_t *ctx;
    check(s3f_ctx_create(0, &ctx), "context");
    printf("se3flow %s core ops, %s, %d OpenMP threads, best of %d runs\n", S3F_VERSION_STRING,
           s3f_dtype_name(dt), omp_get_max_threads(), reps);
    printf("%-16s %-26s %10s %10s %10s %12s %12s\n", "op", "shapes", "fwd ms", "GFLOP/s", "GB/s",
           "rows/s", "fwd+bwd ms");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bench_case *bc = &cases[i];
        double fwd = time_case(ctx, bc, in, reps, false), both = time_case(ctx, bc, in, reps, true);
        printf("%-16s %-26s %10.3f %10.2f %10.2f %12.3g %12.3f\n", bc->name, bc->shapes, fwd * 1e3,
               bc->flops / fwd / 1e9, bc->bytes / fwd / 1e9, bc->items / fwd, both * 1e3);
    }
    printf("peak arena: %.1f MiB\n", (double)s3f_arena_peak(s3f_ctx_arena(ctx)) / (1 << 20));
    for (int i = 0; i < 10; i++) s3f_tensor_destroy(in[i]);
    s3f_ctx_destroy(ctx);
    return 0;
}
