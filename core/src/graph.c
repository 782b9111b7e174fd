/* graph.c — collation of molecules into one graph batch (graph.h).
 *
 * Two passes: the first checks every molecule and sums the counts into
 * prefix offsets; the second copies each molecule into its own disjoint
 * rows of the batch (in parallel over molecules), sorting its edges by
 * destination with a stable counting sort. Invariant after collation:
 * dst is non-decreasing and in_offsets[i]..in_offsets[i+1] are exactly the
 * edges whose dst is i. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/graph.h"

static s3f_status check_molecule(const s3f_molecule *m, int index, s3f_graph_layout layout)
{
    if (m->num_nodes < 0 || m->num_edges < 0)
        return s3f_fail(S3F_ERR_FORMAT, "molecule %d has %d nodes and %d edges", index,
                        m->num_nodes, m->num_edges);
    if ((m->num_nodes && (!m->positions || (layout.node_features && !m->node_features))) ||
        (m->num_edges && (!m->src || !m->dst || (layout.edge_features && !m->edge_features))) ||
        (m->num_edges && layout.edge_basis_width && !m->edge_basis) ||
        (layout.targets && !m->targets))
        return s3f_fail(S3F_ERR_FORMAT, "molecule %d lacks an array its counts require", index);
    for (int32_t e = 0; e < m->num_edges; e++)
        if (m->src[e] < 0 || m->src[e] >= m->num_nodes || m->dst[e] < 0 ||
            m->dst[e] >= m->num_nodes)
            return s3f_fail(
                S3F_ERR_FORMAT,
                "molecule %d: edge %d joins atoms %d -> %d but the molecule has %d atoms", index, e,
                m->src[e], m->dst[e], m->num_nodes);
    for (int64_t i = 0; i < 3 * (int64_t)m->num_nodes; i++)
        if (!isfinite(m->positions[i]))
            return s3f_fail(S3F_ERR_FORMAT, "molecule %d: atom %lld has a non-finite coordinate",
                            index, (long long)(i / 3));
    return S3F_OK;
}

/* Fills node_offsets and edge_offsets (B+1 each) and checks the totals. */
static s3f_status count_all(const s3f_molecule *mols, int count, s3f_graph_layout layout,
                            int32_t *node_off, int32_t *edge_off)
{
    int64_t nodes = 0, edges = 0;
    for (int b = 0; b < count; b++) {
        S3F_RETURN_IF_ERR(check_molecule(&mols[b], b, layout));
        node_off[b] = (int32_t)nodes;
        edge_off[b] = (int32_t)edges;
        nodes += mols[b].num_nodes;
        edges += mols[b].num_edges;
        if (nodes > INT32_MAX || edges > INT32_MAX)
            return s3f_fail(S3F_ERR_SHAPE,
                            "a batch of %d molecules exceeds 2^31 nodes or edges; "
                            "use a smaller batch size",
                            count);
    }
    node_off[count] = (int32_t)nodes;
    edge_off[count] = (int32_t)edges;
    return S3F_OK;
}

static s3f_status alloc_batch(s3f_graph_batch *g, s3f_graph_layout layout)
{
    int64_t B = g->num_graphs, N = g->num_nodes, E = g->num_edges;
    s3f_status rc;
    if ((rc = s3f_tensor_create(S3F_F32, S3F_SHAPE(N, 3), &g->positions)) ||
        (rc = s3f_tensor_create(S3F_F32, S3F_SHAPE(N, layout.node_features), &g->node_features)) ||
        (rc = s3f_tensor_create(S3F_F32, S3F_SHAPE(E, layout.edge_features), &g->edge_features)) ||
        (rc = s3f_tensor_create(S3F_F32, S3F_SHAPE(E, 3), &g->rel_pos)) ||
        (rc = s3f_tensor_create(S3F_I32, S3F_SHAPE(E), &g->src)) ||
        (rc = s3f_tensor_create(S3F_I32, S3F_SHAPE(E), &g->dst)) ||
        (rc = s3f_tensor_create(S3F_I32, S3F_SHAPE(N + 1), &g->in_offsets)) ||
        (rc = s3f_tensor_create(S3F_I32, S3F_SHAPE(B + 1), &g->node_offsets)) ||
        (rc = s3f_tensor_create(S3F_I32, S3F_SHAPE(B + 1), &g->edge_offsets)) ||
        (rc = s3f_tensor_create(S3F_F32, S3F_SHAPE(B, layout.targets), &g->targets)) ||
        (rc = s3f_tensor_create(S3F_I64, S3F_SHAPE(B), &g->ids)))
        return rc;
    if (layout.edge_basis_width)
        return s3f_tensor_create(S3F_F32, S3F_SHAPE(E, layout.edge_basis_width), &g->edge_basis);
    return S3F_OK;
}

/* Node rows of molecule b: positions, features, and the incoming-edge
 * counts turned into CSR offsets (global edge numbers). */
