/* basis.c — the public bases API of so3.h (SPEC.md §5): the fused layouts'
 * offsets, argument checks, the table of non-zero C entries in the output
 * dtype, and an OpenMP loop over edges that computes each per-pair block once
 * (into per-thread scratch, by the S3F_HD function of basis_edge.h) and
 * copies it into every tensor the caller asked for.
 *
 * Not here: the per-edge contraction itself (basis_edge.h), harmonics
 * (sph_harm.h), C tensors (clebsch_gordan.c).
 *
 * Invariant: each edge's outputs depend only on that edge's vector, so
 * results are bitwise the same for any thread count. */
#include "basis_edge.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/so3.h"
#include "sph_harm.h"

#define BASIS_DEGREES (S3F_BASIS_MAX_DEGREE + 1)
/* Harmonics of one edge, degrees 0..2D: ((2D+1)^2) values. */
#define BASIS_HARMONICS ((2 * S3F_BASIS_MAX_DEGREE + 1) * (2 * S3F_BASIS_MAX_DEGREE + 1))
/* Below this many edges the loop runs on one thread. */
#define BASIS_PARALLEL_MIN 64

int s3f_basis_num_freq(int d_in, int d_out)
{
    return 2 * (d_in < d_out ? d_in : d_out) + 1;
}

s3f_status s3f_basis_layout_init(int max_degree, bool pad, s3f_basis_layout *out)
{
    if (!out) return s3f_fail(S3F_ERR_ARG, "s3f_basis_layout_init: out must not be NULL");
    if (max_degree < 0 || max_degree > S3F_BASIS_MAX_DEGREE)
        return s3f_fail(S3F_ERR_ARG, "s3f_basis_layout_init: max_degree %d is outside 0..%d",
                        max_degree, S3F_BASIS_MAX_DEGREE);
    s3f_basis_layout lay = {.max_degree = max_degree, .pad = pad};
    lay.components = (max_degree + 1) * (max_degree + 1);
    for (int a = 0; a <= max_degree; a++) {
        lay.offset[a] = a * a;
        for (int b = 0; b <= max_degree; b++) {
            /* a is d_out in out{a}_fused, d_in in in{a}_fused */
            lay.out_freq_offset[a][b] = lay.out_freqs[a];
            lay.out_freqs[a] += s3f_basis_num_freq(b, a);
            lay.in_freq_offset[a][b] = lay.in_freqs[a];
            lay.in_freqs[a] += s3f_basis_num_freq(a, b);
        }
        lay.fully_freq_offset[a] = lay.fully_freqs;
        lay.fully_freqs += lay.out_freqs[a];
    }
    *out = lay;
    return S3F_OK;
}

/* A wanted output must be a contiguous CPU tensor of `dtype` and shape `want`. */
static s3f_status check_out(const s3f_tensor *t, s3f_dtype dtype, s3f_shape want, const char *name)
{
    if (!t) return S3F_OK;
    if (t->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "s3f_basis_compute: %s must be on the CPU", name);
    if (t->dtype != dtype)
        return s3f_fail(S3F_ERR_DTYPE, "s3f_basis_compute: %s is %s but vectors are %s", name,
                        s3f_dtype_name(t->dtype), s3f_dtype_name(dtype));
    if (!s3f_shape_equal(&t->shape, &want)) {
        char got[64], wanted[64];
        return s3f_fail(S3F_ERR_SHAPE, "s3f_basis_compute: %s is %s, want %s", name,
                        s3f_shape_format(&t->shape, got, sizeof got),
                        s3f_shape_format(&want, wanted, sizeof wanted));
    }
    return S3F_OK;
}

