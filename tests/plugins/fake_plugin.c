/* fake_plugin.c — one source, many plugins: compile definitions turn it into
 * a valid logger or into each kind of broken plugin the host must refuse
 * (see CMakeLists.txt beside this file). The logger itself does nothing but
 * count what it is given. */
#include <stdlib.h>

#include "se3flow/plugin.h"

#ifndef FAKE_NAME
#define FAKE_NAME "fake"
#endif
#ifndef FAKE_ABI
#define FAKE_ABI S3F_PLUGIN_ABI_VERSION
#endif
#ifndef FAKE_KIND
#define FAKE_KIND S3F_PLUGIN_LOGGER
#endif
#ifndef FAKE_SUMMARY
#define FAKE_SUMMARY "a test logger that counts metrics"
#endif
#ifndef FAKE_DEPTH_DEFAULT
#define FAKE_DEPTH_DEFAULT "3"
#endif

typedef struct fake_options {
    int64_t depth;
} fake_options;

static const s3f_option k_options[] = {
    S3F_OPT_INT("depth", fake_options, depth, FAKE_DEPTH_DEFAULT, 1, 10, "how deep to count"),
    S3F_OPT_END,
};

#ifdef FAKE_UNRESOLVED
/* Defined nowhere: RTLD_NOW must refuse the file. */
extern int s3f_symbol_that_does_not_exist(void);
#endif

static s3f_status fake_open(const void *options, const s3f_run_info *run, void **state)
{
#ifdef FAKE_UNRESOLVED
    if (s3f_symbol_that_does_not_exist()) return S3F_ERR_INTERNAL;
#endif
    *state = calloc(1, sizeof(int));
    return *state ? S3F_OK : S3F_ERR_NOMEM;
}

#ifndef FAKE_NO_LOG_METRICS
static s3f_status fake_log(void *state, const s3f_metric *metrics, int count)
{
    *(int *)state += count;
    return S3F_OK;
}
#endif

static void fake_close(void *state, const char *final_status)
{
    free(state);
}

static const s3f_logger_i k_functions = {
    .open = fake_open,
#ifndef FAKE_NO_LOG_METRICS
    .log_metrics = fake_log,
#endif
    .close = fake_close,
};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = FAKE_ABI,
    .kind = FAKE_KIND,
    .name = FAKE_NAME,
    .version = "0.0.1",
    .summary = FAKE_SUMMARY,
    .options = k_options,
    .options_size = sizeof(fake_options),
    .interface = &k_functions,
};

#ifndef FAKE_NO_ENTRY
S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
#else
S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *some_other_function(void)
{
    return &k_plugin;
}
#endif
