/* test_graph.c — collation of molecules into a graph batch: edges sorted by
 * destination (stable), CSR offsets, relative positions, features following
 * their edges, empty molecules and isolated atoms, and bad molecules refused
 * with the molecule named. */
#include <string.h>

#include "se3flow/graph.h"
#include "test_support.h"

/* Water-like: 3 atoms, 4 directed edges in a deliberately unsorted order. */
static const float k_pos_a[] = {0, 0, 0, 1, 0, 0, 0, 2, 0};
static const float k_feat_a[] = {1, 0, 0, 1, 0, 1};
static const int32_t k_src_a[] = {1, 0, 2, 0};
static const int32_t k_dst_a[] = {0, 1, 0, 2};
static const float k_efeat_a[] = {10, 11, 12, 13};
static const float k_target_a[] = {-1.5f};

/* 2 atoms, 2 edges. */
static const float k_pos_b[] = {5, 5, 5, 5, 5, 8};
static const float k_feat_b[] = {0, 1, 1, 0};
static const int32_t k_src_b[] = {1, 0};
static const int32_t k_dst_b[] = {0, 1};
static const float k_efeat_b[] = {20, 21};
static const float k_target_b[] = {2.5f};

/* One isolated atom, no edges. */
static const float k_pos_c[] = {1, 1, 1};
static const float k_feat_c[] = {1, 1};
static const float k_target_c[] = {0.0f};

static const s3f_graph_layout k_layout = {.node_features = 2, .edge_features = 1, .targets = 1};

static s3f_molecule mol(int n, int e, const float *pos, const float *feat, const int32_t *src,
                        const int32_t *dst, const float *efeat, const float *target)
{
    return (s3f_molecule){n, e, pos, feat, efeat, src, dst, target, NULL};
}

static void test_collate_sorts_and_offsets(void **state)
{
    s3f_molecule mols[] = {
        mol(3, 4, k_pos_a, k_feat_a, k_src_a, k_dst_a, k_efeat_a, k_target_a),
        mol(0, 0, NULL, NULL, NULL, NULL, NULL, k_target_c), /* an empty molecule */
        mol(2, 2, k_pos_b, k_feat_b, k_src_b, k_dst_b, k_efeat_b, k_target_b),
        mol(1, 0, k_pos_c, k_feat_c, NULL, NULL, NULL, k_target_c),
    };
    int64_t ids[] = {40, 41, 42, 43};
    s3f_graph_batch *g;
    assert_ok(s3f_graph_collate(mols, ids, 4, k_layout, &g));
    assert_int_equal(g->num_graphs, 4);
    assert_int_equal(g->num_nodes, 6);
    assert_int_equal(g->num_edges, 6);
    const int32_t *src = g->src->data, *dst = g->dst->data, *in = g->in_offsets->data;
    /* molecule a's edges into node 0 keep their order (1->0 then 2->0) */
    int32_t want_src[] = {1, 2, 0, 0, 4, 3}, want_dst[] = {0, 0, 1, 2, 3, 4};
    assert_memory_equal(src, want_src, sizeof want_src);
    assert_memory_equal(dst, want_dst, sizeof want_dst);
    int32_t want_in[] = {0, 2, 3, 4, 5, 6, 6};
    assert_memory_equal(in, want_in, sizeof want_in);
    int32_t want_nodes[] = {0, 3, 3, 5, 6}, want_edges[] = {0, 4, 4, 6, 6};
    assert_memory_equal(g->node_offsets->data, want_nodes, sizeof want_nodes);
    assert_memory_equal(g->edge_offsets->data, want_edges, sizeof want_edges);
    float want_efeat[] = {10, 12, 11, 13, 20, 21};
    assert_memory_equal(g->edge_features->data, want_efeat, sizeof want_efeat);
    const float *rel = g->rel_pos->data;
    assert_true(rel[0] == -1 && rel[1] == 0 && rel[2] == 0);    /* pos[0] - pos[1] */
    assert_true(rel[12] == 0 && rel[13] == 0 && rel[14] == -3); /* pos[3] - pos[4] */
    assert_true(s3f_tensor_get(g->targets, 2) == 2.5);
    assert_true(s3f_tensor_get(g->ids, 3) == 43);
    assert_true(s3f_tensor_get(g->node_features, 2 * 5 + 1) == 1); /* isolated atom's features */
    s3f_graph_batch_destroy(g);
}

/* Precomputed bases (2 floats per edge here) move with their edges through
 * the sort; a molecule without them is refused; width 0 makes none. */