static s3f_status check_args(const s3f_tensor *vectors, const s3f_basis_layout *lay,
                             const s3f_basis_out *out)
{
    if (!vectors || !out)
        return s3f_fail(S3F_ERR_ARG, "s3f_basis_compute: vectors and out must not be NULL");
    if (vectors->device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "s3f_basis_compute: vectors must be on the CPU");
    if (vectors->dtype != S3F_F32 && vectors->dtype != S3F_F64)
        return s3f_fail(S3F_ERR_DTYPE, "s3f_basis_compute: vectors must be f32 or f64, not %s",
                        s3f_dtype_name(vectors->dtype));
    if (vectors->shape.ndim != 2 || vectors->shape.d[1] != 3) {
        char got[64];
        return s3f_fail(S3F_ERR_SHAPE, "s3f_basis_compute: vectors must be (E, 3), not %s",
                        s3f_shape_format(&vectors->shape, got, sizeof got));
    }
    int64_t E = vectors->shape.d[0], S = lay->components, P = lay->pad;
    s3f_dtype dt = vectors->dtype;
    char name[32];
    for (int a = 0; a <= lay->max_degree; a++) {
        int64_t m = 2 * a + 1;
        for (int b = 0; b <= lay->max_degree; b++) {
            snprintf(name, sizeof name, "basis '%d,%d'", a, b);
            s3f_shape want = S3F_SHAPE(E, m, s3f_basis_num_freq(a, b), 2 * b + 1 + P);
            S3F_RETURN_IF_ERR(check_out(out->pair[a][b], dt, want, name));
        }
        snprintf(name, sizeof name, "out%d_fused", a);
        S3F_RETURN_IF_ERR(
            check_out(out->out_fused[a], dt, S3F_SHAPE(E, S, lay->out_freqs[a], m + P), name));
        snprintf(name, sizeof name, "in%d_fused", a);
        S3F_RETURN_IF_ERR(
            check_out(out->in_fused[a], dt, S3F_SHAPE(E, m, lay->in_freqs[a], S), name));
    }
    return check_out(out->fully_fused, dt, S3F_SHAPE(E, S, lay->fully_freqs, S), "fully_fused");
}

/* Everything one edge needs besides its index: the outputs, the layout, the
 * C table and its per-pair offsets, and per-thread scratch that holds the
 * edge's per-pair blocks (computed once, then copied into every output). */
typedef struct basis_job {
    const s3f_basis_layout *lay;
    const s3f_basis_out *out;
    basis_coef *coef; /* (entries): the non-zero C entries of all pairs */
    void *value;      /* (entries), in the output dtype */
    int64_t c_off[BASIS_DEGREES][BASIS_DEGREES];
    int c_count[BASIS_DEGREES][BASIS_DEGREES];
    int64_t b_off[BASIS_DEGREES][BASIS_DEGREES]; /* pair (a, b)'s block in the scratch */
    int64_t blocks;                              /* scratch elements per thread */
    char *scratch;                               /* (threads, blocks) */
    size_t elem;                                 /* bytes per element */
    bool f64;
} basis_job;

/* Row e of t (all entries after the edge axis), zeroed if `zero` (needed
 * wherever the blocks do not cover the row); returns its start. */
static char *edge_slab(const s3f_tensor *t, int64_t e, size_t elem, bool zero)
{
    size_t n = (size_t)(s3f_tensor_numel(t) / t->shape.d[0]) * elem;
    char *slab = (char *)t->data + (size_t)e * n;
    if (zero) memset(slab, 0, n);
    return slab;
}

/* Copies pair (a, b) = (d_in, d_out), a (2a+1, F, 2b+1) block of `blocks`,
 * to element `at` of `slab` with the given row strides. */
static void place(const basis_job *job, const char *blocks, int a, int b, char *slab, int64_t at,
                  int64_t stride_l, int64_t stride_f)
{
    int F = s3f_basis_num_freq(a, b), m_out = 2 * b + 1;
    size_t elem = job->elem, row = (size_t)m_out * elem;
    const char *src = blocks + (size_t)job->b_off[a][b] * elem;
    for (int l = 0; l < 2 * a + 1; l++)
        for (int f = 0; f < F; f++, src += row)
            memcpy(slab + (size_t)(at + l * stride_l + f * stride_f) * elem, src, row);
}

