/* test_xyz.c — the xyz dataset plugin: a round trip of files the test writes
 * (five frames in two files, extra per-atom columns in varying order, quoted
 * comment values): positions, one-hot + Z features, bonds by both rules,
 * targets, the splits partition the molecules, the shuffle is reproducible,
 * and the normalisation equals a direct computation; the elements, target
 * and unit options. Each malformed file (a NUL byte included) fails with
 * S3F_ERR_FORMAT naming the file, the frame and the line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_fixture.h"
#include "test_support.h"

static dataset_fixture g_fixture;
static const s3f_plugin_descriptor *g_plugin;
static const s3f_dataset_i *g_f;
static const char *g_dir;

static int setup(void **state)
{
    if (dataset_fixture_open(&g_fixture, PLUGIN_DIR, "xyz")) return -1;
    g_plugin = g_fixture.plugin;
    g_f = g_fixture.f;
    g_dir = g_fixture.dir;
    return 0;
}

static int teardown(void **state)
{
    return dataset_fixture_close(&g_fixture);
}

/* ---- the round trip ------------------------------------------------------ */

typedef struct frame {
    int n;
    const char *symbol[5];
    double pos[5][3];
    double energy;
} frame;

/* Water; methane; HF with a far-away N; O2; CO. Energies all distinct. */
static const frame k_frames[5] = {
    {3, {"O", "H", "H"}, {{0, 0, 0}, {0.96, 0, 0}, {-0.24, 0.93, 0}}, -12.5},
    {5,
     {"C", "H", "H", "H", "H"},
     {{0, 0, 0}, {1.09, 0, 0}, {-0.36, 1.03, 0}, {-0.36, -0.51, 0.89}, {-0.36, -0.51, -0.89}},
     -24.0},
    {3, {"H", "F", "N"}, {{0, 0, 0}, {0.92, 0, 0}, {5.5, 0, 0}}, 3.25},
    {2, {"O", "O"}, {{0, 0, 0}, {1.21, 0, 0}}, -1.0},
    {2, {"C", "O"}, {{0, 0, 0}, {1.13, 0, 0}}, 7.5},
};
static const char *const k_symbols[] = {"H", "C", "N", "O", "F"};
static const double k_radius[] = {0.31, 0.76, 0.71, 0.66, 0.57};

static int element_of(const char *symbol)
{
    for (int k = 0; k < 5; k++)
        if (!strcmp(k_symbols[k], symbol)) return k;
    return -1;
}

/* Frame i in one of three column layouts (extra columns before and after
 * pos, quoted values with spaces and '=' inside). */
static void write_frame(FILE *fp, int i)
{
    const frame *f = &k_frames[i];
    fprintf(fp, "%d\n", f->n);
    if (i % 3 == 0)
        fprintf(fp,
                "Lattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3:forces:R:3 "
                "energy=%.4f comment=\"a note, with = and spaces\" pbc=\"F F F\"\n",
                f->energy);
    else if (i % 3 == 1)
        fprintf(fp, "energy=%.4f Properties=species:S:1:charges:R:1:pos:R:3 flag\n", f->energy);
    else
        fprintf(fp, "name=\"x y\" Properties=id:I:1:species:S:1:pos:R:3:Z:I:1 energy=%.4f\n",
                f->energy);
    for (int a = 0; a < f->n; a++) {
        const double *p = f->pos[a];
        if (i % 3 == 0)
            fprintf(fp, "%-2s %12.4f %12.4f %12.4f %10.5f %10.5f %10.5f\n", f->symbol[a], p[0],
                    p[1], p[2], 0.1, -0.2, 0.3);
        else if (i % 3 == 1)
            fprintf(fp, "%s\t-0.25\t%.4f\t%.4f\t%.4f\n", f->symbol[a], p[0], p[1], p[2]);
        else
            fprintf(fp, "%d %s %.4f %.4f %.4f 7\n", a, f->symbol[a], p[0], p[1], p[2]);
    }
}

