/* host_sections.h — the recipe sections the host itself owns: the top-level
 * `seed`, `train` and `schedule`, with C structs for their checked values.
 *
 * The option tables (names, types, defaults, ranges, help) live in
 * core/src/recipe/host_sections.c and follow the reference's training
 * options (shared/reference/SPEC.md §15.1 and §15.3); defaults live nowhere
 * else. Check a recipe's host sections with s3f_recipe_check_section:
 *
 *     s3f_top_options top;
 *     s3f_train_options train;
 *     s3f_schedule_options schedule;
 *     S3F_TRY(s3f_recipe_check_section(r, "", s3f_host_options(""), "se3flow",
 *                                      s3f_host_top_level_keys(), &top));
 *     S3F_TRY(s3f_recipe_check_section(r, "train", s3f_host_options("train"), NULL, NULL, &train));
 *     S3F_TRY(s3f_recipe_check_section(r, "schedule", s3f_host_options("schedule"), NULL, NULL,
 *                                      &schedule));
 *
 * Not here: the plugins' sections (`dataset`, `model`, `optimizer`,
 * `loggers`), which their own option tables check; the learning rate, which
 * is the optimizer's.
 *
 * Thread safety: everything here is constant data; any thread may read it. */
#ifndef SE3FLOW_HOST_SECTIONS_H
#define SE3FLOW_HOST_SECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "se3flow/options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options at the recipe's top level (section path ""). */
typedef struct s3f_top_options {
    int64_t seed; /* seeds every random stream of the run; default 42 as the reference's scripts */
} s3f_top_options;

/* `train:` — the training loop (SPEC §15.1, §15.3). */
typedef struct s3f_train_options {
    int64_t epochs;                  /* passes over the training split */
    int64_t batch_size;              /* molecules per batch (per rank) */
    int64_t accumulate_grad_batches; /* batches whose gradients add up before a step */
    double gradient_clip;            /* max global L2 norm of the gradients; 0: no clipping */
    int64_t eval_interval;           /* validate after every N epochs, and after the last */
    int64_t ckpt_interval;           /* checkpoint every N epochs if > 0; the last always */
    int64_t num_workers;             /* data loader threads */
    bool amp;                        /* mixed precision with loss scaling */
    const char *ckpt_dir;            /* where checkpoints go; "": the run's directory */
} s3f_train_options;

/* `schedule:` — the learning-rate schedule (SPEC §15.3). */
typedef struct s3f_schedule_options {
    const char *name;      /* "cosine_warm_restarts", "constant" or "warmup_cosine" */
    double lr;             /* the peak learning rate */
    double min_lr;         /* the cosine floor; negative: lr / 10 as the reference */
    int64_t warmup_epochs; /* warmup_cosine: linear rise from 0 to lr over these epochs */
    const char *step_per;  /* "epoch" or "step": when the schedule advances */
} s3f_schedule_options;

/* The option table of a host section: "" (the top level: seed), "train" or
 * "schedule"; NULL for any other name (those sections belong to plugins).
 * The tables are static and valid forever. Thread-safe. */
S3F_API const s3f_option *s3f_host_options(const char *section);

/* The top-level keys that are not options of s3f_host_options(""): the
 * sections (`dataset`, `model`, `optimizer`, `schedule`, `train`,
 * `loggers`) and the keys the host reads itself (`extends`, `name`,
 * `plugin_path`). NULL-terminated and static: pass it as `reserved` when
 * checking the top level, so that a misspelt section gets a suggestion. */
S3F_API const char *const *s3f_host_top_level_keys(void);

#ifdef __cplusplus
}
#endif
#endif
