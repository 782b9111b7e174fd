/* predict_output.h — writing predictions as CSV or JSON lines, chosen by the
 * file's extension (.csv, .jsonl). Values are physical units; an unknown
 * target and its error are left empty (CSV) or null (JSON). */
#ifndef SE3FLOW_CLI_PREDICT_OUTPUT_H
#define SE3FLOW_CLI_PREDICT_OUTPUT_H

#include "predictions.h"

/* S3F_ERR_ARG for another extension (checked before any work: call it with
 * p = NULL to check only), S3F_ERR_IO naming the file. Written atomically. */
s3f_status predict_output_write(const char *path, const prediction_set *p,
                                const char *const *target_names);

#endif
