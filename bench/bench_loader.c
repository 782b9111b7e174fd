/* bench_loader.c — data-loader throughput: molecules collated per second
 * with 0, 1 and 2 worker threads, on generated molecules of QM9's size
 * (18 atoms and 37 directed bonds on average, 6 node features, 4 edge
 * features), batch 240. The loader must outrun the model on this machine;
 * compare with the model's molecules per second from its own benchmark.
 * Figures only. Usage: bench_loader [--molecules N] [--batch B] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/loader.h"

#define ATOMS 18
#define BONDS 37

typedef struct store {
    int64_t count;
    float *pos, *feat, *efeat, *target;
    int32_t *src, *dst;
} store;

static void fill(store *s)
{
    s->pos = malloc(sizeof(float) * (size_t)s->count * ATOMS * 3);
    s->feat = malloc(sizeof(float) * (size_t)s->count * ATOMS * 6);
    s->efeat = malloc(sizeof(float) * (size_t)s->count * BONDS * 4);
    s->target = malloc(sizeof(float) * (size_t)s->count);
    s->src = malloc(sizeof(int32_t) * BONDS);
    s->dst = malloc(sizeof(int32_t) * BONDS);
    for (int64_t i = 0; i < s->count * ATOMS * 3; i++) s->pos[i] = (float)(i % 97) * 0.1f;
    for (int64_t i = 0; i < s->count * ATOMS * 6; i++) s->feat[i] = (float)(i % 2);
    for (int64_t i = 0; i < s->count * BONDS * 4; i++) s->efeat[i] = (float)(i % 4 == 0);
    for (int64_t i = 0; i < s->count; i++) s->target[i] = (float)i;
    for (int e = 0; e < BONDS; e++) { /* a ring-ish pattern, unsorted by destination */
        s->src[e] = (e * 7) % ATOMS;
        s->dst[e] = (e * 7 + 1 + e % 3) % ATOMS;
    }
}

static s3f_status get(void *state, s3f_dataset_split split, int64_t i, s3f_molecule *out)
{
    const store *s = state;
    *out = (s3f_molecule){ATOMS,
                          BONDS,
                          s->pos + i * ATOMS * 3,
                          s->feat + i * ATOMS * 6,
                          s->efeat + i * BONDS * 4,
                          s->src,
                          s->dst,
                          s->target + i,
                          NULL};
    return S3F_OK;
}

static const s3f_dataset_i k_dataset = {.get = get};

static double run(store *s, int batch, int workers)
{
    double mean = 0, std = 1;
    s3f_loader_opts o = {&k_dataset, s, S3F_SPLIT_TRAIN, s->count, batch, true, 1, workers,
                         0,          1, {6, 4, 1, 0},    &mean,    &std};
    s3f_loader_t *l;
    if (s3f_loader_create(&o, &l) != S3F_OK) {
        fprintf(stderr, "bench_loader: %s\n", s3f_last_error());
        exit(1);
    }
    s3f_loader_begin_epoch(l, 0);
    double t0 = omp_get_wtime();
    s3f_graph_batch *g;
    while (s3f_loader_next(l, &g) == S3F_OK && g) s3f_graph_batch_destroy(g);
    double dt = omp_get_wtime() - t0;
    s3f_loader_destroy(l);
    return (double)s->count / dt;
}

int main(int argc, char **argv)
{
    store s = {.count = 50000};
    int batch = 240;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--molecules"))
            s.count = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch"))
            batch = atoi(argv[i + 1]);
    }
    fill(&s);
    printf("se3flow data loader: %lld molecules (%d atoms, %d bonds each), batch %d, "
           "%d OpenMP threads for the consumer\n",
           (long long)s.count, ATOMS, BONDS, batch, omp_get_max_threads());
    printf("%-8s %16s\n", "workers", "molecules/s");
    for (int w = 0; w <= 2; w++) printf("%-8d %16.0f\n", w, run(&s, batch, w));
    return 0;
}
