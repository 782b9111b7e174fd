/* generate.c — synthetic molecules that look like small organic ones.
 *
 * A molecule grows as a tree of heavy atoms (C, N, O, F drawn with QM9-like
 * frequencies), each new atom bonded to a random earlier atom with a free
 * valence, at that pair's bond length (a double bond, shorter, when both
 * have valence to spare and the draw says so), in a random direction that
 * keeps at least 1.1 Å from every other atom; free valences are then filled
 * with hydrogens. Bonds are then *derived from distances* (as QM9 graphs
 * are built from geometry): a pair is bonded when closer than 1.2 x the sum
 * of covalent radii, with its type read off the distance. The targets are a
 * smooth, rotation-invariant sum of Morse terms over all pairs, and a dipole
 * from fixed per-element charges, which rotates with the molecule.
 *
 * Randomness is Philox, counter (index, draw number), key seed: molecule i
 * never depends on how many others were made or in what order. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <se3flow/rng.h>

#include "generate.h"

static const float k_covalent[SYN_ELEMENTS] = {0.31f, 0.76f, 0.71f, 0.66f, 0.57f};
static const int k_valence[SYN_ELEMENTS] = {1, 4, 3, 2, 1};
static const float k_charge[SYN_ELEMENTS] = {0.18f, -0.12f, -0.35f, -0.45f, -0.28f};
static const float k_atomic_number[SYN_ELEMENTS] = {1, 6, 7, 8, 9};
/* Morse well depth (eV) and width (1/Å) per element, combined per pair. */
static const float k_depth[SYN_ELEMENTS] = {0.20f, 0.36f, 0.30f, 0.26f, 0.22f};
static const float k_width[SYN_ELEMENTS] = {1.9f, 1.7f, 1.8f, 1.9f, 2.0f};

typedef struct draw {
    uint64_t seed;
    int64_t index;
    uint64_t n; /* draws so far */
} draw;

/* Uniform in [0, 1) with 53 bits. */
static double uniform(draw *d)
{
    uint32_t w[4];
    s3f_philox4x32((uint64_t)d->index, d->n++, d->seed, w);
    uint64_t bits = ((uint64_t)(w[0] >> 5) << 26) | (w[1] >> 6);
    return (double)bits / 9007199254740992.0;
}

static int heavy_element(draw *d)
{
    double u = uniform(d); /* QM9 heavy atoms: mostly C, then O, N, a little F */
    return u < 0.70 ? SYN_C : u < 0.86 ? SYN_O : u < 0.98 ? SYN_N : SYN_F;
}

static void random_direction(draw *d, float v[3])
{
    double z = 2 * uniform(d) - 1, phi = 2 * M_PI * uniform(d), r = sqrt(1 - z * z);
    v[0] = (float)(r * cos(phi)), v[1] = (float)(r * sin(phi)), v[2] = (float)z;
}

static float distance(const float *a, const float *b)
{
    float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return sqrtf(dx * dx + dy * dy + dz * dz);
}

/* Places atom `n` bonded to atom `parent` at `length`; false if no direction
 * out of 64 tries keeps it clearly unbonded (farther than 1.25 x the sum of
 * covalent radii, and 1.1 Å) from every other atom, so that bonds derived
 * from distances later are the ones made here. */
static bool place(draw *d, syn_molecule *m, int n, int parent, float length)
{
    float r_new = k_covalent[m->element[n]];
    for (int attempt = 0; attempt < 64; attempt++) {
        float dir[3], *p = &m->pos[3 * n];
        random_direction(d, dir);
        for (int k = 0; k < 3; k++) p[k] = m->pos[3 * parent + k] + length * dir[k];
        bool clear = true;
        for (int j = 0; j < n && clear; j++)
            clear = j == parent || distance(p, &m->pos[3 * j]) >
                                       fmaxf(1.1f, 1.25f * (r_new + k_covalent[m->element[j]]));
        if (clear) return true;
    }
    return false;
}

/* A free-valence atom among the first n, or -1. */
static int pick_parent(draw *d, const int *free_valence, int n)
{
    int start = (int)(uniform(d) * n);
    for (int k = 0; k < n; k++)
        if (free_valence[(start + k) % n] > 0) return (start + k) % n;
    return -1;
}