static void test_edge_basis_rows_follow_their_edges(void **state)
{
    static const float basis_a[] = {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f},
                       basis_b[] = {4, 4.5f, 5, 5.5f};
    s3f_molecule mols[] = {
        mol(3, 4, k_pos_a, k_feat_a, k_src_a, k_dst_a, k_efeat_a, k_target_a),
        mol(2, 2, k_pos_b, k_feat_b, k_src_b, k_dst_b, k_efeat_b, k_target_b),
    };
    mols[0].edge_basis = basis_a, mols[1].edge_basis = basis_b;
    s3f_graph_layout layout = k_layout;
    layout.edge_basis_width = 2;
    s3f_graph_batch *g;
    assert_ok(s3f_graph_collate(mols, NULL, 2, layout, &g));
    float want[] = {0, 0.5f, 2, 2.5f, 1, 1.5f, 3, 3.5f, 4, 4.5f, 5, 5.5f}; /* edges 0 2 1 3 | 4 5 */
    assert_int_equal(g->edge_basis->shape.d[1], 2);
    assert_memory_equal(g->edge_basis->data, want, sizeof want);
    s3f_graph_batch_destroy(g);
    assert_ok(s3f_graph_collate(mols, NULL, 2, k_layout, &g));
    assert_null(g->edge_basis);
    s3f_graph_batch_destroy(g);
    mols[1].edge_basis = NULL;
    assert_fails(s3f_graph_collate(mols, NULL, 2, layout, &g), S3F_ERR_FORMAT, "molecule 1");
}

static void test_empty_batch(void **state)
{
    s3f_graph_batch *g;
    assert_ok(s3f_graph_collate(NULL, NULL, 0, k_layout, &g));
    assert_int_equal(g->num_nodes, 0);
    assert_int_equal(s3f_tensor_numel(g->in_offsets), 1);
    s3f_graph_batch_destroy(g);
}

static void test_bad_molecules_are_named(void **state)
{
    s3f_graph_batch *g = NULL;
    int32_t bad_dst[] = {0, 1, 0, 7};
    s3f_molecule mols[] = {
        mol(2, 2, k_pos_b, k_feat_b, k_src_b, k_dst_b, k_efeat_b, k_target_b),
        mol(3, 4, k_pos_a, k_feat_a, k_src_a, bad_dst, k_efeat_a, k_target_a),
    };
    assert_fails(s3f_graph_collate(mols, NULL, 2, k_layout, &g), S3F_ERR_FORMAT, "molecule 1",
                 "edge 3", "0 -> 7");
    float nan_pos[] = {0, 0, 0, 1, 0, 0, 0, 2, 0};
    memcpy(nan_pos + 4, &(float){__builtin_nanf("")}, sizeof(float));
    mols[1] = mol(3, 4, nan_pos, k_feat_a, k_src_a, k_dst_a, k_efeat_a, k_target_a);
    assert_fails(s3f_graph_collate(mols, NULL, 2, k_layout, &g), S3F_ERR_FORMAT, "molecule 1",
                 "atom 1", "non-finite");
    mols[1] = mol(-1, 0, NULL, NULL, NULL, NULL, NULL, k_target_a);
    assert_fails(s3f_graph_collate(mols, NULL, 2, k_layout, &g), S3F_ERR_FORMAT, "molecule 1");
    assert_null(g);
}

static void test_many_molecules_in_parallel_match_serial(void **state)
{
    enum { COUNT = 500 };
    s3f_molecule mols[COUNT];
    for (int b = 0; b < COUNT; b++)
        mols[b] = b % 3 ? mol(3, 4, k_pos_a, k_feat_a, k_src_a, k_dst_a, k_efeat_a, k_target_a)
                        : mol(2, 2, k_pos_b, k_feat_b, k_src_b, k_dst_b, k_efeat_b, k_target_b);
    s3f_graph_batch *g;
    assert_ok(s3f_graph_collate(mols, NULL, COUNT, k_layout, &g));
    const int32_t *dst = g->dst->data, *in = g->in_offsets->data;
    for (int64_t e = 1; e < g->num_edges; e++) assert_true(dst[e - 1] <= dst[e]);
    for (int64_t i = 0; i < g->num_nodes; i++)
        for (int32_t e = in[i]; e < in[i + 1]; e++) assert_int_equal(dst[e], i);
    assert_int_equal(in[g->num_nodes], g->num_edges);
    s3f_graph_batch_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collate_sorts_and_offsets),
        cmocka_unit_test(test_empty_batch),
        cmocka_unit_test(test_edge_basis_rows_follow_their_edges),
        cmocka_unit_test(test_bad_molecules_are_named),
        cmocka_unit_test(test_many_molecules_in_parallel_match_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
