/* scratch.h — large work buffers for the TFN kernels, kept between calls.
 *
 * The kernels need buffers of several megabytes per block and per thread
 * (a chunk's radial weights) in every forward and backward. Taken from
 * malloc each time they are fresh mmap'd pages, and the page faults cost a
 * fifth of a training step (measured on the quickstart model). This pool
 * keeps up to SCRATCH_SLOTS freed buffers for reuse; it holds at most what
 * the largest step needed at once. Thread-safe. */
#ifndef SE3T_SCRATCH_H
#define SE3T_SCRATCH_H

#include <stddef.h>

/* At least `bytes` bytes (contents undefined), or NULL when out of memory. */
void *scratch_take(size_t bytes);
/* Hands a buffer from scratch_take back (NULL is a no-op). */
void scratch_give(void *p);
/* Frees every idle buffer the pool keeps (a model's destroy calls it, so
 * nothing outlives the models, nor a plugin that is unloaded). */
void scratch_release(void);

#endif