static void copy_nodes(const s3f_molecule *m, int32_t node_base, int32_t edge_base,
                       s3f_graph_layout layout, s3f_graph_batch *g)
{
    int32_t n = m->num_nodes, *in_off = (int32_t *)g->in_offsets->data + node_base;
    if (n == 0) return; /* its arrays may be NULL; its in_offsets slot is the next molecule's */
    memcpy((float *)g->positions->data + 3 * (int64_t)node_base, m->positions,
           sizeof(float) * 3 * (size_t)n);
    if (layout.node_features)
        memcpy((float *)g->node_features->data + (int64_t)node_base * layout.node_features,
               m->node_features, sizeof(float) * (size_t)n * (size_t)layout.node_features);
    for (int32_t i = 0; i < n; i++) in_off[i] = 0;
    for (int32_t e = 0; e < m->num_edges; e++)
        if (m->dst[e] + 1 < n) in_off[m->dst[e] + 1]++;
    in_off[0] = edge_base;
    for (int32_t i = 1; i < n; i++) in_off[i] += in_off[i - 1];
}

/* Edge rows of molecule b in destination order; `cursor` (n) is scratch. */
static void copy_edges(const s3f_molecule *m, int32_t node_base, s3f_graph_layout layout,
                       s3f_graph_batch *g, int32_t *cursor)
{
    const int32_t *in_off = (const int32_t *)g->in_offsets->data + node_base;
    const float *pos = (const float *)g->positions->data;
    int32_t *src = g->src->data, *dst = g->dst->data;
    float *rel = g->rel_pos->data, *feat = g->edge_features->data;
    int fe = layout.edge_features, w = layout.edge_basis_width;
    memcpy(cursor, in_off, sizeof(int32_t) * (size_t)m->num_nodes);
    for (int32_t e = 0; e < m->num_edges; e++) {
        int32_t row = cursor[m->dst[e]]++, s = node_base + m->src[e], d = node_base + m->dst[e];
        src[row] = s;
        dst[row] = d;
        for (int k = 0; k < 3; k++)
            rel[3 * (int64_t)row + k] = pos[3 * (int64_t)d + k] - pos[3 * (int64_t)s + k];
        if (fe)
            memcpy(feat + (int64_t)row * fe, m->edge_features + (int64_t)e * fe,
                   sizeof(float) * (size_t)fe);
        if (w)
            memcpy((float *)g->edge_basis->data + (int64_t)row * w, m->edge_basis + (int64_t)e * w,
                   sizeof(float) * (size_t)w);
    }
}

static void copy_molecules(const s3f_molecule *mols, const int64_t *ids, int count,
                           s3f_graph_layout layout, s3f_graph_batch *g, int32_t *cursor)
{
    const int32_t *node_off = g->node_offsets->data, *edge_off = g->edge_offsets->data;
#pragma omp parallel for schedule(dynamic, 16) if (count > 64)
    for (int b = 0; b < count; b++) {
        copy_nodes(&mols[b], node_off[b], edge_off[b], layout, g);
        copy_edges(&mols[b], node_off[b], layout, g, cursor + node_off[b]);
        if (layout.targets)
            memcpy((float *)g->targets->data + (int64_t)b * layout.targets, mols[b].targets,
                   sizeof(float) * (size_t)layout.targets);
        ((int64_t *)g->ids->data)[b] = ids ? ids[b] : b;
    }
    ((int32_t *)g->in_offsets->data)[g->num_nodes] = (int32_t)g->num_edges;
}

s3f_status s3f_graph_collate(const s3f_molecule *molecules, const int64_t *ids, int count,
                             s3f_graph_layout layout, s3f_graph_batch **out)
{
    if (count < 0 || layout.node_features < 0 || layout.edge_features < 0 || layout.targets < 0 ||
        layout.edge_basis_width < 0)
        return s3f_fail(S3F_ERR_ARG, "collate: negative count or feature size");
    s3f_status rc = S3F_OK;
    int32_t *cursor = NULL;
    s3f_graph_batch *g = calloc(1, sizeof *g);
    int32_t *offsets = malloc(sizeof(int32_t) * 2 * ((size_t)count + 1));
    if (!g || !offsets) S3F_TRY(s3f_fail(S3F_ERR_NOMEM, "collate: out of memory"));
    S3F_TRY(count_all(molecules, count, layout, offsets, offsets + count + 1));
    g->num_graphs = count;
    g->num_nodes = offsets[count];
    g->num_edges = offsets[2 * count + 1];
    S3F_TRY(alloc_batch(g, layout));
    memcpy(g->node_offsets->data, offsets, sizeof(int32_t) * ((size_t)count + 1));
    memcpy(g->edge_offsets->data, offsets + count + 1, sizeof(int32_t) * ((size_t)count + 1));
    if (!(cursor = malloc(sizeof(int32_t) * ((size_t)g->num_nodes + 1))))
        S3F_TRY(s3f_fail(S3F_ERR_NOMEM, "collate: out of memory"));
    copy_molecules(molecules, ids, count, layout, g, cursor);
    *out = g;
    g = NULL;
fail:
    free(cursor);
    free(offsets);
    s3f_graph_batch_destroy(g);
    return rc;
}

void s3f_graph_batch_destroy(s3f_graph_batch *g)
{
    if (!g) return;
    s3f_tensor *all[] = {g->positions,    g->node_features, g->edge_features, g->rel_pos,
                         g->src,          g->dst,           g->in_offsets,    g->node_offsets,
                         g->edge_offsets, g->targets,       g->ids,           g->edge_basis};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) s3f_tensor_destroy(all[i]);
    free(g);
}
