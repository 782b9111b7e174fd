/* radial_kernel.h — the radial weights of tfn_conv, W (n, rows) = z · Rᵀ
 * (z: n edges' hidden activations, R: a block's last radial layer, rows ×
 * hidden), as an AVX-512 kernel on a packed copy of R.
 *
 * With hidden = 32 this product is short and wide (K = 32, tens of
 * thousands of columns); through BLAS, a third of its time went to packing
 * R again for every 64 edges and to zero-filling W before writing it
 * (profile of a QM9 training step). Here R is packed once per block and
 * call, in tiles of TILE rows (RADIAL_TILE_F32 or _F64) stored hidden-major
 * (tile t holds Rp[t][h][c] = R[row t·TILE + c][h], zero past the last row), and
 * each 8-edge by one-tile block of W is summed in registers over h, in
 * increasing h, and stored once: results do not depend on the thread
 * count or on how the caller splits the edges.
 *
 * Callers check radial_kernel_supported() and use BLAS otherwise
 * (machines without AVX-512). */
#ifndef SE3T_RADIAL_KERNEL_H
#define SE3T_RADIAL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

/* Rows per packed tile: two vector registers of f32 (f64 uses 16). */
#define RADIAL_TILE_F32 32
#define RADIAL_TILE_F64 16

/* Whether this CPU runs the kernels (AVX-512F), unless the environment
 * says SE3FLOW_RADIAL_KERNEL=blas (to compare, or to rule the kernel out). */
bool radial_kernel_supported(void);

/* Values (floats or doubles) in the packed copy of a rows × hidden R. */
int64_t radial_packed_len_f32(int64_t rows, int hidden);
int64_t radial_packed_len_f64(int64_t rows, int hidden);

/* Rp = R packed (see above), its row r taken from R's row from[r]
 * (from == NULL: row r). */
void radial_pack_f32(const float *R, const int64_t *from, int64_t rows, int hidden, float *Rp);
void radial_pack_f64(const double *R, const int64_t *from, int64_t rows, int hidden, double *Rp);

/* W[e, r] = Σ_h z[e·zw + h] · R[r, h] for e < n, r < rows; W's rows are
 * ldw apart. Only when radial_kernel_supported(). */
void radial_weights_packed_f32(const float *Rp, int64_t rows, int hidden, const float *z,
                               int64_t zw, int64_t n, float *W, int64_t ldw);
void radial_weights_packed_f64(const double *Rp, int64_t rows, int hidden, const double *z,
                               int64_t zw, int64_t n, double *W, int64_t ldw);

#endif
