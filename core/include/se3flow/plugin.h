/* plugin.h — plugin ABI version 1: what a plugin shared object exports.
 *
 * A plugin exports one function, s3f_plugin_entry, returning a pointer to a
 * constant descriptor whose first field is the ABI version. The host keeps
 * the pointer (it never copies the struct by its own sizeof), refuses another
 * ABI version naming both numbers, and names any missing or empty required
 * field. The descriptor's `interface` points to the function table of its
 * kind (s3f_logger_i, s3f_optimizer_i, ...); optional members may be NULL and
 * the host supplies a default for them.
 *
 * A plugin includes only <se3flow/...> headers and links libse3flow.
 *
 *     static const s3f_logger_i k_functions = {.open = my_open, ...};
 *     static const s3f_plugin_descriptor k_plugin = {
 *         .abi_version = S3F_PLUGIN_ABI_VERSION, .kind = S3F_PLUGIN_LOGGER,
 *         .name = "csv", .version = "1.0.0", .summary = "metrics as CSV files",
 *         .options = k_options, .options_size = sizeof(my_opts), .interface = &k_functions};
 *     S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void) { return &k_plugin; }
 */
#ifndef SE3FLOW_PLUGIN_H
#define SE3FLOW_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "se3flow/context.h"
#include "se3flow/graph.h"
#include "se3flow/options.h"
#include "se3flow/params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define S3F_PLUGIN_ABI_VERSION  1u
#define S3F_PLUGIN_ENTRY_SYMBOL "s3f_plugin_entry"
#if defined(__GNUC__)
#define S3F_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define S3F_PLUGIN_EXPORT
#endif

typedef enum s3f_plugin_kind {
    S3F_PLUGIN_DATASET = 1,
    S3F_PLUGIN_MODEL = 2,
    S3F_PLUGIN_OPTIMIZER = 3,
    S3F_PLUGIN_LOGGER = 4,
} s3f_plugin_kind;

/* "dataset", "model", "optimizer", "logger"; "unknown" otherwise. */
S3F_API const char *s3f_plugin_kind_name(s3f_plugin_kind kind);

typedef struct s3f_plugin_descriptor {
    uint32_t abi_version; /* S3F_PLUGIN_ABI_VERSION; always first */
    s3f_plugin_kind kind;
    const char *name;          /* unique per kind; [a-z0-9_]+; what recipes write */
    const char *version;       /* the plugin's own version, e.g. "1.2.0" */
    const char *summary;       /* one line for `se3flow plugins` */
    const s3f_option *options; /* S3F_OPT_END-terminated; required (may be just the end) */
    size_t options_size;       /* bytes of the options struct the host fills (0: none) */
    /* Optional. False, with a reason, when the plugin cannot run on this
     * machine (e.g. no CUDA device); listing shows it, tests skip with it. */
    bool (*available)(char *reason, size_t reason_size);
    const void *interface; /* the kind's function table; required */
} s3f_plugin_descriptor;

typedef const s3f_plugin_descriptor *(*s3f_plugin_entry_fn)(void);

/* ---- loggers ------------------------------------------------------------ */

/* What a logger learns about the run when it opens. All strings borrowed for
 * the duration of the call; copy what you keep. */
typedef struct s3f_run_info {
    int64_t run_id; /* the run store's id */
    const char *run_name;
    const char *kind;        /* "train", "predict", "bench", ... */
    const char *run_dir;     /* directory for this run's files (exists) */
    const char *recipe_yaml; /* the resolved recipe */
    bool quiet;              /* --quiet: print nothing but errors */
} s3f_run_info;

/* One scalar: `name` at a step (optimizer steps since the start) and epoch,
 * for a split ("train", "val", "test" or "" when not about a split). */
typedef struct s3f_metric {
    const char *name;
    const char *split;
    double value;
    int64_t step;
    int64_t epoch;
    double wall_time; /* seconds since the Unix epoch */
} s3f_metric;

/* Where training stands inside an epoch (for progress bars). */
typedef struct s3f_progress {
    int64_t epoch, epochs;  /* 1-based epoch of `epochs` */
    int64_t batch, batches; /* 1-based batch of `batches` in this epoch */
    double loss;            /* running mean of the epoch's training loss */
    double molecules_per_second;
    double elapsed_seconds; /* since the epoch started */
} s3f_progress;

