/* compare_report.h — printing a comparison of two checkpoints as text (for
 * people) or one JSON object (for tools). Schema of the JSON:
 *   {"a": {"checkpoint", "mae"}, "b": {...}, "split", "unit", "molecules",
 *    "difference": {"mae_a_minus_b", "ci95": [low, high], "resamples", "seed"},
 *    "share": {"a_better", "b_better", "ties"},
 *    "recipe_diff": [{"key", "a", "b"}],          (null where a key is absent)
 *    "parameters": [{"name", "shape_a", "shape_b", "rel_l2"}],  (null when absent)
 *    "parameters_rel_l2"} */
#ifndef SE3FLOW_CLI_COMPARE_REPORT_H
#define SE3FLOW_CLI_COMPARE_REPORT_H

#include <stdio.h>

#include "compare_diff.h"
#include "compare_stats.h"

typedef struct compare_report {
    const char *path_a, *path_b, *split, *unit;
    uint64_t seed;
    const recipe_diff *recipes;
    const param_diff *params;
    paired_result result;
} compare_report;

void compare_report_text(FILE *out, const compare_report *r);
/* S3F_ERR_NOMEM when the JSON cannot be built. */
s3f_status compare_report_json(FILE *out, const compare_report *r);

#endif
