/* bench_se3t.c — the SE(3)-Transformer's speed on this machine: training
 * steps (forward + backward) and inference, molecules per second, for the
 * QM9 default configuration (7 layers, degrees 0..3, 32 channels, 8 heads,
 * f32) on QM9-sized random molecules (18 atoms, 19 bonds: a
 * random tree plus two ring bonds, bond lengths 1.1-1.5 Å), in the default
 * FULL layout and with low_memory (the pairwise layout), and the peak step
 * memory per molecule.
 *
 *     bench_se3t [BATCH_SIZES...]        (default 16 64 240)
 *     env: BENCH_STEPS (timed steps, default 3), BENCH_LOW_MEMORY=0|1|both */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

enum { ATOMS = 18, BONDS = 19 };

static uint64_t g_state = 42;
static double rnd(void)
{
    uint64_t z = (g_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

typedef struct mol_buf {
    float pos[ATOMS * 3], node[ATOMS * 6], edge[BONDS * 2 * 4], target;
    int32_t src[BONDS * 2], dst[BONDS * 2];
} mol_buf;

static void make_molecule(mol_buf *m)
{
    int a[BONDS], b[BONDS];
    for (int i = 1; i < ATOMS; i++) {
        a[i - 1] = (int)(rnd() * i);
        b[i - 1] = i;
    }
    a[BONDS - 2] = 0, b[BONDS - 2] = ATOMS - 1; /* two ring closures */
    a[BONDS - 1] = 2, b[BONDS - 1] = ATOMS - 2;
    memset(m->pos, 0, sizeof m->pos);
    for (int i = 1; i < ATOMS; i++) {
        double u[3] = {rnd() - 0.5, rnd() - 0.5, rnd() - 0.5}, n = 0, len = 1.1 + 0.4 * rnd();
        for (int k = 0; k < 3; k++) n += u[k] * u[k];
        for (int k = 0; k < 3; k++)
            m->pos[i * 3 + k] = m->pos[a[i - 1] * 3 + k] + (float)(len * u[k] / sqrt(n));
    }
    memset(m->node, 0, sizeof m->node);
    for (int i = 0; i < ATOMS; i++) m->node[i * 6 + (int)(rnd() * 5)] = 1;
    memset(m->edge, 0, sizeof m->edge);
    for (int e = 0; e < BONDS; e++) {
        m->src[2 * e] = a[e], m->dst[2 * e] = b[e];
        m->src[2 * e + 1] = b[e], m->dst[2 * e + 1] = a[e];
        m->edge[2 * e * 4] = m->edge[(2 * e + 1) * 4] = 1;
    }
    m->target = 0;
}

static s3f_graph_batch *make_batch(int B)
{
    mol_buf *bufs = calloc((size_t)B, sizeof *bufs);
    s3f_molecule *ms = calloc((size_t)B, sizeof *ms);
    for (int i = 0; i < B; i++) {
        make_molecule(&bufs[i]);
        ms[i] =
            (s3f_molecule){ATOMS,       BONDS * 2,   bufs[i].pos,     bufs[i].node, bufs[i].edge,
                           bufs[i].src, bufs[i].dst, &bufs[i].target, NULL};
    }
    s3f_graph_batch *b = NULL;
    s3f_graph_layout layout = {.node_features = 6, .edge_features = 4, .targets = 1};
    if (s3f_graph_collate(ms, NULL, B, layout, &b) != S3F_OK) {
        fprintf(stderr, "collate: %s\n", s3f_last_error());
        exit(1);
    }
    free(ms);
    free(bufs);
    return b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check(s3f_status rc, const char *what)
{
    if (rc == S3F_OK) return;
    fprintf(stderr, "%s: %s\n", what, s3f_last_error());
    exit(1);
}

/* One step; returns seconds. */
static double step(const se3t_model *m, s3f_ctx_t *ctx, const s3f_graph_batch *b, bool train)
{
    double t0 = now();
    s3f_ctx_reset(ctx);
    s3f_ctx_set_grad(ctx, train);
    se3t_input in;
    check(se3t_input_from_batch(m, ctx, b, &in), "input");
    se3t_output out;
    check(se3t_forward(m, ctx, &in, &out), "forward");
    if (train) {
        s3f_tensor *loss;
        check(s3f_sum_all(ctx, out.pred, &loss), "loss");
        s3f_params_zero_grad(m->params);
        check(s3f_backward(ctx, loss), "backward");
    }
    return now() - t0;
}

static void run(int B, bool low_memory, int steps)
{
    se3t_config c = se3t_qm9_config(low_memory ? FUSE_NONE : FUSE_FULL, S3F_F32);
    se3t_model *m;
    check(se3t_create(&c, 1, &m), "create");
    s3f_graph_batch *b = make_batch(B);
    s3f_ctx_t *ctx;
    check(s3f_ctx_create(0, &ctx), "context");
    for (int mode = 0; mode < 2; mode++) {
        bool train = mode == 0;
        step(m, ctx, b, train); /* warm-up */
        s3f_arena_reset_peak(s3f_ctx_arena(ctx));
        double total = 0;
        for (int i = 0; i < steps; i++) total += step(m, ctx, b, train);
        double peak = (double)s3f_arena_peak(s3f_ctx_arena(ctx));
        printf("%-9s low_memory=%d batch %4d: %8.2f molecules/s  %8.1f ms/step  peak %7.2f MB "
               "(%.2f MB/molecule)\n",
               train ? "train" : "inference", low_memory, B, B * steps / total, 1e3 * total / steps,
               peak / 1e6, peak / 1e6 / B);
        fflush(stdout);
    }
    s3f_ctx_destroy(ctx);
    s3f_graph_batch_destroy(b);
    se3t_destroy(m);
}

int main(int argc, char **argv)
{
    int steps = getenv("BENCH_STEPS") ? atoi(getenv("BENCH_STEPS")) : 3;
    const char *lm = getenv("BENCH_LOW_MEMORY") ? getenv("BENCH_LOW_MEMORY") : "both";
    int sizes[16] = {16, 64, 240}, n = 3;
    if (argc > 1) {
        n = 0;
        for (int i = 1; i < argc && n < 16; i++) sizes[n++] = atoi(argv[i]);
    }
    printf("SE(3)-Transformer, QM9 default configuration, f32, %d threads, %d atoms and %d bonds "
           "per molecule\n",
           omp_get_max_threads(), ATOMS, BONDS);
    for (int i = 0; i < n; i++) {
        if (strcmp(lm, "1")) run(sizes[i], false, steps);
        if (strcmp(lm, "0")) run(sizes[i], true, steps);
    }
    return 0;
}
