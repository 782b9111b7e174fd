/* plugin_host.h — finding, opening, checking and listing plugins.
 *
 * The host scans a list of directories for files named se3flow_*.so, opens
 * each with dlopen(RTLD_NOW | RTLD_LOCAL) (so a missing symbol fails at
 * load), calls its s3f_plugin_entry and checks the descriptor: ABI version,
 * kind, required fields, the kind's required functions and the option table.
 * Directories are searched in the order they were added; the conventional
 * order is the recipe's plugin_path, then $SE3FLOW_PLUGIN_PATH, then the
 * build tree, then the install prefix (s3f_plugin_host_add_default_paths adds
 * the last three). A plugin found in an earlier directory shadows one of the
 * same kind and name found later; two in the same directory are an error.
 *
 * Files that fail to load are not fatal for listing: they are kept as
 * problems, which `se3flow plugins` prints and s3f_plugin_host_find reports
 * when asked for that name. Not thread-safe. */
#ifndef SE3FLOW_PLUGIN_HOST_H
#define SE3FLOW_PLUGIN_HOST_H

#include "se3flow/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct s3f_plugin_host s3f_plugin_host_t;

typedef struct s3f_plugin_info {
    const s3f_plugin_descriptor *descriptor; /* the plugin's own constant */
    const char *path;                        /* file it came from */
    bool available;                          /* descriptor->available() said yes (or has none) */
    const char *reason;                      /* why not available; "" otherwise */
    const char *shadowed_by;                 /* path of the plugin that hides this one, or NULL */
} s3f_plugin_info;

S3F_API s3f_status s3f_plugin_host_create(s3f_plugin_host_t **out);
/* Closes every plugin: descriptors and functions from them become invalid. */
S3F_API void s3f_plugin_host_destroy(s3f_plugin_host_t *host);

/* Appends a directory to search (copied). A missing directory is skipped
 * quietly at scan time, since the default ones may not exist. */
S3F_API s3f_status s3f_plugin_host_add_path(s3f_plugin_host_t *host, const char *dir);
/* Appends each directory of $SE3FLOW_PLUGIN_PATH (':'-separated), then the
 * build tree's plugins/ (only when libse3flow runs from the build tree), then
 * <libdir>/se3flow/plugins beside the running libse3flow (the install). */
S3F_API s3f_status s3f_plugin_host_add_default_paths(s3f_plugin_host_t *host);
/* Number of directories, and the i-th (borrowed). */
S3F_API int s3f_plugin_host_path_count(const s3f_plugin_host_t *host);
S3F_API const char *s3f_plugin_host_path(const s3f_plugin_host_t *host, int i);

/* Opens every se3flow_*.so in the directories, in order; files are taken in
 * name order within a directory. Only fails on memory exhaustion: bad files
 * become problems. */
S3F_API s3f_status s3f_plugin_host_scan(s3f_plugin_host_t *host);

/* Opens and checks one file. On success the plugin joins the host's list.
 * S3F_ERR_FORMAT with the file, and the missing symbol, field or both ABI
 * versions; S3F_ERR_IO when dlopen fails (message has dlerror() and a hint to
 * run ldd). */
S3F_API s3f_status s3f_plugin_host_load(s3f_plugin_host_t *host, const char *path);

/* The plugin of `kind` called `name`. S3F_ERR_ARG when there is none: the
 * message names the kind, the closest name found, every plugin of that kind
 * and where the host looked (or the problem of a file that failed to load). */
S3F_API s3f_status s3f_plugin_host_find(const s3f_plugin_host_t *host, s3f_plugin_kind kind,
                                        const char *name, const s3f_plugin_info **out);

S3F_API int s3f_plugin_host_count(const s3f_plugin_host_t *host);
S3F_API const s3f_plugin_info *s3f_plugin_host_at(const s3f_plugin_host_t *host, int i);
/* Files that failed to load, with the reason ("path: message"). */
S3F_API int s3f_plugin_host_problem_count(const s3f_plugin_host_t *host);
S3F_API const char *s3f_plugin_host_problem(const s3f_plugin_host_t *host, int i);

#ifdef __cplusplus
}
#endif
#endif
