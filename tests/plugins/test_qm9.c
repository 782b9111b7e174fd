/* test_qm9.c — the qm9 dataset plugin on files this test generates
 * (qm9_fixture.h), all offline:
 *   - the split of SPEC §14.5 on a file of the real size (130,831 one-atom
 *     molecules: only the arrays the split needs are big): sizes, first
 *     indices and index sums exactly as the reference's fingerprints;
 *   - molecules as §14.4 builds them (features, edges, positions, target);
 *   - the same data from stored/deflated members and i4/f4 or i8/f8 arrays;
 *   - another file size keeps the fractions; `subset` takes the front of
 *     each split;
 *   - normalisation equals a direct mean and population std over train,
 *     and NumPy's own values bit for bit (f4 and f8 files);
 *   - every malformed file and bad option fails with a message naming the
 *     member (or option) and the fault; offline with no file fails at once
 *     naming the URL and the path;
 *   - precomputed bases: the cache file is made once, named by its key, and
 *     each molecule's rows (and a collated batch's, after the edge sort)
 *     equal s3f_basis_pack of the edge vectors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qm9_fixture.h"
#include "dataset_fixture.h"
#include "test_support.h"

static dataset_fixture g_fixture;
static const s3f_plugin_descriptor *g_plugin;
static const s3f_dataset_i *g_f;
static const char *g_dir;

static int setup(void **state)
{
    if (dataset_fixture_open(&g_fixture, PLUGIN_DIR, "qm9")) return -1;
    g_plugin = g_fixture.plugin;
    g_f = g_fixture.f;
    g_dir = g_fixture.dir;
    return 0;
}

static int teardown(void **state)
{
    return dataset_fixture_close(&g_fixture);
}

static const char *path_of(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    return path;
}

static void write_file(const char *name, qm9_fixture f)
{
    assert_int_equal(qm9_fixture_write(&f, path_of(name)), 0);
}

/* Opens the plugin on g_dir with options "key=value" (NULL-terminated). */
static s3f_status open_with(void **state, const char *const *sets)
{
    void *opts = calloc(1, g_plugin->options_size);
    assert_non_null(opts);
    assert_ok(s3f_options_set_defaults(g_plugin->options, opts));
    static char values[16][256];
    for (int i = 0; sets[i]; i++) {
        const char *eq = strchr(sets[i], '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - sets[i]), sets[i]);
        snprintf(values[i], sizeof values[i], "%s", eq + 1);
        assert_ok(s3f_options_set(g_plugin->options, opts, key, values[i]));
    }
    s3f_dataset_env env = {0, g_dir, true};
    s3f_status rc = g_f->open(opts, &env, state);
    free(opts);
    return rc;
}

#define OPEN(state, ...) open_with((state), (const char *const[]){__VA_ARGS__, NULL})

static int64_t molecule_id(void *ds, s3f_dataset_split split, int64_t i)
{
    s3f_molecule m;
    assert_ok(g_f->get(ds, split, i, &m));
    return (int64_t)m.targets[0]; /* homo = k in the fixture */
}

/* ---- the reference's split ---- */

static void test_split_fingerprints(void **unused)
{
    write_file("full.npz", (qm9_fixture){.molecules = 130831, .narrow = true, .single_atom = true});
    void *ds = NULL;
    assert_ok(OPEN(&ds, "file=full.npz"));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(ds, &d));
    assert_int_equal(d.split_size[S3F_SPLIT_TRAIN], 100000);
    assert_int_equal(d.split_size[S3F_SPLIT_VAL], 17748);
    assert_int_equal(d.split_size[S3F_SPLIT_TEST], 13083);
    static const int64_t first[3][5] = {{84748, 34780, 111673, 64915, 44291},
                                        {76118, 41389, 87596, 27650, 110444},
                                        {21471, 76082, 54950, 49102, 95922}};
    static const int64_t sums[3] = {6538016211LL, 1161699431LL, 858594223LL};
    for (int s = 0; s < 3; s++) {
        for (int i = 0; i < 5; i++) assert_int_equal(molecule_id(ds, s, i), first[s][i]);
        int64_t sum = 0;
        for (int64_t i = 0; i < d.split_size[s]; i++) sum += molecule_id(ds, s, i);
        assert_int_equal(sum, sums[s]);
    }
    g_f->close(ds);
    unlink(path_of("full.npz"));
}

/* ---- molecules ---- */

