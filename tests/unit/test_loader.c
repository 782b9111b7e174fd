/* test_loader.c — the data loader over a small in-test dataset: every
 * molecule once per epoch, orders fixed by (seed, epoch), shards that
 * partition the split, the last partial batch kept, batches bitwise equal
 * for 0, 1, 2 and 4 workers, target normalisation, and a dataset error that
 * reaches the caller with the molecule named. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/loader.h"
#include "test_support.h"

#define SIZE      103
#define MAX_ATOMS 6

/* Molecule i: (i % 5) + 2 atoms in a chain, bonds both ways, target i. */
typedef struct fake_dataset {
    float pos[SIZE][MAX_ATOMS * 3];
    float feat[SIZE][MAX_ATOMS];
    int32_t src[SIZE][2 * MAX_ATOMS], dst[SIZE][2 * MAX_ATOMS];
    float efeat[SIZE][2 * MAX_ATOMS];
    float target[SIZE];
    int64_t fail_at; /* get() fails for this index; -1 never */
} fake_dataset;

static fake_dataset g_data;

static void build_data(void)
{
    for (int i = 0; i < SIZE; i++) {
        int n = i % 5 + 2, e = 0;
        for (int a = 0; a < n; a++) {
            g_data.pos[i][3 * a] = (float)a * 1.1f;
            g_data.pos[i][3 * a + 1] = (float)i * 0.01f;
            g_data.feat[i][a] = (float)(a + i);
        }
        for (int a = 0; a + 1 < n; a++) {
            g_data.src[i][e] = a, g_data.dst[i][e] = a + 1, g_data.efeat[i][e++] = 1;
            g_data.src[i][e] = a + 1, g_data.dst[i][e] = a, g_data.efeat[i][e++] = 2;
        }
        g_data.target[i] = (float)i;
    }
    g_data.fail_at = -1;
}

static s3f_status fake_get(void *state, s3f_dataset_split split, int64_t i, s3f_molecule *out)
{
    fake_dataset *d = state;
    if (i == d->fail_at) return s3f_fail(S3F_ERR_FORMAT, "fake dataset: molecule is broken");
    int n = (int)(i % 5) + 2;
    *out = (s3f_molecule){n,         2 * (n - 1), d->pos[i],     d->feat[i], d->efeat[i],
                          d->src[i], d->dst[i],   &d->target[i], NULL};
    return S3F_OK;
}

static const s3f_dataset_i k_fake = {.get = fake_get};

static s3f_loader_opts opts(int workers, bool shuffle, int rank, int world)
{
    return (s3f_loader_opts){.dataset = &k_fake,
                             .dataset_state = &g_data,
                             .split = S3F_SPLIT_TRAIN,
                             .size = SIZE,
                             .batch_size = 10,
                             .shuffle = shuffle,
                             .seed = 42,
                             .workers = workers,
                             .rank = rank,
                             .world = world,
                             .layout = {.node_features = 1, .edge_features = 1, .targets = 1}};
}

/* Runs one epoch; returns the concatenated targets (heap, SIZE entries max)
 * and checks batch sizes. */
static int collect(s3f_loader_t *l, int64_t epoch, float *targets)
{
    assert_ok(s3f_loader_begin_epoch(l, epoch));
    int n = 0, batches = 0;
    s3f_graph_batch *g;
    for (;;) {
        assert_ok(s3f_loader_next(l, &g));
        if (!g) break;
        batches++;
        assert_true(g->num_graphs == 10 || batches == s3f_loader_batches(l));
        for (int64_t b = 0; b < g->num_graphs; b++) targets[n++] = ((float *)g->targets->data)[b];
        s3f_graph_batch_destroy(g);
    }
    assert_int_equal(batches, s3f_loader_batches(l));
    return n;
}

static void test_each_molecule_once_in_a_seeded_order(void **state)
{
    s3f_loader_opts o = opts(2, true, 0, 1);
    s3f_loader_t *l;
    assert_ok(s3f_loader_create(&o, &l));
    assert_int_equal(s3f_loader_batches(l), 11); /* 10 full + the last 3 kept */
    float e0[SIZE], e0_again[SIZE], e1[SIZE];
    assert_int_equal(collect(l, 0, e0), SIZE);
    assert_int_equal(collect(l, 0, e0_again), SIZE);
    assert_int_equal(collect(l, 1, e1), SIZE);
    assert_memory_equal(e0, e0_again, sizeof e0);
    assert_memory_not_equal(e0, e1, sizeof e0);
    int seen[SIZE] = {0};
    for (int i = 0; i < SIZE; i++) seen[(int)e1[i]]++;
    for (int i = 0; i < SIZE; i++) assert_int_equal(seen[i], 1);
    s3f_loader_destroy(l);
}

