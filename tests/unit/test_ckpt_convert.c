/* test_ckpt_convert.c — `se3flow ckpt convert` (cli/ckpt_convert.c) on a
 * small synthetic se3_transformer checkpoint in the FULL layout made here:
 * num_degrees 2 (degrees 0, 1), 2 input channels, 3 output channels, radial
 * width 4. Every converted row is checked against the row the SPEC §12.6
 * formulas name, computed here independently by enumerating the J of each
 * degree pair; the pairwise (0,0) rows carry 1/sqrt(4 pi); hidden layers
 * and other parameters are copied; optimizer state is dropped; the recipe's
 * fuse_level follows; the reverse directions are refused with the reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt_convert.h"
#include "test_support.h"

#define MAX_DEGREE 1
#define C_IN       2
#define C_OUT      3 /* hidden convolution */
#define C_FINAL    5 /* final convolution (PARTIAL, d_out 0 only) */
#define WIDTH      4
#define KV         "transformer.graph_modules.2.to_key_value"
#define FINAL      "transformer.graph_modules.4"
#define RADIAL     ".radial_func.net."

static const char *const k_hidden[] = {"0.weight", "0.bias", "1.weight", "1.bias",
                                       "3.weight", "3.bias", "4.weight", "4.bias"};

static const char k_recipe[] = "seed: 1\n"
                               "model:\n  name: se3_transformer\n  num_degrees: 2\n"
                               "  num_channels: 2\n  use_layer_norm: true\n  fuse_level: auto\n";

/* ---- the formulas, written out per J ---- */

static int freqs(int a, int b)
{
    return 2 * (a < b ? a : b) + 1;
}

/* The FULL frequency index of (d_in, d_out, J): all (d_in', d_out') blocks
 * before it in d_out-major order, then J's position in its block. */
static int full_index(int d_in, int d_out, int J)
{
    int f = 0;
    for (int b = 0; b <= MAX_DEGREE; b++)
        for (int a = 0; a <= MAX_DEGREE; a++)
            for (int j = abs(a - b); j <= a + b; j++, f++)
                if (a == d_in && b == d_out && j == J) return f;
    return -1;
}

static int partial_index(int d_in, int d_out, int J)
{
    int f = 0;
    for (int a = 0; a <= MAX_DEGREE; a++)
        for (int j = abs(a - d_out); j <= a + d_out; j++, f++)
            if (a == d_in && j == J) return f;
    return -1;
}

/* ---- the input checkpoint ---- */

static void add_radial(s3f_params_t *p, const char *prefix, int64_t last_rows)
{
    char name[256];
    for (size_t k = 0; k < sizeof k_hidden / sizeof *k_hidden; k++) {
        snprintf(name, sizeof name, "%s" RADIAL "%s", prefix, k_hidden[k]);
        bool matrix = !strcmp(k_hidden[k], "0.weight") || !strcmp(k_hidden[k], "3.weight");
        s3f_shape shape = matrix ? (s3f_shape){2, {WIDTH, k_hidden[k][0] == '0' ? 5 : WIDTH}}
                                 : (s3f_shape){1, {WIDTH}};
        assert_ok(s3f_params_add(p, name, shape, NULL));
    }
    snprintf(name, sizeof name, "%s" RADIAL "6.weight", prefix);
    assert_ok(s3f_params_add(p, name, (s3f_shape){2, {last_rows, WIDTH}}, NULL));
}

static void write_full(const char *path, const char *recipe)
{
    s3f_params_t *p = NULL;
    assert_ok(s3f_params_create(S3F_F32, &p));
    add_radial(p, KV ".conv", C_OUT * C_IN * 6); /* F = 1+1 + 1+3 */
    add_radial(p, FINAL ".conv_out.0", C_FINAL * C_IN * 2);
    assert_ok(s3f_params_add(p, "mlp.0.weight", (s3f_shape){2, {2, 3}}, NULL));
    assert_ok(s3f_params_finalize(p));
    s3f_tensor *values = s3f_params_values(p);
    for (int64_t i = 0; i < s3f_tensor_numel(values); i++)
        s3f_tensor_set(values, i, 0.25 * (double)i - 7.0);
    s3f_tensor *moment = ts_random(S3F_F32, (s3f_shape){2, {2, 3}}, 3, -1, 1, false);
    const char *names[] = {"exp_avg.mlp.0.weight"};
    s3f_checkpoint_state state = {1, names, &moment};
    s3f_checkpoint_meta meta = {.recipe_yaml = recipe, .best_metric = NAN, .metric = NAN};
    assert_ok(s3f_checkpoint_save(path, p, &state, &meta));
    s3f_tensor_destroy(moment);
    s3f_params_destroy(p);
}

/* ---- reading the output ---- */

static s3f_tensor *read_tensor(const s3f_safetensors_t *f, const char *name)
{
    const s3f_safetensors_entry *e = s3f_safetensors_find(f, name);
    if (!e) fail_msg("the converted file lacks %s", name);
    s3f_tensor *t = NULL;
    assert_ok(s3f_tensor_create(S3F_F64, e->shape, &t));
    assert_ok(s3f_safetensors_read(f, name, t));
    return t;
}