static void assert_molecule(void *ds, s3f_dataset_split split, int64_t i)
{
    static const float z[5] = {1, 6, 7, 8, 9};
    s3f_molecule m;
    assert_ok(g_f->get(ds, split, i, &m));
    int64_t k = (int64_t)m.targets[0];
    int n = 2 + (int)(k % 4);
    assert_int_equal(m.num_nodes, n);
    assert_int_equal(m.num_edges, 2 * (n - 1));
    for (int a = 0; a < n; a++) {
        int el = (int)((k + a) % 5);
        for (int c = 0; c < 5; c++) assert_true(m.node_features[6 * a + c] == (c == el));
        assert_true(m.node_features[6 * a + 5] == z[el]);
        for (int c = 0; c < 3; c++)
            assert_true(fabsf(m.positions[3 * a + c] -
                              (float)(1.1 * a + 0.1 * c + 0.01 * (double)(k % 7))) < 1e-6f);
    }
    for (int e = 0; e < m.num_edges; e++) {
        int lo = m.src[e] < m.dst[e] ? m.src[e] : m.dst[e];
        assert_int_equal(abs(m.src[e] - m.dst[e]), 1);
        if (e) assert_true(m.src[e - 1] * n + m.dst[e - 1] < m.src[e] * n + m.dst[e]);
        for (int c = 0; c < 4; c++) assert_true(m.edge_features[4 * e + c] == (c == lo % 4));
    }
    assert_null(m.edge_basis);
}

static void test_molecules_and_dtypes(void **unused)
{
    write_file("wide.npz", (qm9_fixture){.molecules = 300});
    write_file("narrow.npz", (qm9_fixture){.molecules = 300, .narrow = true, .deflate = true});
    void *a = NULL, *b = NULL;
    assert_ok(OPEN(&a, "file=wide.npz"));
    assert_ok(OPEN(&b, "file=narrow.npz"));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(a, &d));
    assert_int_equal(d.layout.node_features, 6);
    assert_int_equal(d.layout.edge_features, 4);
    assert_int_equal(d.layout.targets, 1);
    assert_int_equal(d.layout.edge_basis_width, 0);
    assert_string_equal(d.target_names[0], "homo");
    assert_string_equal(d.target_units[0], "eV");
    assert_string_equal(d.source_path, path_of("wide.npz"));
    assert_int_equal(strlen(d.source_sha256), 64);
    for (int s = 0; s < 3; s++)
        for (int64_t i = 0; i < d.split_size[s]; i++) {
            assert_molecule(a, s, i);
            assert_int_equal(molecule_id(a, s, i), molecule_id(b, s, i));
        }
    g_f->close(a);
    g_f->close(b);
}

static void test_other_size_keeps_fractions_and_subset(void **unused)
{
    write_file("m500.npz", (qm9_fixture){.molecules = 500});
    void *all = NULL, *sub = NULL;
    assert_ok(OPEN(&all, "file=m500.npz"));
    assert_ok(OPEN(&sub, "file=m500.npz", "subset=100"));
    s3f_dataset_desc da, ds;
    assert_ok(g_f->describe(all, &da));
    assert_ok(g_f->describe(sub, &ds));
    assert_int_equal(da.split_size[0], 382); /* 500 x 100000 / 130831 */
    assert_int_equal(da.split_size[1], 68);
    assert_int_equal(da.split_size[2], 50); /* int(0.1 x 500) */
    assert_int_equal(ds.split_size[0], 76); /* 100 x 382 / 500 */
    assert_int_equal(ds.split_size[1], 14); /* the rest */
    assert_int_equal(ds.split_size[2], 10); /* 100 x 50 / 500 */
    for (int s = 0; s < 3; s++)
        for (int64_t i = 0; i < ds.split_size[s]; i++)
            assert_int_equal(molecule_id(sub, s, i), molecule_id(all, s, i));
    g_f->close(all);
    g_f->close(sub);
}

static void test_normalisation_is_train_mean_and_population_std(void **unused)
{
    write_file("stats.npz", (qm9_fixture){.molecules = 400, .deflate = true});
    void *homo = NULL, *mu = NULL;
    assert_ok(OPEN(&homo, "file=stats.npz"));
    assert_ok(OPEN(&mu, "file=stats.npz", "task=Cv"));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(mu, &d));
    assert_string_equal(d.target_units[0], "cal/(mol K)");
    int64_t n = d.split_size[S3F_SPLIT_TRAIN];
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) sum += qm9_fixture_target(molecule_id(homo, 0, i), 11);
    double mean = sum / (double)n;
    for (int64_t i = 0; i < n; i++) {
        double v = qm9_fixture_target(molecule_id(homo, 0, i), 11) - mean;
        sq += v * v;
    }
    assert_true(fabs(d.target_mean[0] - mean) < 1e-12);
    assert_true(fabs(d.target_std[0] - sqrt(sq / (double)n)) < 1e-12);
    s3f_molecule m;
    assert_ok(g_f->get(mu, 0, 3, &m));
    assert_true(m.targets[0] == (float)qm9_fixture_target(molecule_id(homo, 0, 3), 11));
    g_f->close(homo);
    g_f->close(mu);
}