static void test_workers_do_not_change_batches(void **state)
{
    s3f_graph_batch *reference[11] = {0};
    int worker_counts[] = {0, 1, 2, 4};
    for (int w = 0; w < 4; w++) {
        s3f_loader_opts o = opts(worker_counts[w], true, 0, 1);
        s3f_loader_t *l;
        assert_ok(s3f_loader_create(&o, &l));
        assert_ok(s3f_loader_begin_epoch(l, 3));
        for (int b = 0; b < 11; b++) {
            s3f_graph_batch *g;
            assert_ok(s3f_loader_next(l, &g));
            if (!reference[b])
                reference[b] = g;
            else {
                ts_assert_bitwise_equal(g->positions, reference[b]->positions);
                ts_assert_bitwise_equal(g->src, reference[b]->src);
                ts_assert_bitwise_equal(g->edge_features, reference[b]->edge_features);
                ts_assert_bitwise_equal(g->ids, reference[b]->ids);
                s3f_graph_batch_destroy(g);
            }
        }
        s3f_loader_destroy(l);
    }
    for (int b = 0; b < 11; b++) s3f_graph_batch_destroy(reference[b]);
}

static void test_shards_partition_the_split(void **state)
{
    int seen[SIZE] = {0}, total = 0;
    for (int rank = 0; rank < 3; rank++) {
        s3f_loader_opts o = opts(1, true, rank, 3);
        s3f_loader_t *l;
        float t[SIZE];
        assert_ok(s3f_loader_create(&o, &l));
        int n = collect(l, 5, t);
        total += n;
        for (int i = 0; i < n; i++) seen[(int)t[i]]++;
        s3f_loader_destroy(l);
    }
    assert_int_equal(total, SIZE);
    for (int i = 0; i < SIZE; i++) assert_int_equal(seen[i], 1);
}

static void test_normalisation_and_unshuffled_order(void **state)
{
    double mean = 50, std = 4;
    s3f_loader_opts o = opts(0, false, 0, 1);
    o.target_mean = &mean;
    o.target_std = &std;
    s3f_loader_t *l;
    float t[SIZE];
    assert_ok(s3f_loader_create(&o, &l));
    mean = 0; /* the loader keeps its own copy */
    collect(l, 0, t);
    for (int i = 0; i < SIZE; i++) assert_true(fabs(t[i] - (i - 50) / 4.0) < 1e-6);
    s3f_loader_destroy(l);
}

static void test_dataset_errors_reach_the_caller(void **state)
{
    g_data.fail_at = 57;
    for (int workers = 0; workers <= 2; workers += 2) {
        s3f_loader_opts o = opts(workers, false, 0, 1);
        s3f_loader_t *l;
        assert_ok(s3f_loader_create(&o, &l));
        assert_ok(s3f_loader_begin_epoch(l, 0));
        s3f_status rc = S3F_OK;
        s3f_graph_batch *g;
        for (int b = 0; b < 11 && rc == S3F_OK; b++) {
            rc = s3f_loader_next(l, &g);
            s3f_graph_batch_destroy(g);
        }
        assert_int_equal(rc, S3F_ERR_FORMAT);
        assert_non_null(strstr(s3f_last_error(), "molecule 57"));
        assert_non_null(strstr(s3f_last_error(), "broken"));
        s3f_loader_destroy(l); /* mid-epoch, with workers busy: must not hang or leak */
    }
    g_data.fail_at = -1;
    s3f_loader_opts bad = opts(1, false, 3, 2);
    s3f_loader_t *l;
    assert_fails(s3f_loader_create(&bad, &l), S3F_ERR_ARG, "rank 3 of 2");
}

int main(void)
{
    build_data();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_molecule_once_in_a_seeded_order),
        cmocka_unit_test(test_workers_do_not_change_batches),
        cmocka_unit_test(test_shards_partition_the_split),
        cmocka_unit_test(test_normalisation_and_unshuffled_order),
        cmocka_unit_test(test_dataset_errors_reach_the_caller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