static void grow(draw *d, syn_molecule *m, int heavy)
{
    int free_valence[SYN_MAX_ATOMS] = {0}, n = 1;
    m->element[0] = (uint8_t)SYN_C;
    free_valence[0] = k_valence[SYN_C];
    memset(m->pos, 0, sizeof m->pos);
    for (int tries = 0; n < heavy && tries < 4 * heavy; tries++) {
        int e = heavy_element(d), parent = pick_parent(d, free_valence, n);
        if (parent < 0) break;
        int order = (free_valence[parent] >= 2 && k_valence[e] >= 2 && uniform(d) < 0.2) ? 2 : 1;
        float length =
            (k_covalent[m->element[parent]] + k_covalent[e]) * (order == 2 ? 0.87f : 1.0f);
        m->element[n] = (uint8_t)e;
        if (!place(d, m, n, parent, length)) continue;
        free_valence[parent] -= order;
        free_valence[n++] = k_valence[e] - order;
    }
    int heavy_placed = n;
    for (int a = 0; a < heavy_placed; a++)
        while (free_valence[a] > 0 && n < SYN_MAX_ATOMS) {
            m->element[n] = (uint8_t)SYN_H;
            free_valence[a]--;
            if (place(d, m, n, a, k_covalent[m->element[a]] + k_covalent[SYN_H])) n++;
        }
    m->num_atoms = n;
}

/* Bond type from the distance relative to the single-bond length. */
static int bond_type(float ratio)
{
    return ratio < 0.82f ? 2 : ratio < 0.93f ? 1 : 0; /* triple, double, single */
}

static void derive_bonds(syn_molecule *m)
{
    int e = 0;
    memset(m->edge_features, 0, sizeof m->edge_features);
    for (int i = 0; i < m->num_atoms; i++)
        for (int j = 0; j < m->num_atoms && e < SYN_MAX_EDGES; j++) {
            if (i == j) continue;
            float single = k_covalent[m->element[i]] + k_covalent[m->element[j]];
            float r = distance(&m->pos[3 * i], &m->pos[3 * j]);
            if (r > 1.2f * single) continue;
            m->src[e] = i, m->dst[e] = j;
            m->edge_features[e * SYN_EDGE_FEATURES + bond_type(r / single)] = 1;
            e++;
        }
    m->num_edges = e;
}

static void centre_and_featurise(syn_molecule *m)
{
    float c[3] = {0, 0, 0};
    for (int a = 0; a < m->num_atoms; a++)
        for (int k = 0; k < 3; k++) c[k] += m->pos[3 * a + k] / (float)m->num_atoms;
    for (int a = 0; a < m->num_atoms; a++) {
        for (int k = 0; k < 3; k++) m->pos[3 * a + k] -= c[k];
        float *f = &m->node_features[a * SYN_NODE_FEATURES];
        memset(f, 0, sizeof(float) * SYN_NODE_FEATURES);
        f[m->element[a]] = 1;
        f[5] = k_atomic_number[m->element[a]];
    }
}

static void targets(syn_molecule *m)
{
    double energy = 0, dipole[3] = {0, 0, 0};
    for (int i = 0; i < m->num_atoms; i++) {
        int a = m->element[i];
        for (int k = 0; k < 3; k++) dipole[k] += k_charge[a] * m->pos[3 * i + k];
        for (int j = i + 1; j < m->num_atoms; j++) {
            int b = m->element[j];
            double depth = sqrt(k_depth[a] * k_depth[b]), width = 0.5 * (k_width[a] + k_width[b]);
            double r0 = k_covalent[a] + k_covalent[b], r = distance(&m->pos[3 * i], &m->pos[3 * j]);
            double x = 1 - exp(-width * (r - r0));
            energy += depth * (x * x - 1);
        }
    }
    m->energy = (float)energy;
    for (int k = 0; k < 3; k++) m->dipole[k] = (float)dipole[k];
}

void syn_generate(uint64_t seed, int64_t index, int max_heavy, syn_molecule *out)
{
    draw d = {seed, index, 0};
    int heavy = 2 + (int)(uniform(&d) * (max_heavy - 1));
    grow(&d, out, heavy);
    derive_bonds(out);
    centre_and_featurise(out);
    targets(out);
}
