/* bench_bases.c — figures for the SO(3) math at the size of a QM9 batch:
 * about 9,000 directed bonds, max degree 3 (harmonics to degree 6).
 *
 * Prints edges per second for the harmonics, the 16 per-pair bases, and the
 * fused layouts (per-pair + out{d}_fused, and that plus fully_fused), pad
 * trick on as the reference uses it on tensor cores. Figures only: nothing
 * here passes or fails.
 *
 * Usage: bench_bases [--reps N] [--f64]     (threads: OMP_NUM_THREADS) */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/se3flow.h"
#include "se3flow/so3.h"

#define EDGES      9000
#define MAX_DEGREE 3

static void check(s3f_status rc, const char *what)
{
    if (rc == S3F_OK) return;
    fprintf(stderr, "bench_bases: %s: %s: %s\n", what, s3f_status_string(rc), s3f_last_error());
    exit(1);
}

/* Which outputs a case asks for. */
typedef enum { CASE_HARMONICS, CASE_PAIRS, CASE_OUT_FUSED, CASE_FULLY_FUSED } bench_kind;

static const char *const k_names[] = {"harmonics (J <= 6)", "per-pair bases (16)",
                                      "pairs + out{d}_fused", "pairs + out_fused + fully_fused"};

static s3f_tensor *create(s3f_dtype dt, s3f_shape shape)
{
    s3f_tensor *t = NULL;
    check(s3f_tensor_create(dt, shape, &t), "tensor_create");
    return t;
}

/* The outputs of one case; the caller destroys them. */
static s3f_basis_out outputs(bench_kind kind, s3f_dtype dt, const s3f_basis_layout *lay)
{
    s3f_basis_out out = {0};
    int64_t E = EDGES, S = lay->components, P = lay->pad;
    for (int a = 0; a <= MAX_DEGREE; a++) {
        for (int b = 0; b <= MAX_DEGREE; b++)
            out.pair[a][b] =
                create(dt, S3F_SHAPE(E, 2 * a + 1, s3f_basis_num_freq(a, b), 2 * b + 1 + P));
        if (kind >= CASE_OUT_FUSED)
            out.out_fused[a] = create(dt, S3F_SHAPE(E, S, lay->out_freqs[a], 2 * a + 1 + P));
    }
    if (kind == CASE_FULLY_FUSED)
        out.fully_fused = create(dt, S3F_SHAPE(E, S, lay->fully_freqs, S));
    return out;
}

static void destroy(s3f_basis_out *out)
{
    for (int a = 0; a <= MAX_DEGREE; a++) {
        for (int b = 0; b <= MAX_DEGREE; b++) s3f_tensor_destroy(out->pair[a][b]);
        s3f_tensor_destroy(out->out_fused[a]);
    }
    s3f_tensor_destroy(out->fully_fused);
}

/* Seconds per call, averaged over reps after one warm-up call. */
static double time_case(bench_kind kind, s3f_tensor *vectors, int reps)
{
    s3f_basis_layout lay;
    check(s3f_basis_layout_init(MAX_DEGREE, true, &lay), "layout");
    s3f_basis_out out = {0};
    s3f_tensor *y = NULL;
    if (kind == CASE_HARMONICS)
        y = create(vectors->dtype, S3F_SHAPE(EDGES, (2 * MAX_DEGREE + 1) * (2 * MAX_DEGREE + 1)));
    else
        out = outputs(kind, vectors->dtype, &lay);
    double total = 0;
    for (int r = 0; r < reps + 1; r++) {
        double t0 = omp_get_wtime();
        if (y)
            check(s3f_sph_harm(vectors, 2 * MAX_DEGREE, y), "sph_harm");
        else
            check(s3f_basis_compute(vectors, &lay, &out), "basis_compute");
        if (r > 0) total += omp_get_wtime() - t0;
    }
    s3f_tensor_destroy(y);
    destroy(&out);
    return total / reps;
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
            fprintf(stderr, "usage: bench_bases [--reps N] [--f64]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    s3f_tensor *vectors = create(dt, S3F_SHAPE(EDGES, 3));
    uint64_t state = 0x9E3779B97F4A7C15u; /* bond vectors: uniform in [-1.5, 1.5)^3 */
    for (int64_t i = 0; i < 3 * EDGES; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        s3f_tensor_set(vectors, i, 3.0 * (double)(state >> 11) / 9007199254740992.0 - 1.5);
    }
    printf("bench_bases: %d edges, max degree %d, %s, %d threads, %d reps\n", EDGES, MAX_DEGREE,
           s3f_dtype_name(dt), omp_get_max_threads(), reps);
    for (int k = CASE_HARMONICS; k <= CASE_FULLY_FUSED; k++) {
        double s = time_case((bench_kind)k, vectors, reps);
        printf("  %-34s %9.3f ms  %12.0f edges/s\n", k_names[k], 1e3 * s, EDGES / s);
    }
    s3f_tensor_destroy(vectors);
    return 0;
}