/* NumPy's own values (qm9_stats_golden.py): pairwise sums in the file's
 * dtype, so an f4 file's statistics are f32 numbers, bit for bit. */
static void test_normalisation_matches_numpy_bitwise(void **unused)
{
    static const struct {
        bool narrow;
        const char *task;
        double mean, std;
    } cases[] = {
        {true, "homo", 0x1.9394900000000p+7, 0x1.c8ad420000000p+6},
        {true, "Cv", -0x1.77059c0000000p+1, 0x1.1171160000000p+3},
        {false, "homo", 0x1.9394905e01adcp+7, 0x1.c8ad418686d6bp+6},
        {false, "Cv", -0x1.77059d35d963ep+1, 0x1.117115cf2671fp+3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file("golden.npz", (qm9_fixture){.molecules = 400, .narrow = cases[i].narrow});
        char task[32];
        snprintf(task, sizeof task, "task=%s", cases[i].task);
        void *ds = NULL;
        assert_ok(OPEN(&ds, "file=golden.npz", task));
        s3f_dataset_desc d;
        assert_ok(g_f->describe(ds, &d));
        assert_true(d.target_mean[0] == cases[i].mean);
        assert_true(d.target_std[0] == cases[i].std);
        g_f->close(ds);
    }
}

/* ---- malformed files and options ---- */

static void expect_fault(qm9_fault fault, s3f_status code, const char *a, const char *b)
{
    write_file("bad.npz", (qm9_fixture){.molecules = 40, .fault = fault});
    void *ds = NULL;
    assert_fails(OPEN(&ds, "file=bad.npz"), code, a, b);
    assert_null(ds);
}

static void test_malformed_files(void **unused)
{
    expect_fault(QM9_FAULT_DTYPE, S3F_ERR_FORMAT, "member 'src'", "dtype f64; expected an integer");
    expect_fault(QM9_FAULT_FORTRAN, S3F_ERR_FORMAT, "node_pos", "fortran_order is True");
    expect_fault(QM9_FAULT_SUMS, S3F_ERR_FORMAT, "member 'node_pos'", "the sum of n_node");
    expect_fault(QM9_FAULT_SRC_RANGE, S3F_ERR_FORMAT, "member 'dst'", "(molecule 1)");
    expect_fault(QM9_FAULT_HEADER, S3F_ERR_FORMAT, "targets", "bad.npz");
    expect_fault(QM9_FAULT_DIRECTORY, S3F_ERR_FORMAT, "central directory", "bad.npz");
    expect_fault(QM9_FAULT_HUGE, S3F_ERR_FORMAT, "node_pos", "bad.npz");
    expect_fault(QM9_FAULT_CRC, S3F_ERR_FORMAT, "edge_attr", "CRC-32 mismatch");
    expect_fault(QM9_FAULT_TRUNCATED, S3F_ERR_FORMAT, "npz", "delete it and the next run");
    expect_fault(QM9_FAULT_MISSING, S3F_ERR_FORMAT, "member 'targets'", "missing");
}

static void test_bad_options(void **unused)
{
    write_file("ok.npz", (qm9_fixture){.molecules = 30});
    void *ds = NULL;
    void *opts = calloc(1, g_plugin->options_size);
    assert_fails(s3f_options_set(g_plugin->options, opts, "task", "energy"), S3F_ERR_ARG, "energy",
                 "U0_atom");
    free(opts);
    assert_fails(OPEN(&ds, "file=ok.npz",
                      "sha256="
                      "0000000000000000000000000000000000000000000000000000000000000000"),
                 S3F_ERR_FORMAT, "pins 0000", "ok.npz");
    assert_null(ds);
}

static void test_offline_without_file_fails_at_once(void **unused)
{
    setenv("SE3FLOW_OFFLINE", "1", 1);
    void *ds = NULL;
    time_t start = time(NULL);
    assert_fails(OPEN(&ds, "file=absent.npz", "url=https://example.invalid/qm9_edge.npz"),
                 S3F_ERR_IO, "https://example.invalid/qm9_edge.npz", path_of("absent.npz"));
    assert_true(time(NULL) - start <= 1);
    unsetenv("SE3FLOW_OFFLINE");
}

/* ---- precomputed bases ---- */

/* s3f_basis_pack of molecule m's edge vectors pos[dst] - pos[src]. */
static s3f_tensor *packed_rows(const s3f_molecule *m, int degree)
{
    s3f_tensor *v = NULL, *rows = NULL;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(m->num_edges, 3), &v));
    assert_ok(
        s3f_tensor_create(S3F_F32, S3F_SHAPE(m->num_edges, s3f_basis_packed_width(degree)), &rows));
    for (int e = 0; e < m->num_edges; e++)
        for (int c = 0; c < 3; c++)
            ((float *)v->data)[3 * e + c] =
                m->positions[3 * m->dst[e] + c] - m->positions[3 * m->src[e] + c];
    assert_ok(s3f_basis_pack(v, degree, rows));
    s3f_tensor_destroy(v);
    return rows;
}