static void write_files(char *a, char *b)
{
    sprintf(a, "%s/a.xyz", g_dir);
    sprintf(b, "%s/b.xyz", g_dir);
    FILE *fa = fopen(a, "w"), *fb = fopen(b, "w");
    assert_non_null(fa);
    assert_non_null(fb);
    for (int i = 0; i < 3; i++) write_frame(fa, i);
    for (int i = 3; i < 5; i++) write_frame(fb, i);
    fprintf(fb, "\n"); /* a trailing blank line is allowed */
    fclose(fa);
    fclose(fb);
}

/* Opens the plugin with defaults and the given name/value pairs
 * (NULL-terminated). Returns the status of open. */
static s3f_status open_with(unsigned char *options, void **state, ...)
{
    memset(options, 0, 256);
    assert_true(g_plugin->options_size <= 256);
    assert_ok(s3f_options_set_defaults(g_plugin->options, options));
    va_list ap;
    va_start(ap, state);
    for (const char *name; (name = va_arg(ap, const char *));)
        assert_ok(s3f_options_set(g_plugin->options, options, name, va_arg(ap, const char *)));
    va_end(ap);
    s3f_dataset_env env = {.seed = 1, .data_dir = "/tmp", .quiet = true};
    return g_f->open(options, &env, state);
}

static bool expect_bond(const frame *f, int a, int b, double cutoff)
{
    double d2 = 0;
    for (int k = 0; k < 3; k++) d2 += pow(f->pos[a][k] - f->pos[b][k], 2);
    double r =
        cutoff > 0
            ? cutoff
            : 1.2 * (k_radius[element_of(f->symbol[a])] + k_radius[element_of(f->symbol[b])]);
    return d2 < r * r;
}

/* m must be frame f: positions, features, and exactly the expected edges in
 * (src, dst) order. Returns the number of bonds (edges / 2). */
static int check_molecule(const s3f_molecule *m, const frame *f, double cutoff)
{
    assert_int_equal(m->num_nodes, f->n);
    for (int a = 0; a < f->n; a++) {
        for (int k = 0; k < 3; k++)
            assert_true(fabsf(m->positions[3 * a + k] - (float)f->pos[a][k]) < 1e-6f);
        int e = element_of(f->symbol[a]);
        for (int k = 0; k < 5; k++) assert_true(m->node_features[6 * a + k] == (k == e));
        const float z[] = {1, 6, 7, 8, 9};
        assert_true(m->node_features[6 * a + 5] == z[e]);
    }
    int e = 0;
    for (int a = 0; a < f->n; a++)
        for (int b = 0; b < f->n; b++)
            if (a != b && expect_bond(f, a, b, cutoff)) {
                assert_true(e < m->num_edges);
                assert_int_equal(m->src[e], a);
                assert_int_equal(m->dst[e], b);
                assert_true(m->edge_features[e] == 1);
                e++;
            }
    assert_int_equal(e, m->num_edges);
    return e / 2;
}

/* Every molecule of every split, matched to its frame by the target;
 * returns the frame of each (train, val, test) position in order[]. */