/* dst's row (o, i, f_dst) equals scale x src's row (o, i, f_src). */
static void assert_row(const s3f_tensor *dst, int64_t f_dst_count, int64_t f_dst,
                       const s3f_tensor *src, int64_t f_src_count, int64_t f_src, double scale,
                       int64_t c_out)
{
    for (int64_t o = 0; o < c_out; o++)
        for (int64_t i = 0; i < C_IN; i++)
            for (int64_t k = 0; k < WIDTH; k++) {
                int64_t a = ((o * C_IN + i) * f_dst_count + f_dst) * WIDTH + k;
                int64_t b = ((o * C_IN + i) * f_src_count + f_src) * WIDTH + k;
                double want = (double)(float)(scale * s3f_tensor_get(src, b));
                assert_float_equal(s3f_tensor_get(dst, a), want, 0);
            }
}

static void assert_hidden_copied(const s3f_safetensors_t *in, const char *from,
                                 const s3f_safetensors_t *out, const char *to)
{
    char a[256], b[256];
    for (size_t k = 0; k < sizeof k_hidden / sizeof *k_hidden; k++) {
        snprintf(a, sizeof a, "%s" RADIAL "%s", from, k_hidden[k]);
        snprintf(b, sizeof b, "%s" RADIAL "%s", to, k_hidden[k]);
        s3f_tensor *x = read_tensor(in, a), *y = read_tensor(out, b);
        ts_assert_bitwise_equal(x, y);
        s3f_tensor_destroy(x);
        s3f_tensor_destroy(y);
    }
}

typedef struct files {
    char dir[64], full[96], partial[96], none[96], none2[96];
} files;

