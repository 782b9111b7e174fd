/* host_sections.c — the option tables of the host's own recipe sections
 * (host_sections.h): the top level (`seed`), `train` and `schedule`.
 *
 * Defaults and meanings follow the reference's training script
 * (shared/reference/SPEC.md §15.1 options, §15.2 scripts, §15.3 loop). Where
 * the reference has "none" we need a value of the option's type, noted
 * beside each.
 *
 * Not here: checking (recipe/check.c); the runtime that uses the values.
 *
 * Invariant: every table passes s3f_options_validate (a unit test checks). */
#include <math.h>
#include <string.h>

#include "se3flow/host_sections.h"

/* 2^53: every integer up to it is exact in the double bounds of a table. */
#define MAX_EXACT_INT 9007199254740992.0
#define MANY          1000000

static const s3f_option k_top[] = {
    /* SPEC §15.1: --seed has no default; the published scripts (§15.2) pass 42. */
    S3F_OPT_INT("seed", s3f_top_options, seed, "42", 0, MAX_EXACT_INT,
                "seed of every random stream of the run (initialization, shuffling)"),
    S3F_OPT_END,
};

static const s3f_option k_train[] = {
    S3F_OPT_INT("epochs", s3f_train_options, epochs, "100", 1, MANY,
                "passes over the training split (SPEC §15.1)"),
    S3F_OPT_INT("batch_size", s3f_train_options, batch_size, "240", 1, MANY,
                "molecules per batch, per rank (SPEC §15.1)"),
    S3F_OPT_INT("accumulate_grad_batches", s3f_train_options, accumulate_grad_batches, "1", 1, MANY,
                "batches whose gradients add up before each optimizer step (SPEC §15.3)"),
    /* SPEC §15.1: none; 0 stands for none (a norm limit of 0 would be meaningless). */
    S3F_OPT_FLOAT("gradient_clip", s3f_train_options, gradient_clip, "0", 0, INFINITY,
                  "clip the global gradient L2 norm to this; 0: no clipping (SPEC §15.3)"),
    /* SPEC §15.3 and §19: every 20 epochs and after the last, not every epoch. */
    S3F_OPT_INT("eval_interval", s3f_train_options, eval_interval, "20", 1, MANY,
                "validate after every N epochs and after the last (SPEC §15.3)"),
    S3F_OPT_INT("ckpt_interval", s3f_train_options, ckpt_interval, "-1", -1, MANY,
                "checkpoint every N epochs if > 0; the final checkpoint is always written "
                "(SPEC §15.5)"),
    S3F_OPT_INT("num_workers", s3f_train_options, num_workers, "8", 0, 1024,
                "data loader threads (SPEC §15.1)"),
    S3F_OPT_BOOL("amp", s3f_train_options, amp, "false",
                 "mixed precision with dynamic loss scaling (SPEC §15.3)"),
    /* SPEC §15.1 --save_ckpt_path: none; "" puts checkpoints in the run's directory. */
    S3F_OPT_STRING("ckpt_dir", s3f_train_options, ckpt_dir, "''",
                   "directory for checkpoints; empty: the run's directory"),
    S3F_OPT_END,
};

static const char *const k_schedule_names[] = {"cosine_warm_restarts", "constant", "warmup_cosine",
                                               NULL};
static const char *const k_step_per[] = {"epoch", "step", NULL};

static const s3f_option k_schedule[] = {
    /* SPEC §15.3: CosineAnnealingWarmRestarts(T_0 = epochs, T_mult = 1). */
    S3F_OPT_CHOICE("name", s3f_schedule_options, name, "cosine_warm_restarts", k_schedule_names,
                   "learning-rate schedule (SPEC §15.3)"),
    /* SPEC §15.1: --min_lr none -> lr / 10; a negative value stands for that. */
    /* SPEC §15.1: --learning_rate 0.002 (train.sh passes the same). */
    S3F_OPT_FLOAT("lr", s3f_schedule_options, lr, "0.002", 1e-12, 10,
                  "peak learning rate handed to the optimizer"),
    S3F_OPT_FLOAT("min_lr", s3f_schedule_options, min_lr, "-1", -1, INFINITY,
                  "cosine floor; negative: the optimizer's lr / 10 (SPEC §15.1)"),
    S3F_OPT_INT("warmup_epochs", s3f_schedule_options, warmup_epochs, "0", 0, MANY,
                "warmup_cosine: epochs of linear rise from 0 to lr"),
    /* SPEC §15.3: the reference steps its scheduler once at the end of every epoch. */
    S3F_OPT_CHOICE("step_per", s3f_schedule_options, step_per, "epoch", k_step_per,
                   "advance the schedule once per epoch or once per optimizer step (SPEC §15.3)"),
    S3F_OPT_END,
};

static const char *const k_top_level_keys[] = {
    "dataset", "model",   "optimizer", "schedule",    "train",
    "loggers", "extends", "name",      "plugin_path", NULL,
};

const s3f_option *s3f_host_options(const char *section)
{
    if (!section) return NULL;
    if (strcmp(section, "") == 0) return k_top;
    if (strcmp(section, "train") == 0) return k_train;
    if (strcmp(section, "schedule") == 0) return k_schedule;
    return NULL;
}

const char *const *s3f_host_top_level_keys(void)
{
    return k_top_level_keys;
}