/* The non-zero C entries every pair needs, in the output dtype (SPEC §5.1:
 * computed in f64, cast once), as basis_edge.h reads them: pair (a, b)'s
 * c_count[a][b] entries start at c_off[a][b] of job->coef and job->value.
 * Two passes: count, then fill. The job takes ownership of both arrays. */
static s3f_status build_table(basis_job *job)
{
    int D = job->lay->max_degree;
    int64_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            job->coef = malloc((size_t)total * sizeof *job->coef);
            job->value = malloc((size_t)total * job->elem);
            if (!job->coef || !job->value)
                return s3f_fail(S3F_ERR_NOMEM, "s3f_basis_compute: no memory for the C table");
        }
        total = 0;
        for (int a = 0; a <= D; a++)
            for (int b = 0; b <= D; b++) {
                int m_in = 2 * a + 1, m_out = 2 * b + 1, F = s3f_basis_num_freq(a, b);
                job->c_off[a][b] = total;
                for (int f = 0; f < F; f++) {
                    int J = abs(a - b) + f;
                    const double *c = NULL;
                    S3F_RETURN_IF_ERR(s3f_clebsch_gordan_cached(J, a, b, &c));
                    for (int j = 0; j < 2 * J + 1; j++)
                        for (int l = 0; l < m_in; l++)
                            for (int k = 0; k < m_out; k++) {
                                double v = c[(j * m_in + l) * m_out + k];
                                if (v == 0) continue;
                                if (pass == 1) {
                                    job->coef[total] =
                                        (basis_coef){.y = (uint16_t)(J * J + j),
                                                     .out = (uint16_t)((l * F + f) * m_out + k)};
                                    if (job->f64)
                                        ((double *)job->value)[total] = v;
                                    else
                                        ((float *)job->value)[total] = (float)v;
                                }
                                total++;
                            }
                }
                job->c_count[a][b] = (int)(total - job->c_off[a][b]);
            }
    }
    return S3F_OK;
}

/* Every per-pair block of one edge into `blocks`, from its harmonics y
 * (degrees 0..2D), by the S3F_HD function of basis_edge.h. */
static void compute_blocks(const basis_job *job, const void *y, char *blocks)
{
    for (int a = 0; a <= job->lay->max_degree; a++)
        for (int b = 0; b <= job->lay->max_degree; b++) {
            int size = (2 * a + 1) * s3f_basis_num_freq(a, b) * (2 * b + 1);
            const basis_coef *coef = job->coef + job->c_off[a][b];
            if (job->f64)
                basis_pair_edge_f64(y, coef, (const double *)job->value + job->c_off[a][b],
                                    job->c_count[a][b], size, (double *)blocks + job->b_off[a][b]);
            else
                basis_pair_edge_f32(y, coef, (const float *)job->value + job->c_off[a][b],
                                    job->c_count[a][b], size, (float *)blocks + job->b_off[a][b]);
        }
}

