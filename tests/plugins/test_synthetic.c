/* test_synthetic.c — the synthetic dataset plugin: same molecules for the
 * same data seed, chemistry that looks right (bond lengths, symmetric bonds,
 * one-hot features, valences), every molecule collates, the normalisation
 * statistics equal a direct computation, and the dipole task. */
#include <math.h>
#include <string.h>

#include "dataset_fixture.h"
#include "test_support.h"

static dataset_fixture g_fixture;
static const s3f_plugin_descriptor *g_plugin;

static int setup(void **state)
{
    if (dataset_fixture_open(&g_fixture, PLUGIN_DIR, "synthetic")) return -1;
    g_plugin = g_fixture.plugin;
    return 0;
}

static int teardown(void **state)
{
    return dataset_fixture_close(&g_fixture);
}

static void *open_with(const char *task, const char *seed, unsigned char *options)
{
    memset(options, 0, 256);
    assert_true(g_plugin->options_size <= 256);
    assert_ok(s3f_options_set_defaults(g_plugin->options, options));
    assert_ok(s3f_options_set(g_plugin->options, options, "train_size", "300"));
    assert_ok(s3f_options_set(g_plugin->options, options, "task", task));
    assert_ok(s3f_options_set(g_plugin->options, options, "data_seed", seed));
    const s3f_dataset_i *f = g_plugin->interface;
    s3f_dataset_env env = {.seed = 1, .data_dir = g_fixture.dir, .quiet = true};
    void *state;
    assert_ok(f->open(options, &env, &state));
    return state;
}

static float dist(const float *a, const float *b)
{
    return sqrtf((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                 (a[2] - b[2]) * (a[2] - b[2]));
}

static void check_molecule(const s3f_molecule *m)
{
    assert_true(m->num_nodes >= 3 && m->num_nodes <= 32);
    int degree[32] = {0};
    for (int e = 0; e < m->num_edges; e++) {
        float r = dist(&m->positions[3 * m->src[e]], &m->positions[3 * m->dst[e]]);
        assert_true(r > 0.8f && r < 2.0f);
        degree[m->src[e]]++;
        bool reverse = false; /* bonds come in both directions */
        for (int k = 0; k < m->num_edges; k++)
            reverse |= m->src[k] == m->dst[e] && m->dst[k] == m->src[e];
        assert_true(reverse);
        float one_hot = 0;
        for (int k = 0; k < 4; k++) one_hot += m->edge_features[4 * e + k];
        assert_true(one_hot == 1);
    }
    for (int a = 0; a < m->num_nodes; a++) {
        const float *f = &m->node_features[6 * a];
        int element = -1;
        for (int k = 0; k < 5; k++)
            if (f[k] == 1) element = k;
        assert_true(element >= 0 && f[0] + f[1] + f[2] + f[3] + f[4] == 1);
        const float z[] = {1, 6, 7, 8, 9};
        assert_true(f[5] == z[element]);
        assert_true(degree[a] >= 1); /* every atom is bonded to something */
        if (element == 0) assert_true(degree[a] <= 2);
    }
}

static void test_molecules_are_plausible_and_reproducible(void **state)
{
    unsigned char o1[256], o2[256];
    void *a = open_with("energy", "7", o1), *b = open_with("energy", "7", o2);
    const s3f_dataset_i *f = g_plugin->interface;
    s3f_dataset_desc desc;
    assert_ok(f->describe(a, &desc));
    assert_int_equal(desc.layout.node_features, 6);
    assert_int_equal(desc.layout.edge_features, 4);
    assert_int_equal(desc.layout.targets, 1);
    assert_int_equal(desc.split_size[S3F_SPLIT_TRAIN], 300);
    assert_string_equal(desc.target_names[0], "energy");
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < 300; i++) {
        s3f_molecule m, n;
        assert_ok(f->get(a, S3F_SPLIT_TRAIN, i, &m));
        assert_ok(f->get(b, S3F_SPLIT_TRAIN, i, &n));
        assert_int_equal(m.num_nodes, n.num_nodes);
        assert_memory_equal(m.positions, n.positions, sizeof(float) * 3 * (size_t)m.num_nodes);
        check_molecule(&m);
        s3f_graph_batch *g;
        assert_ok(s3f_graph_collate(&m, NULL, 1, desc.layout, &g));
        s3f_graph_batch_destroy(g);
        sum += m.targets[0];
        sq += (double)m.targets[0] * m.targets[0];
    }
    double mean = sum / 300, std = sqrt(sq / 300 - mean * mean);
    assert_true(fabs(desc.target_mean[0] - mean) < 1e-9 * (1 + fabs(mean)));
    assert_true(fabs(desc.target_std[0] - std) < 1e-9 * (1 + std));
    assert_true(std > 0.1); /* a target worth learning */
    s3f_molecule m;
    assert_fails(f->get(a, S3F_SPLIT_VAL, 500, &m), S3F_ERR_ARG, "500");
    f->close(a);
    f->close(b);
}

static void test_seeds_and_dipole_task(void **state)
{
    unsigned char o1[256], o2[256];
    void *a = open_with("dipole", "7", o1), *b = open_with("dipole", "8", o2);
    const s3f_dataset_i *f = g_plugin->interface;
    s3f_dataset_desc desc;
    assert_ok(f->describe(a, &desc));
    assert_int_equal(desc.layout.targets, 3);
    assert_true(desc.target_mean[0] == 0 && desc.target_std[0] == desc.target_std[2]);
    int differ = 0;
    for (int64_t i = 0; i < 20; i++) {
        s3f_molecule m, n;
        assert_ok(f->get(a, S3F_SPLIT_TEST, i, &m));
        assert_ok(f->get(b, S3F_SPLIT_TEST, i, &n));
        differ += m.num_nodes != n.num_nodes || memcmp(m.positions, n.positions, 12) != 0;
        double centroid[3] = {0, 0, 0};
        for (int at = 0; at < m.num_nodes; at++)
            for (int k = 0; k < 3; k++) centroid[k] += m.positions[3 * at + k];
        for (int k = 0; k < 3; k++) assert_true(fabs(centroid[k] / m.num_nodes) < 1e-5);
    }
    assert_true(differ > 15);
    f->close(a);
    f->close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_molecules_are_plausible_and_reproducible),
        cmocka_unit_test(test_seeds_and_dipole_task),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
