/* generate.h — deterministic synthetic molecules for the `synthetic` dataset
 * plugin: geometry, bonds from distances, features and targets. */
#ifndef SYNTHETIC_GENERATE_H
#define SYNTHETIC_GENERATE_H

#include <stdint.h>

#define SYN_MAX_ATOMS     32
#define SYN_MAX_EDGES     (2 * SYN_MAX_ATOMS * 4)
#define SYN_NODE_FEATURES 6 /* one-hot H, C, N, O, F + atomic number (SPEC §14.2) */
#define SYN_EDGE_FEATURES 4 /* one-hot single, double, triple, aromatic */

/* Elements by index in the one-hot: H, C, N, O, F. */
enum { SYN_H, SYN_C, SYN_N, SYN_O, SYN_F, SYN_ELEMENTS };

typedef struct syn_molecule {
    int32_t num_atoms, num_edges;
    uint8_t element[SYN_MAX_ATOMS];
    float pos[SYN_MAX_ATOMS * 3]; /* Å, centred on the centroid */
    float node_features[SYN_MAX_ATOMS * SYN_NODE_FEATURES];
    int32_t src[SYN_MAX_EDGES], dst[SYN_MAX_EDGES]; /* both directions, sorted by (src, dst) */
    float edge_features[SYN_MAX_EDGES * SYN_EDGE_FEATURES];
    float energy;    /* Morse pair energy, "eV" */
    float dipole[3]; /* fixed per-element charges, e·Å */
} syn_molecule;

/* Molecule `index` of the stream `seed`, with 2..max_heavy heavy atoms
 * (max_heavy <= 9) and hydrogens to fill valences. Same inputs, same
 * molecule, on any machine. */
void syn_generate(uint64_t seed, int64_t index, int max_heavy, syn_molecule *out);

#endif