/* Every wanted output of edge e, from its per-pair blocks. */
static void basis_edge(const basis_job *job, const char *blocks, int64_t e)
{
    const s3f_basis_layout *lay = job->lay;
    const s3f_basis_out *out = job->out;
    size_t elem = job->elem;
    int D = lay->max_degree;
    int64_t S = lay->components, P = lay->pad;
    for (int a = 0; a <= D; a++)
        for (int b = 0; b <= D; b++) {
            int64_t m_out = 2 * b + 1 + P, F = s3f_basis_num_freq(a, b);
            if (out->pair[a][b])
                place(job, blocks, a, b, edge_slab(out->pair[a][b], e, elem, P), 0, F * m_out,
                      m_out);
        }
    for (int b = 0; b <= D; b++) /* out{b}_fused: (S, out_freqs[b], 2b+1+P) */
        if (out->out_fused[b]) {
            char *slab = edge_slab(out->out_fused[b], e, elem, true);
            int64_t m_out = 2 * b + 1 + P, row = lay->out_freqs[b] * m_out;
            for (int a = 0; a <= D; a++)
                place(job, blocks, a, b, slab,
                      lay->offset[a] * row + lay->out_freq_offset[b][a] * m_out, row, m_out);
        }
    for (int a = 0; a <= D; a++) /* in{a}_fused: (2a+1, in_freqs[a], S) */
        if (out->in_fused[a]) {
            char *slab = edge_slab(out->in_fused[a], e, elem, true);
            for (int b = 0; b <= D; b++)
                place(job, blocks, a, b, slab, lay->in_freq_offset[a][b] * S + lay->offset[b],
                      lay->in_freqs[a] * S, S);
        }
    if (out->fully_fused) { /* (S, fully_freqs, S) */
        char *slab = edge_slab(out->fully_fused, e, elem, true);
        int64_t row = lay->fully_freqs * S;
        for (int b = 0; b <= D; b++)
            for (int a = 0; a <= D; a++) {
                int64_t f0 = lay->fully_freq_offset[b] + lay->out_freq_offset[b][a];
                place(job, blocks, a, b, slab, lay->offset[a] * row + f0 * S + lay->offset[b], row,
                      S);
            }
    }
}

/* Sets the block offsets and allocates scratch for `threads` threads. */
static s3f_status alloc_scratch(basis_job *job, int threads)
{
    int D = job->lay->max_degree;
    job->blocks = 0;
    for (int a = 0; a <= D; a++)
        for (int b = 0; b <= D; b++) {
            job->b_off[a][b] = job->blocks;
            job->blocks += (2 * a + 1) * s3f_basis_num_freq(a, b) * (2 * b + 1);
        }
    job->scratch = malloc((size_t)threads * (size_t)job->blocks * job->elem);
    if (!job->scratch) return s3f_fail(S3F_ERR_NOMEM, "s3f_basis_compute: no memory for scratch");
    return S3F_OK;
}

s3f_status s3f_basis_compute(const s3f_tensor *vectors, const s3f_basis_layout *layout,
                             const s3f_basis_out *out)
{
    if (!layout) return s3f_fail(S3F_ERR_ARG, "s3f_basis_compute: layout must not be NULL");
    /* Rebuilt from its two inputs, so a hand-edited layout cannot misplace blocks. */
    s3f_basis_layout lay;
    S3F_RETURN_IF_ERR(s3f_basis_layout_init(layout->max_degree, layout->pad, &lay));
    S3F_RETURN_IF_ERR(check_args(vectors, &lay, out));
    bool f64 = vectors->dtype == S3F_F64;
    basis_job job = {.lay = &lay, .out = out, .f64 = f64, .elem = f64 ? 8 : 4};
    s3f_status rc = build_table(&job);
    if (rc == S3F_OK) rc = alloc_scratch(&job, omp_get_max_threads());
    if (rc != S3F_OK) {
        free(job.coef);
        free(job.value);
        return rc;
    }
    int64_t edges = vectors->shape.d[0];
    int degrees = 2 * lay.max_degree;
#pragma omp parallel for schedule(static) if (edges > BASIS_PARALLEL_MIN)
    for (int64_t e = 0; e < edges; e++) {
        union {
            float f32[BASIS_HARMONICS];
            double f64[BASIS_HARMONICS];
        } y;
        char *blocks = job.scratch + (size_t)omp_get_thread_num() * (size_t)job.blocks * job.elem;
        if (job.f64)
            sph_harm_vector_f64((const double *)vectors->data + 3 * e, degrees, y.f64);
        else
            sph_harm_vector_f32((const float *)vectors->data + 3 * e, degrees, y.f32);
        compute_blocks(&job, job.f64 ? (const void *)y.f64 : (const void *)y.f32, blocks);
        basis_edge(&job, blocks, e);
    }
    free(job.scratch);
    free(job.value);
    free(job.coef);
    return S3F_OK;
}
