/* run_setup.h — a recipe resolved into what a run needs: the host's
 * sections as structs, each plugin found and its options filled, and the
 * resolved recipe text (every default written in). Shared by the commands
 * that start from a recipe (run; later predict and bench). */
#ifndef SE3FLOW_CLI_RUN_SETUP_H
#define SE3FLOW_CLI_RUN_SETUP_H

#include "se3flow/se3flow.h"

#define RUN_MAX_LOGGERS 8
/* Where datasets download to and keep caches (relative to the working directory). */
#define RUN_DATA_DIR "data"

typedef struct run_plugin {
    const s3f_plugin_descriptor *descriptor; /* from the host; valid while it lives */
    void *options;                           /* heap, options_size bytes (NULL if 0) */
} run_plugin;

typedef struct run_setup {
    s3f_recipe_t *recipe;
    s3f_plugin_host_t *host;
    s3f_top_options top;
    s3f_train_options train;
    s3f_schedule_options schedule;
    run_plugin dataset, model, optimizer;
    run_plugin loggers[RUN_MAX_LOGGERS];
    int logger_count;
    char *resolved; /* the resolved recipe as YAML (heap) */
} run_setup;

/* What the command line adds to the recipe. */
typedef struct run_request {
    const char *recipe_path;
    /* Instead of reading recipe_path: a recipe as text (a checkpoint's stored
     * one), called recipe_path in messages. NULL: read the file. */
    const char *recipe_text;
    const char *const *sets; /* "a.b=c" overrides, in order */
    int set_count;
    const char *const *plugin_paths; /* --plugin-path directories */
    int plugin_path_count;
    /* Stop after the dataset (commands about the data): the model, optimizer
     * and loggers are neither resolved nor required, and `resolved` is NULL. */
    bool dataset_only;
} run_request;

/* Loads, overrides, checks and resolves. On failure the message names the
 * file, line, key or plugin; *setup is left empty (safe to free). */
s3f_status run_setup_load(const run_request *request, run_setup *setup);
void run_setup_free(run_setup *setup);

#endif
