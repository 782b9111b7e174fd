/* ckpt_convert.h — `se3flow ckpt convert`: an se3_transformer checkpoint
 * rewritten from its fusion layout into a less fused one (FULL -> PARTIAL
 * -> NONE, SPEC §12.6), so that a model built with that fuse_level loads
 * it and computes the same function. */
#ifndef SE3FLOW_CLI_CKPT_CONVERT_H
#define SE3FLOW_CLI_CKPT_CONVERT_H

#include "se3flow/se3flow.h"

/* Converts `in` to layout `layout` ("partial" or "none") and writes `out`
 * atomically. The model options (num_degrees, num_channels, use_layer_norm,
 * fuse_level) come from the checkpoint's stored recipe; `out`'s recipe has
 * model.fuse_level set to the new layout. Radial networks of the fused
 * layouts (names `<P>.conv.radial_func.net.*` for FULL and
 * `<P>.conv_out.<d>.radial_func.net.*` for PARTIAL) are split into the
 * derived networks: hidden layers copied, last-layer rows gathered. Every
 * other parameter is copied as it is; optimizer state is not carried (it
 * belongs to the old layout's parameters).
 * S3F_ERR_UNSUPPORTED: the reverse direction or the same layout (the
 * message says why). S3F_ERR_ARG: not an se3_transformer checkpoint, an
 * unknown layout, a recipe value missing. S3F_ERR_SHAPE: a radial weight
 * whose rows do not factor as the options say. S3F_ERR_IO/FORMAT: files. */
s3f_status ckpt_convert_file(const char *in, const char *out, const char *layout);

#endif