static void check_dataset(void *ds, double cutoff, int *order, int *bonds)
{
    s3f_dataset_desc d;
    assert_ok(g_f->describe(ds, &d));
    assert_int_equal(d.layout.node_features, 6);
    assert_int_equal(d.layout.edge_features, 1);
    assert_int_equal(d.layout.targets, 1);
    assert_string_equal(d.target_names[0], "energy");
    assert_string_equal(d.target_units[0], "eV");
    assert_int_equal(d.split_size[S3F_SPLIT_TRAIN], 3);
    assert_int_equal(d.split_size[S3F_SPLIT_VAL], 1);
    assert_int_equal(d.split_size[S3F_SPLIT_TEST], 1);
    int seen[5] = {0}, at = 0;
    double train[3];
    *bonds = 0;
    for (int split = 0; split < S3F_SPLIT_COUNT; split++)
        for (int64_t i = 0; i < d.split_size[split]; i++) {
            s3f_molecule m;
            assert_ok(g_f->get(ds, (s3f_dataset_split)split, i, &m));
            int which = -1;
            for (int k = 0; k < 5; k++)
                if (m.targets[0] == (float)k_frames[k].energy) which = k;
            assert_true(which >= 0);
            seen[which]++;
            *bonds += check_molecule(&m, &k_frames[which], cutoff);
            if (split == S3F_SPLIT_TRAIN) train[i] = m.targets[0];
            order[at++] = which;
            s3f_graph_batch *g;
            assert_ok(s3f_graph_collate(&m, NULL, 1, d.layout, &g));
            s3f_graph_batch_destroy(g);
        }
    for (int k = 0; k < 5; k++) assert_int_equal(seen[k], 1); /* the splits partition */
    double mean = (train[0] + train[1] + train[2]) / 3, var = 0;
    for (int k = 0; k < 3; k++) var += (train[k] - mean) * (train[k] - mean) / 3;
    assert_true(fabs(d.target_mean[0] - mean) < 1e-12 * (1 + fabs(mean)));
    assert_true(fabs(d.target_std[0] - sqrt(var)) < 1e-12 * (1 + sqrt(var)));
    s3f_molecule m;
    assert_fails(g_f->get(ds, S3F_SPLIT_VAL, 1, &m), S3F_ERR_ARG, "split 1");
}

static void test_round_trip(void **state)
{
    char a[128], b[128];
    write_files(a, b);
    unsigned char o1[256], o2[256], o3[256], o4[256];
    void *d1, *d2, *d3, *d4;
    assert_ok(open_with(o1, &d1, "path", a, "files", b, "train_fraction", "0.6", "val_fraction",
                        "0.2", "seed", "11", NULL));
    char list[300];
    snprintf(list, sizeof list, "%s, %s", a, b);
    assert_ok(open_with(o2, &d2, "files", list, "train_fraction", "0.6", "val_fraction", "0.2",
                        "seed", "11", NULL));
    int order1[5], order2[5], bonds;
    check_dataset(d1, 0, order1, &bonds);
    assert_int_equal(bonds, 2 + 4 + 1 + 1 + 1); /* O-H x2, C-H x4, H-F, O=O, C=O */
    check_dataset(d2, 0, order2, &bonds);
    assert_memory_equal(order1, order2, sizeof order1); /* same seed, same split */
    /* Some other seed moves something (5! orders, so a handful of seeds). */
    bool moved = false;
    for (int seed = 12; seed < 20 && !moved; seed++) {
        char text[8];
        snprintf(text, sizeof text, "%d", seed);
        assert_ok(open_with(o3, &d3, "files", list, "train_fraction", "0.6", "val_fraction", "0.2",
                            "seed", text, NULL));
        int order3[5];
        check_dataset(d3, 0, order3, &bonds);
        moved = memcmp(order1, order3, sizeof order1) != 0;
        g_f->close(d3);
    }
    assert_true(moved);
    /* Cutoff bonds: 1.0 Å keeps O-H and H-F only. */
    assert_ok(open_with(o4, &d4, "files", list, "train_fraction", "0.6", "val_fraction", "0.2",
                        "bonds", "cutoff", "cutoff", "1.0", NULL));
    check_dataset(d4, 1.0, order2, &bonds);
    assert_int_equal(bonds, 3);
    g_f->close(d1);
    g_f->close(d2);
    g_f->close(d4);
}

/* ---- malformed files ----------------------------------------------------- */

/* A good first frame (lines 1-3), so the fault sits in frame 2 at line 4+. */
#define GOOD_FRAME "1\nProperties=species:S:1:pos:R:3 energy=1.0\nH 0 0 0\n"
#define PROPS      "Properties=species:S:1:pos:R:3"