static void test_precomputed_bases(void **unused)
{
    write_file("bases.npz", (qm9_fixture){.molecules = 60});
    void *ds = NULL;
    assert_ok(OPEN(&ds, "file=bases.npz", "precompute_bases=true", "basis_max_degree=1"));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(ds, &d));
    int w = (int)s3f_basis_packed_width(1);
    assert_int_equal(d.layout.edge_basis_width, w);
    char cache[512];
    snprintf(cache, sizeof cache, "%s/qm9_bases_d1_f32_unpadded_%s.bin", g_dir, d.source_sha256);
    struct stat st1, st2;
    assert_int_equal(stat(cache, &st1), 0);
    s3f_molecule m[2];
    for (int i = 0; i < 2; i++) {
        assert_ok(g_f->get(ds, S3F_SPLIT_TRAIN, i, &m[i]));
        s3f_tensor *want = packed_rows(&m[i], 1);
        assert_memory_equal(m[i].edge_basis, want->data,
                            sizeof(float) * (size_t)(m[i].num_edges * w));
        s3f_tensor_destroy(want);
    }
    s3f_graph_batch *g = NULL;
    assert_ok(s3f_graph_collate(m, NULL, 2, d.layout, &g));
    s3f_tensor *want = NULL;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(g->num_edges, w), &want));
    assert_ok(s3f_basis_pack(g->rel_pos, 1, want));
    ts_assert_bitwise_equal(g->edge_basis, want);
    s3f_tensor_destroy(want);
    s3f_graph_batch_destroy(g);
    g_f->close(ds);
    ds = NULL;
    assert_ok(OPEN(&ds, "file=bases.npz", "precompute_bases=true", "basis_max_degree=1"));
    assert_int_equal(stat(cache, &st2), 0);
    assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
                st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
    g_f->close(ds);
}

/* A full disk while the cache is written: a clear error and nothing left in
 * data_dir but the data file and the empty lock file (no cache, no temporary file). */
static void test_bases_cache_write_failure_leaves_nothing(void **unused)
{
    char dir[96], cmd[256];
    snprintf(dir, sizeof dir, "%s/full_disk", g_dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(qm9_fixture_write(&(qm9_fixture){.molecules = 30}, path_of("full_disk/q.npz")),
                     0);
    void *opts = calloc(1, g_plugin->options_size);
    assert_ok(s3f_options_set_defaults(g_plugin->options, opts));
    assert_ok(s3f_options_set(g_plugin->options, opts, "file", "q.npz"));
    assert_ok(s3f_options_set(g_plugin->options, opts, "precompute_bases", "true"));
    s3f_dataset_env env = {0, dir, true};
    void *ds = NULL;
    s3f_fault_fail_write_at(2);
    assert_fails(g_f->open(opts, &env, &ds), S3F_ERR_IO, "full_disk");
    s3f_fault_fail_write_at(0);
    assert_null(ds);
    snprintf(cmd, sizeof cmd, "test \"$(ls -A %s | grep -v '[.]bin[.]lock$')\" = q.npz", dir);
    assert_int_equal(system(cmd), 0);
    free(opts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_fingerprints),
        cmocka_unit_test(test_molecules_and_dtypes),
        cmocka_unit_test(test_other_size_keeps_fractions_and_subset),
        cmocka_unit_test(test_normalisation_is_train_mean_and_population_std),
        cmocka_unit_test(test_normalisation_matches_numpy_bitwise),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_offline_without_file_fails_at_once),
        cmocka_unit_test(test_precomputed_bases),
        cmocka_unit_test(test_bases_cache_write_failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
