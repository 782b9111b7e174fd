/* dims.h — the dimension letters used in shape comments across se3flow.
 *
 * Every tensor field and argument carries its shape in a comment using these
 * letters, e.g. `/ * (E, C, 2l+1) * /`. This header holds no code: it is the
 * one place the letters are defined.
 *
 *   B   graphs (molecules) in a batch
 *   N   nodes (atoms), all graphs of a batch together
 *   E   directed edges (bonds, both directions), all graphs together
 *   C   channels (multiplicity of a degree in a fiber)
 *   l   degree of a representation; M = 2l+1 its components
 *   J   degree of a spherical harmonic inside a basis, |l_in - l_out| <= J <= l_in + l_out
 *   F   radial frequencies (the number of J for a degree pair)
 *   H   attention heads
 *   K   the contracted (inner) dimension of a matrix product
 *   S   segments (e.g. one per destination node in a segment op)
 */
#ifndef SE3FLOW_DIMS_H
#define SE3FLOW_DIMS_H
#endif