static void expect_format_error(const char *text, const char *frame_line, const char *what)
{
    char path[128];
    sprintf(path, "%s/bad.xyz", g_dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    unsigned char options[256];
    void *ds = NULL;
    assert_fails(open_with(options, &ds, "path", path, NULL), S3F_ERR_FORMAT, path, frame_line,
                 what);
    assert_null(ds);
}

static void test_malformed_files_name_frame_and_line(void **state)
{
    expect_format_error(GOOD_FRAME "3\n" PROPS " energy=2\nH 0 0 0\nH 1 0 0\n", "frame 2, line 7",
                        "declares 3 atoms but the file ends after 2");
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=2\nH 0 0 0\nH 1 0 0\n", "frame 3, line 7",
                        "more atoms than its count");
    expect_format_error("x\n", "frame 1, line 1", "expected an atom count");
    expect_format_error(GOOD_FRAME "1\nenergy=2 pbc=\"F F F\"\nH 0 0 0\n", "frame 2, line 5",
                        "no Properties=");
    expect_format_error(GOOD_FRAME "1\nProperties=species:S:1 energy=2\nH 0 0 0\n",
                        "frame 2, line 5", "pos:R:3");
    expect_format_error(GOOD_FRAME "2\n" PROPS " energy=2\nH 0 0 0\nCl 1 0 0\n", "frame 2, line 7",
                        "species 'Cl' is not in elements");
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=2\nH 0 0.5x 0\n", "frame 2, line 6",
                        "'0.5x' is not a number");
    /* found by fuzz_xyz: a finite double beyond float range became inf */
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=2\nH 0 1e39 0\n", "frame 2, line 6",
                        "column 3 '1e39' is out of range");
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=-4e38\nH 0 0 0\n", "frame 2, line 5",
                        "target energy='-4e38' is out of range");
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=-1.2.3\nH 0 0 0\n", "frame 2, line 5",
                        "is not a number");
    expect_format_error(GOOD_FRAME "1\n" PROPS " free_energy=2\nH 0 0 0\n", "frame 2, line 5",
                        "no target key 'energy'");
    expect_format_error(GOOD_FRAME "1\n" PROPS ":forces:R:3 energy=2\nH 0 0 0 1 1\n",
                        "frame 2, line 6", "6 columns, Properties declares 7");
    expect_format_error(GOOD_FRAME "1\n" PROPS " energy=2 note=\"open\nH 0 0 0\n",
                        "frame 2, line 5", "unclosed quote");
    expect_format_error(GOOD_FRAME "1\n" PROPS ":f:R:998 energy=2\nH 0 0 0\n", "frame 2, line 5",
                        "more than 1000 columns");
}

/* A NUL byte would end the text early and drop the frames after it. */
static void test_nul_byte_is_an_error(void **state)
{
    static const char text[] = GOOD_FRAME "1\n" PROPS " energy=2\nH 0\0 0 0\n" GOOD_FRAME;
    char path[128];
    sprintf(path, "%s/nul.xyz", g_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, sizeof text - 1, fp), sizeof text - 1);
    fclose(fp);
    unsigned char options[256];
    void *ds = NULL;
    assert_fails(open_with(options, &ds, "path", path, NULL), S3F_ERR_FORMAT, path, "line 6",
                 "NUL byte");
    assert_null(ds);
}

/* elements, target and unit are honoured: S,O,H gives 3 one-hot columns
 * in that order plus Z; the target is read from U0, not energy, and
 * reported with the given unit; the default fractions cut 10 molecules
 * 8/1/1. */
