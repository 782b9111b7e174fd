/* qm9_fixture.h — qm9_edge.npz-layout files for the qm9 plugin's tests,
 * generated (never the real data): M molecules, stored or deflated members,
 * i4/i8 and f4/f8 dtypes, and named faults.
 *
 * Molecule k has 2 + k % 4 atoms in a chain (bonds i-(i+1), both directions,
 * sorted by (src, dst)); atom i is element (k + i) % 5 of H, C, N, O, F with
 * the one-hot and Z columns of SPEC §14.2; bond i has type i % 4. Targets:
 * column 2 (homo) is k itself, so a test can tell which molecule it got;
 * every other column c is qm9_fixture_target(k, c). With `single_atom`,
 * every molecule is one atom and no edge (the smallest file of a given M). */
#ifndef SE3FLOW_TEST_QM9_FIXTURE_H
#define SE3FLOW_TEST_QM9_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum qm9_fault {
    QM9_FAULT_NONE = 0,
    QM9_FAULT_DTYPE,     /* src stored as <f8 */
    QM9_FAULT_FORTRAN,   /* node_pos in Fortran order */
    QM9_FAULT_SUMS,      /* n_node[0] one too many: sums disagree with node_pos */
    QM9_FAULT_SRC_RANGE, /* dst of molecule 1's first edge = its atom count */
    QM9_FAULT_HEADER,    /* the targets member ends inside its .npy header */
    QM9_FAULT_DIRECTORY, /* the central directory offset points past the file */
    QM9_FAULT_HUGE,      /* node_pos declares 2^60 rows */
    QM9_FAULT_CRC,       /* edge_attr's CRC-32 is wrong */
    QM9_FAULT_TRUNCATED, /* the file cut at half its length */
    QM9_FAULT_MISSING,   /* no `targets` member */
} qm9_fault;

typedef struct qm9_fixture {
    int64_t molecules;
    bool deflate;     /* members deflated (else stored) */
    bool narrow;      /* <i4 counts and indices, <f4 floats (else <i8, <f8) */
    bool single_atom; /* one atom, no edges per molecule */
    qm9_fault fault;
} qm9_fixture;

/* Target column c (c != 2) of molecule k. */
double qm9_fixture_target(int64_t k, int c);
/* Writes the file; 0 on success, -1 (with a message on stderr) otherwise. */
int qm9_fixture_write(const qm9_fixture *f, const char *path);

#endif