typedef struct s3f_logger_i {
    /* Required. *state is the logger's own; options points to its filled
     * options struct (NULL when options_size is 0). */
    s3f_status (*open)(const void *options, const s3f_run_info *run, void **state);
    /* Required. */
    s3f_status (*log_metrics)(void *state, const s3f_metric *metrics, int count);
    /* Optional: a line of text (e.g. "checkpoint written to ..."). */
    s3f_status (*log_text)(void *state, const char *text);
    /* Optional: called often during an epoch; cheap loggers only. */
    s3f_status (*progress)(void *state, const s3f_progress *progress);
    /* Required: flush and free; final_status is "completed", "failed", ... */
    void (*close)(void *state, const char *final_status);
} s3f_logger_i;

/* ---- datasets ------------------------------------------------------------ */

typedef enum s3f_dataset_split {
    S3F_SPLIT_TRAIN = 0,
    S3F_SPLIT_VAL = 1,
    S3F_SPLIT_TEST = 2
} s3f_dataset_split;
#define S3F_SPLIT_COUNT 3

/* What a dataset holds. Strings and arrays are owned by the dataset and stay
 * valid while it is open. */
typedef struct s3f_dataset_desc {
    s3f_graph_layout layout;         /* feature and target sizes */
    const char *const *target_names; /* (T), e.g. "homo" */
    const char *const *target_units; /* (T), e.g. "eV" */
    int64_t split_size[S3F_SPLIT_COUNT];
    /* Normalisation of the targets, from the training split (SPEC §14.5):
     * the runtime trains on (target - mean) / std. NULL: none. */
    const double *target_mean; /* (T) */
    const double *target_std;  /* (T) */
    /* Where the data came from, for the run's records and `se3flow data
     * info`: the file read and the SHA-256 of its bytes (64 hex digits).
     * NULL when the data is not one file (generated, several files). */
    const char *source_path;
    const char *source_sha256;
} s3f_dataset_desc;

/* What the host tells a dataset when opening it. */
typedef struct s3f_dataset_env {
    uint64_t seed;        /* the recipe's seed, for datasets that generate or shuffle */
    const char *data_dir; /* default directory for downloads and caches (exists) */
    bool quiet;
} s3f_dataset_env;

typedef struct s3f_dataset_i {
    /* Required. */
    s3f_status (*open)(const void *options, const s3f_dataset_env *env, void **state);
    /* Required. */
    s3f_status (*describe)(void *state, s3f_dataset_desc *out);
    /* Required; must be safe to call from several threads at once. */
    s3f_status (*get)(void *state, s3f_dataset_split split, int64_t index, s3f_molecule *out);
    /* Required. NULL is a no-op. */
    void (*close)(void *state);
} s3f_dataset_i;

/* ---- models -------------------------------------------------------------- */

typedef struct s3f_model_i {
    /* Required: a model for data described by `data`, parameters on
     * `device`, initialised from `seed`. */
    s3f_status (*create)(const void *options, const s3f_dataset_desc *data, s3f_device device,
                         uint64_t seed, void **state);
    /* Required: the model's parameters, named as the reference's state dict
     * (owned by the model). */
    s3f_params_t *(*params)(void *state);
    /* Required: predictions (B, T) in normalised units for a batch, recorded
     * on ctx's tape when gradients are on. */
    s3f_status (*forward)(void *state, s3f_ctx_t *ctx, const s3f_graph_batch *batch,
                          s3f_tensor **predictions);
    /* Required. NULL is a no-op. */
    void (*destroy)(void *state);
} s3f_model_i;

/* ---- optimizers --------------------------------------------------------- */

typedef struct s3f_optimizer_i {
    /* Required: state for optimizing `params` (borrowed; outlives state). */
    s3f_status (*create)(const void *options, s3f_params_t *params, void **state);
    /* Required: one update from the gradients in the parameter slab. */
    s3f_status (*step)(void *state, double lr);
    /* Required: the optimizer's state as named tensors (owned by the state),
     * for checkpoints; restoring copies into the same tensors. */
    s3f_status (*state_tensors)(void *state, int *count, const char *const **names,
                                s3f_tensor *const **tensors);
    /* Required. NULL is a no-op. */
    void (*destroy)(void *state);
} s3f_optimizer_i;

#ifdef __cplusplus
}
#endif
#endif