static void test_elements_target_and_unit_options(void **state)
{
    char path[128];
    sprintf(path, "%s/h2s.xyz", g_dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 10; i++)
        fprintf(fp, "3\nenergy=99 U0=%d " PROPS "\nH 0 0 0\nS 1.34 0 0\nO 5 5 5\n", -i);
    fclose(fp);
    unsigned char options[256];
    void *ds;
    assert_ok(open_with(options, &ds, "path", path, "elements", "S,O,H", "target", "U0", "unit",
                        "kcal/mol", NULL));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(ds, &d));
    assert_int_equal(d.layout.node_features, 4);
    assert_string_equal(d.target_names[0], "U0");
    assert_string_equal(d.target_units[0], "kcal/mol");
    assert_int_equal(d.split_size[S3F_SPLIT_TRAIN], 8);
    assert_int_equal(d.split_size[S3F_SPLIT_VAL], 1);
    assert_int_equal(d.split_size[S3F_SPLIT_TEST], 1);
    s3f_molecule m;
    assert_ok(g_f->get(ds, S3F_SPLIT_TEST, 0, &m));
    const float features[3][4] = {{0, 0, 1, 1}, {1, 0, 0, 16}, {0, 1, 0, 8}}; /* H, S, O */
    assert_memory_equal(m.node_features, features, sizeof features);
    assert_true(m.targets[0] <= 0 && m.targets[0] >= -9 && m.targets[0] == floorf(m.targets[0]));
    assert_int_equal(m.num_edges, 2); /* H-S (1.34 < 1.2 x 1.36); O is far away */
    g_f->close(ds);
    ds = NULL;
    assert_fails(open_with(options, &ds, "path", path, "elements", "S,H", NULL), S3F_ERR_FORMAT,
                 "frame 1, line 5", "species 'O' is not in elements (2 given)");
    assert_fails(open_with(options, &ds, "path", path, "target", "U", NULL), S3F_ERR_FORMAT,
                 "frame 1, line 2", "no target key 'U'");
}

/* Windows line ends and a blank line between frames still read. */
static void test_crlf_and_blank_lines(void **state)
{
    char path[128];
    sprintf(path, "%s/crlf.xyz", g_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("2\r\n" PROPS " energy=0.5\r\nH 0 0 0\r\nH 0.74 0 0\r\n\r\n"
          "1\r\n" PROPS " energy=1.5\r\nH 0 0 0\r\n",
          fp);
    fclose(fp);
    unsigned char options[256];
    void *ds;
    assert_ok(
        open_with(options, &ds, "path", path, "train_fraction", "1", "val_fraction", "0", NULL));
    s3f_dataset_desc d;
    assert_ok(g_f->describe(ds, &d));
    assert_int_equal(d.split_size[S3F_SPLIT_TRAIN], 2);
    double sum = 0;
    for (int i = 0; i < 2; i++) {
        s3f_molecule m;
        assert_ok(g_f->get(ds, S3F_SPLIT_TRAIN, i, &m));
        assert_int_equal(m.num_edges, m.num_nodes == 2 ? 2 : 0); /* H2 bonded both ways */
        sum += m.targets[0];
    }
    assert_true(sum == 2.0 && d.target_mean[0] == 1.0 && d.target_std[0] == 0.5);
    g_f->close(ds);
}

static void test_bad_options(void **state)
{
    unsigned char options[256];
    void *ds = NULL;
    char missing[128];
    sprintf(missing, "%s/none.xyz", g_dir);
    assert_fails(open_with(options, &ds, "path", missing, NULL), S3F_ERR_IO, missing);
    assert_fails(open_with(options, &ds, NULL), S3F_ERR_ARG, "path", "files");
    assert_fails(open_with(options, &ds, "path", missing, "elements", "H,Qq", NULL), S3F_ERR_ARG,
                 "Qq");
    char a[128], b[128];
    write_files(a, b);
    assert_fails(open_with(options, &ds, "path", a, "train_fraction", "0.95", NULL), S3F_ERR_ARG,
                 "exceed 1");
    assert_null(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed_files_name_frame_and_line),
        cmocka_unit_test(test_nul_byte_is_an_error),
        cmocka_unit_test(test_elements_target_and_unit_options),
        cmocka_unit_test(test_crlf_and_blank_lines),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