static int setup(void **state)
{
    files *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/s3f_convert_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->full, sizeof f->full, "%s/full.safetensors", f->dir);
    snprintf(f->partial, sizeof f->partial, "%s/partial.safetensors", f->dir);
    snprintf(f->none, sizeof f->none, "%s/none.safetensors", f->dir);
    snprintf(f->none2, sizeof f->none2, "%s/none2.safetensors", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    files *f = *state;
    unlink(f->full), unlink(f->partial), unlink(f->none), unlink(f->none2);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_formula_sample(void **state)
{
    (void)state;
    /* max degree 1: FULL blocks (0,0) (1,0) | (0,1) (1,1)x3 -> pair (1,1) J=2 is the last */
    assert_int_equal(full_index(1, 1, 2), 5);
    assert_int_equal(full_index(0, 1, 1), 2);
    assert_int_equal(partial_index(1, 1, 0), 1);
}

static void test_full_to_partial(void **state)
{
    files *f = *state;
    write_full(f->full, k_recipe);
    assert_ok(ckpt_convert_file(f->full, f->partial, "partial"));
    s3f_safetensors_t *in = NULL, *out = NULL;
    assert_ok(s3f_safetensors_open(f->full, &in));
    assert_ok(s3f_safetensors_open(f->partial, &out));
    s3f_tensor *src = read_tensor(in, KV ".conv" RADIAL "6.weight");
    for (int b = 0; b <= MAX_DEGREE; b++) {
        char prefix[128], name[160];
        snprintf(prefix, sizeof prefix, KV ".conv_out.%d", b);
        snprintf(name, sizeof name, "%s" RADIAL "6.weight", prefix);
        s3f_tensor *dst = read_tensor(out, name);
        int fp = b == 0 ? 2 : 4;
        assert_int_equal(dst->shape.d[0], C_OUT * C_IN * fp);
        for (int a = 0; a <= MAX_DEGREE; a++)
            for (int J = abs(a - b); J <= a + b; J++)
                assert_row(dst, fp, partial_index(a, b, J), src, 6, full_index(a, b, J), 1.0,
                           C_OUT);
        assert_hidden_copied(in, KV ".conv", out, prefix);
        s3f_tensor_destroy(dst);
    }
    assert_null(s3f_safetensors_find(out, KV ".conv" RADIAL "6.weight"));
    assert_non_null(s3f_safetensors_find(out, FINAL ".conv_out.0" RADIAL "6.weight"));
    assert_non_null(s3f_safetensors_find(out, "mlp.0.weight"));
    assert_null(s3f_safetensors_find(out, "optimizer.exp_avg.mlp.0.weight"));
    s3f_checkpoint_meta meta;
    assert_ok(s3f_checkpoint_read_meta(out, &meta));
    assert_non_null(strstr(meta.recipe_yaml, "fuse_level: partial"));
    s3f_tensor_destroy(src);
    s3f_safetensors_close(in);
    s3f_safetensors_close(out);
}

/* Pair (a, b) of a fused source with `fused(a, b, J)` giving its index. */
static void assert_pairs(const s3f_safetensors_t *in, const char *src_name, int f_src,
                         int (*fused)(int, int, int), const s3f_safetensors_t *out,
                         const char *prefix, int only_b, int64_t c_out)
{
    s3f_tensor *src = read_tensor(in, src_name);
    for (int b = 0; b <= MAX_DEGREE; b++) {
        if (only_b >= 0 && b != only_b) continue;
        for (int a = 0; a <= MAX_DEGREE; a++) {
            char name[160];
            snprintf(name, sizeof name, "%s.conv.%d,%d" RADIAL "6.weight", prefix, a, b);
            s3f_tensor *dst = read_tensor(out, name);
            double scale = a == 0 && b == 0 ? 0.28209479177387814 : 1.0;
            assert_int_equal(dst->shape.d[0], c_out * C_IN * freqs(a, b));
            for (int J = abs(a - b); J <= a + b; J++)
                assert_row(dst, freqs(a, b), J - abs(a - b), src, f_src, fused(a, b, J), scale,
                           c_out);
            s3f_tensor_destroy(dst);
        }
    }
    s3f_tensor_destroy(src);
}

static int final_index(int d_in, int d_out, int J)
{
    return partial_index(d_in, d_out, J);
}

static void test_full_and_partial_to_none(void **state)
{
    files *f = *state;
    write_full(f->full, k_recipe);
    assert_ok(ckpt_convert_file(f->full, f->none, "none"));
    assert_ok(ckpt_convert_file(f->partial, f->none2, "none"));
    s3f_safetensors_t *in = NULL, *out = NULL, *out2 = NULL;
    assert_ok(s3f_safetensors_open(f->full, &in));
    assert_ok(s3f_safetensors_open(f->none, &out));
    assert_ok(s3f_safetensors_open(f->none2, &out2));
    assert_pairs(in, KV ".conv" RADIAL "6.weight", 6, full_index, out, KV, -1, C_OUT);
    assert_pairs(in, FINAL ".conv_out.0" RADIAL "6.weight", 2, final_index, out, FINAL, 0, C_FINAL);
    assert_hidden_copied(in, KV ".conv", out, KV ".conv.1,0");
    assert_hidden_copied(in, FINAL ".conv_out.0", out, FINAL ".conv.1,0");
    /* FULL -> NONE and FULL -> PARTIAL -> NONE give the same file contents */
    assert_int_equal(s3f_safetensors_count(out), s3f_safetensors_count(out2));
    for (int i = 0; i < s3f_safetensors_count(out); i++) {
        const s3f_safetensors_entry *e = s3f_safetensors_at(out, i);
        s3f_tensor *x = read_tensor(out, e->name), *y = read_tensor(out2, e->name);
        ts_assert_bitwise_equal(x, y);
        s3f_tensor_destroy(x);
        s3f_tensor_destroy(y);
    }
    s3f_safetensors_close(in);
    s3f_safetensors_close(out);
    s3f_safetensors_close(out2);
}

static void test_reverse_refused(void **state)
{
    files *f = *state;
    assert_fails(ckpt_convert_file(f->none, f->partial, "partial"), S3F_ERR_UNSUPPORTED,
                 "cannot convert none to partial", "cannot be merged");
    assert_fails(ckpt_convert_file(f->partial, f->none2, "full"), S3F_ERR_UNSUPPORTED,
                 "cannot convert partial to full");
    assert_fails(ckpt_convert_file(f->partial, f->none2, "partial"), S3F_ERR_UNSUPPORTED,
                 "already in the partial layout");
    assert_fails(ckpt_convert_file(f->full, f->none2, "fused"), S3F_ERR_ARG, "unknown layout");
    /* low_memory: pairwise whatever fuse_level says */
    write_full(f->none2, "model: {name: se3_transformer, num_degrees: 2, num_channels: 2, "
                         "use_layer_norm: true, fuse_level: full, low_memory: true}\n");
    assert_fails(ckpt_convert_file(f->none2, f->partial, "partial"), S3F_ERR_UNSUPPORTED,
                 "cannot convert none to partial");
}

static void test_other_models_refused(void **state)
{
    files *f = *state;
    write_full(f->none2, "model: {name: tiny_mpnn}\n");
    assert_fails(ckpt_convert_file(f->none2, f->partial, "none"), S3F_ERR_ARG, "tiny_mpnn",
                 "se3_transformer");
    write_full(f->none2, "model: {name: se3_transformer, num_degrees: 2}\n");
    assert_fails(ckpt_convert_file(f->none2, f->partial, "none"), S3F_ERR_ARG,
                 "model.num_channels");
    /* rows that do not factor as the recipe says */
    write_full(f->none2, "model: {name: se3_transformer, num_degrees: 2, num_channels: 4, "
                         "use_layer_norm: true, fuse_level: full}\n");
    assert_fails(ckpt_convert_file(f->none2, f->partial, "none"), S3F_ERR_SHAPE, KV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula_sample),           cmocka_unit_test(test_full_to_partial),
        cmocka_unit_test(test_full_and_partial_to_none), cmocka_unit_test(test_reverse_refused),
        cmocka_unit_test(test_other_models_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
