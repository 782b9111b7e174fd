/* test_se3t_inputs.c — degenerate molecules and bad configurations (SPEC
 * §18.18): a molecule with no edges, an isolated atom, two atoms at the same
 * place (a zero-length edge), a batch without any edge: outputs and
 * gradients stay finite, nodes without incoming edges get zero attention
 * output and zero convolution output. A num_channels that heads ×
 * channels_div does not divide is a clear error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "se3t_test_check.h"
#include "test_support.h"

static se3t_config config(fuse_level fuse)
{
    return tg_small_config(fuse, 3, 2, 3, 4, 1);
}

static void assert_all_finite(const s3f_tensor *t, const char *what)
{
    for (int64_t i = 0; i < s3f_tensor_numel(t); i++)
        if (!isfinite(s3f_tensor_get(t, i))) fail_msg("%s[%lld] is not finite", what, (long long)i);
}

/* Forward and backward on g at every fusion level: everything finite. */
static void assert_finite_everywhere(test_graph *g)
{
    for (int f = FUSE_NONE; f <= FUSE_FULL; f++) {
        se3t_config c = config((fuse_level)f);
        se3t_model *m;
        assert_ok(se3t_create(&c, 4, &m));
        s3f_ctx_t *ctx;
        assert_ok(s3f_ctx_create(0, &ctx));
        double v = tc_projected(m, ctx, g, true);
        assert_true(isfinite(v));
        for (int i = 0; i < s3f_params_count(m->params); i++) {
            s3f_tensor *p = s3f_params_at(m->params, i);
            assert_all_finite(p->grad, p->name);
        }
        s3f_ctx_destroy(ctx);
        se3t_destroy(m);
    }
}

/* Molecule 0: one atom, no edges. Molecule 1: a bonded pair and an atom
 * with no edge. */
static void lone_and_isolated_atoms(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    int atoms[2] = {1, 3}, edges[2] = {0, 2};
    int32_t src[2] = {0, 1}, dst[2] = {1, 0};
    test_graph *g = tg_from_edges(2, atoms, edges, src, dst, &c.in, 2, S3F_F64, 3);
    assert_finite_everywhere(g);

    /* the final convolution gives the edge-less atoms exactly zero */
    se3t_model *m;
    c.output_dim = 0;
    c.pooling = SE3T_POOL_NONE;
    c.return_type = -1;
    assert_ok(se3t_create(&c, 4, &m));
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    se3t_input in = tg_input(g);
    se3t_output out;
    assert_ok(se3t_forward(m, ctx, &in, &out));
    const s3f_tensor *h = out.nodes.d[0];
    int64_t C = h->shape.d[1];
    for (int64_t k = 0; k < C; k++) {
        assert_true(s3f_tensor_get(h, 0 * C + k) == 0.0); /* the lone atom */
        assert_true(s3f_tensor_get(h, 3 * C + k) == 0.0); /* the isolated atom */
    }
    double bonded = 0;
    for (int64_t k = 0; k < C; k++) bonded += fabs(s3f_tensor_get(h, 1 * C + k));
    assert_true(bonded > 0);
    s3f_ctx_destroy(ctx);
    se3t_destroy(m);
    tg_destroy(g);
}

static void no_edges_at_all(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_PARTIAL);
    int atoms[2] = {1, 2}, edges[2] = {0, 0};
    int32_t none[1] = {0};
    test_graph *g = tg_from_edges(2, atoms, edges, none, none, &c.in, 2, S3F_F64, 5);
    assert_int_equal(g->batch->num_edges, 0);
    se3t_model *m;
    assert_ok(se3t_create(&c, 4, &m));
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    assert_true(isfinite(tc_projected(m, ctx, g, true)));
    s3f_ctx_destroy(ctx);
    se3t_destroy(m);
    tg_destroy(g);
}

static void coincident_atoms(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    test_graph *g = tg_random(2, 4, &c.in, 2, S3F_F64, 6);
    memcpy(g->pos + 3, g->pos, 3 * sizeof(double)); /* atom 1 on top of atom 0 */
    double I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, t[3] = {0, 0, 0};
    tg_transform(g, I, t);
    bool zero = false;
    for (int64_t e = 0; e < g->batch->num_edges; e++)
        zero |= s3f_tensor_get(g->rel, 3 * e) == 0 && s3f_tensor_get(g->rel, 3 * e + 1) == 0 &&
                s3f_tensor_get(g->rel, 3 * e + 2) == 0;
    assert_true(zero);
    assert_finite_everywhere(g);
    tg_destroy(g);
}

static void channels_not_divisible(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    c.hidden = fiber_uniform(3, 6); /* 6 / 2 = 3 value channels, 2 heads */
    se3t_model *m = NULL;
    assert_fails(se3t_create(&c, 1, &m), S3F_ERR_ARG, "num_channels (6)", "divisible");
    assert_null(m);
}

static void max_pooling_of_vectors_refused(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    c.out = (fiber){{4, 4}};
    c.output_dim = 0;
    c.return_type = 1;
    se3t_model *m = NULL;
    assert_fails(se3t_create(&c, 1, &m), S3F_ERR_ARG, "max pooling");
}

static s3f_tensor *forward_pred(const se3t_model *m, s3f_ctx_t *ctx, se3t_input *in)
{
    se3t_output out;
    assert_ok(se3t_forward(m, ctx, in, &out));
    return out.pred;
}

/* A dataset's precomputed bases (s3f_basis_pack rows) give what the bases
 * computed in the forward give; a width for another max degree is refused
 * with the fix named. */
static void precomputed_bases(void **state)
{
    (void)state;
    se3t_config c = config(FUSE_FULL);
    c.dtype = S3F_F32;
    c.hidden = fiber_uniform(4, 4); /* max degree 3, as the qm9 plugin's default */
    se3t_model *m;
    assert_ok(se3t_create(&c, 4, &m));
    test_graph *g = tg_random(3, 5, &c.in, 2, S3F_F32, 12);
    s3f_tensor *packed;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(g->batch->num_edges, s3f_basis_packed_width(3)),
                                &packed));
    assert_ok(s3f_basis_pack(g->rel, 3, packed));
    s3f_ctx_t *ctx;
    assert_ok(s3f_ctx_create(0, &ctx));
    se3t_input in = tg_input(g);
    s3f_tensor *computed = forward_pred(m, ctx, &in);
    in.packed_basis = packed;
    s3f_tensor *given = forward_pred(m, ctx, &in);
    for (int64_t i = 0; i < s3f_tensor_numel(computed); i++)
        assert_true(fabs(s3f_tensor_get(computed, i) - s3f_tensor_get(given, i)) <=
                    1e-6 * fmax(1, fabs(s3f_tensor_get(computed, i))));
    s3f_tensor *narrow;
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(g->batch->num_edges, s3f_basis_packed_width(2)),
                                &narrow));
    assert_ok(s3f_basis_pack(g->rel, 2, narrow));
    in.packed_basis = narrow;
    se3t_output out;
    assert_fails(se3t_forward(m, ctx, &in, &out), S3F_ERR_SHAPE, "basis_max_degree to 3");
    s3f_tensor_destroy(narrow);
    s3f_tensor_destroy(packed);
    s3f_ctx_destroy(ctx);
    tg_destroy(g);
    se3t_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lone_and_isolated_atoms),
        cmocka_unit_test(no_edges_at_all),
        cmocka_unit_test(coincident_atoms),
        cmocka_unit_test(channels_not_divisible),
        cmocka_unit_test(max_pooling_of_vectors_refused),
        cmocka_unit_test(precomputed_bases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
