/* compare_diff.h — what differs between two checkpoints before running
 * them: their resolved recipes, key by key, and their parameters, tensor by
 * tensor (shape, relative L2 difference, tensors only in one). Optimizer
 * state (tensors named "optimizer.*") is not compared. */
#ifndef SE3FLOW_CLI_COMPARE_DIFF_H
#define SE3FLOW_CLI_COMPARE_DIFF_H

#include "se3flow/se3flow.h"

/* One recipe key whose value differs; a or b NULL when the key is only in
 * the other. Strings owned by the diff. */
typedef struct recipe_change {
    char *key;   /* "model.hidden", "loggers.0.name" */
    char *a, *b; /* scalar text */
} recipe_change;

typedef struct recipe_diff {
    int count;
    recipe_change *changes; /* sorted by key */
} recipe_diff;

/* Diffs two recipe texts (YAML). S3F_ERR_FORMAT naming which one is bad. */
s3f_status recipe_diff_make(const char *a_yaml, const char *b_yaml, recipe_diff *out);
void recipe_diff_free(recipe_diff *d);

/* One parameter tensor. rel_l2 = ||b - a|| / ||a|| (||b - a|| when a is all
 * zeros), NaN when the shapes differ or the tensor is only in one file. */
typedef struct param_change {
    const char *name; /* points into the file it came from */
    bool in_a, in_b;
    s3f_shape shape_a, shape_b;
    double rel_l2;
} param_change;

typedef struct param_diff {
    int count;
    param_change *tensors; /* A's order, then those only in B */
    double total_rel_l2;   /* over every tensor in both with equal shapes */
} param_diff;

/* The files stay borrowed: names point into them until they are closed. */
s3f_status param_diff_make(const s3f_safetensors_t *a, const s3f_safetensors_t *b, param_diff *out);
void param_diff_free(param_diff *d);

#endif
