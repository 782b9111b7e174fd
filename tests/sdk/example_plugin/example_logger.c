/* example_logger.c — the smallest useful se3flow plugin: a logger that
 * appends "name value" lines to a file. Built out of tree by the SDK test. */
#include <stdio.h>

#include <se3flow/plugin.h>

typedef struct example_options {
    const char *path;
} example_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("path", example_options, path, "example.log", "file to append metrics to"),
    S3F_OPT_END,
};

static s3f_status example_open(const void *options, const s3f_run_info *run, void **state)
{
    const example_options *o = options;
    FILE *f = fopen(o ? o->path : "example.log", "a");
    if (!f) return s3f_fail(S3F_ERR_IO, "example_logger: cannot open its log file");
    *state = f;
    return S3F_OK;
}

static s3f_status example_log(void *state, const s3f_metric *metrics, int count)
{
    for (int i = 0; i < count; i++) fprintf(state, "%s %g\n", metrics[i].name, metrics[i].value);
    return S3F_OK;
}

static void example_close(void *state, const char *final_status)
{
    fclose(state);
}

static const s3f_logger_i k_functions = {
    .open = example_open, .log_metrics = example_log, .close = example_close};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_LOGGER,
    .name = "example_logger",
    .version = "1.0.0",
    .summary = "appends metrics to a text file (SDK example)",
    .options = k_options,
    .options_size = sizeof(example_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
