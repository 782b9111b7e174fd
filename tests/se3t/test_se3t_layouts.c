/* test_se3t_layouts.c — the three fusion layouts compute the same function
 * (SPEC §12.6): a FULL model's weights converted into the PARTIAL and NONE
 * layouts (hidden radial layers copied, last-layer rows gathered by
 * (d_in, d_out, J), the pairwise (0,0) rows scaled by 1/sqrt(4 pi)) give the
 * same outputs; PARTIAL converts to NONE the same way. Also: one forward is
 * bitwise the same for 1 and 2 threads. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "se3t_test_check.h"
#include "test_support.h"

static se3t_config config(fuse_level fuse)
{
    return tg_small_config(fuse, 5, 3, 4, 8, 1);
}

/* The source block and frequency holding (d_in, d_out, f_pair). */
static void find_freq(const conv_se3 *c, tfn_freq want, int *block, int *freq)
{
    for (int b = 0; b < c->nblocks; b++)
        for (int f = 0; f < c->block[b].nfreq; f++) {
            tfn_freq h = c->block[b].freq[f];
            if (h.d_in == want.d_in && h.d_out == want.d_out && h.f_pair == want.f_pair) {
                *block = b;
                *freq = f;
                return;
            }
        }
    fail_msg("frequency (%d, %d, %d) not found", want.d_in, want.d_out, want.f_pair);
}

static void copy(s3f_tensor *dst, const s3f_tensor *src)
{
    if (!dst && !src) return;
    assert_non_null(dst);
    assert_non_null(src);
    assert_ok(s3f_tensor_copy(dst, src));
}

/* Fills every radial network of `to` from the one of `from` (same layer). */
static void convert_conv(const conv_se3 *from, const conv_se3 *to)
{
    for (int b = 0; b < to->nblocks; b++) {
        const tfn_block *tb = &to->block[b];
        int sb = 0, sf = 0;
        find_freq(from, tb->freq[0], &sb, &sf);
        const radial_net *s = &from->net[sb], *t = &to->net[b];
        copy(t->w0, s->w0), copy(t->b0, s->b0), copy(t->ln0_w, s->ln0_w), copy(t->ln0_b, s->ln0_b);
        copy(t->w1, s->w1), copy(t->b1, s->b1), copy(t->ln1_w, s->ln1_w), copy(t->ln1_b, s->ln1_b);
        const tfn_block *src = &from->block[sb];
        for (int f = 0; f < tb->nfreq; f++) {
            int bb, ff;
            find_freq(from, tb->freq[f], &bb, &ff);
            assert_int_equal(bb, sb); /* one target block draws on one source network */
            double scale = tb->freq[f].unit && !src->freq[ff].unit ? 0.28209479177387814 : 1.0;
            for (int o = 0; o < tb->c_out; o++)
                for (int i = 0; i < tb->c_in; i++)
                    for (int h = 0; h < SE3T_RADIAL_HIDDEN; h++) {
                        int64_t rt = ((int64_t)o * tb->c_in + i) * tb->nfreq + f;
                        int64_t rs = ((int64_t)o * src->c_in + i) * src->nfreq + ff;
                        double v = s3f_tensor_get(src->radial_w, rs * SE3T_RADIAL_HIDDEN + h);
                        s3f_tensor_set(tb->radial_w, rt * SE3T_RADIAL_HIDDEN + h, scale * v);
                    }
        }
    }
}

/* Same-named parameters copied; radial networks converted. */
static void convert(const se3t_model *from, se3t_model *to)
{
    for (int i = 0; i < s3f_params_count(to->params); i++) {
        s3f_tensor *t = s3f_params_at(to->params, i);
        s3f_tensor *s = s3f_params_find(from->params, t->name);
        if (s && !strstr(t->name, "radial_func")) copy(t, s);
    }
    for (int l = 0; l < from->cfg.num_layers; l++)
        convert_conv(&from->attention[l].to_key_value, &to->attention[l].to_key_value);
    convert_conv(&from->final_conv, &to->final_conv);
}

static double *forward(const se3t_model *m, const test_graph *g, int64_t *n)
{
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    s3f_ctx_set_grad(ctx, false);
    se3t_input in = tg_input(g);
    se3t_output out;
    assert_ok(se3t_forward(m, ctx, &in, &out));
    *n = s3f_tensor_numel(out.pred);
    double *v = calloc((size_t)*n, sizeof(double));
    for (int64_t i = 0; i < *n; i++) v[i] = s3f_tensor_get(out.pred, i);
    s3f_ctx_destroy(ctx);
    return v;
}

static void check_conversion(fuse_level from_level, fuse_level to_level)
{
    se3t_config a = config(from_level), b = config(to_level);
    se3t_model *from, *to;
    assert_ok(se3t_create(&a, 3, &from));
    assert_ok(se3t_create(&b, 99, &to));
    convert(from, to);
    test_graph *g = tg_random(3, 6, &a.in, 3, S3F_F64, 8);
    int64_t n1, n2;
    double *y1 = forward(from, g, &n1), *y2 = forward(to, g, &n2);
    assert_int_equal(n1, n2);
    for (int64_t i = 0; i < n1; i++)
        if (fabs(y1[i] - y2[i]) > 1e-12 * fmax(1, fabs(y1[i])))
            fail_msg("output %lld: %.15g (level %d) vs %.15g (level %d)", (long long)i, y1[i],
                     from_level, y2[i], to_level);
    free(y1);
    free(y2);
    tg_destroy(g);
    se3t_destroy(from);
    se3t_destroy(to);
}

static void full_to_partial_and_none(void **state)
{
    (void)state;
    check_conversion(FUSE_FULL, FUSE_PARTIAL);
    check_conversion(FUSE_FULL, FUSE_NONE);
    check_conversion(FUSE_PARTIAL, FUSE_NONE);
}

/* Without conversion, differently initialised layouts disagree: the check
 * above is not vacuous. */
static void unconverted_models_differ(void **state)
{
    (void)state;
    se3t_config a = config(FUSE_FULL), b = config(FUSE_NONE);
    se3t_model *m1, *m2;
    assert_ok(se3t_create(&a, 3, &m1));
    assert_ok(se3t_create(&b, 3, &m2));
    test_graph *g = tg_random(2, 5, &a.in, 3, S3F_F64, 8);
    int64_t n;
    double *y1 = forward(m1, g, &n), *y2 = forward(m2, g, &n);
    assert_true(fabs(y1[0] - y2[0]) > 1e-6);
    free(y1);
    free(y2);
    tg_destroy(g);
    se3t_destroy(m1);
    se3t_destroy(m2);
}

static void same_for_one_and_two_threads(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    c.dtype = S3F_F32;
    se3t_model *m;
    assert_ok(se3t_create(&c, 5, &m));
    test_graph *g = tg_random(4, 6, &c.in, 3, S3F_F32, 9);
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    float grads[2][64];
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        tc_projected(m, ctx, g, true);
        s3f_tensor *w = m->attention[1].to_key_value.net[0].w_out;
        for (int i = 0; i < 64; i++) grads[t][i] = (float)s3f_tensor_get(w->grad, i * 97);
    }
    assert_memory_equal(grads[0], grads[1], sizeof grads[0]);
    s3f_ctx_destroy(ctx);
    tg_destroy(g);
    se3t_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_to_partial_and_none),
        cmocka_unit_test(unconverted_models_differ),
        cmocka_unit_test(same_for_one_and_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
