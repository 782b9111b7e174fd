/* plugin_host.c — the search path, scanning, loading and lookup of plugins
 * (plugin_host.h). Descriptor checks are in plugin_check.c.
 *
 * Invariant: plugins[] holds only plugins whose descriptor passed the
 * checks, in search order; a plugin's handle stays open until destroy. */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_check.h"
#include "se3flow/plugin_host.h"

typedef struct loaded_plugin {
    s3f_plugin_info info;
    void *handle;
    int dir_index; /* position of its directory in the search path; -1 if loaded by path */
    char reason[256];
} loaded_plugin;

struct s3f_plugin_host {
    char **paths;
    int path_count;
    loaded_plugin **plugins;
    int plugin_count;
    char **problems;
    int problem_count;
};

s3f_status s3f_plugin_host_create(s3f_plugin_host_t **out)
{
    s3f_plugin_host_t *host = calloc(1, sizeof *host);
    if (!host) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the plugin host");
    *out = host;
    return S3F_OK;
}

void s3f_plugin_host_destroy(s3f_plugin_host_t *host)
{
    if (!host) return;
    for (int i = 0; i < host->plugin_count; i++) {
        free((char *)host->plugins[i]->info.path);
        dlclose(host->plugins[i]->handle);
        free(host->plugins[i]);
    }
    for (int i = 0; i < host->path_count; i++) free(host->paths[i]);
    for (int i = 0; i < host->problem_count; i++) free(host->problems[i]);
    free(host->plugins);
    free(host->paths);
    free(host->problems);
    free(host);
}

/* Appends a copy of `s` to a string array. */
static s3f_status push_string(char ***array, int *count, const char *s)
{
    char **grown = realloc(*array, (size_t)(*count + 1) * sizeof *grown);
    if (!grown) return s3f_fail(S3F_ERR_NOMEM, "plugin host: out of memory");
    *array = grown;
    if (!(grown[*count] = strdup(s))) return s3f_fail(S3F_ERR_NOMEM, "plugin host: out of memory");
    (*count)++;
    return S3F_OK;
}

s3f_status s3f_plugin_host_add_path(s3f_plugin_host_t *host, const char *dir)
{
    if (!dir || !*dir) return s3f_fail(S3F_ERR_ARG, "plugin host: empty plugin directory");
    return push_string(&host->paths, &host->path_count, dir);
}

static s3f_status add_env_paths(s3f_plugin_host_t *host)
{
    const char *env = getenv("SE3FLOW_PLUGIN_PATH");
    if (!env) return S3F_OK;
    char *copy = strdup(env), *save = NULL;
    if (!copy) return s3f_fail(S3F_ERR_NOMEM, "plugin host: out of memory");
    s3f_status rc = S3F_OK;
    for (char *dir = strtok_r(copy, ":", &save); dir && rc == S3F_OK;
         dir = strtok_r(NULL, ":", &save))
        rc = s3f_plugin_host_add_path(host, dir);
    free(copy);
    return rc;
}

/* The file libse3flow was loaded from, or NULL. */
static const char *library_file(void)
{
    Dl_info info;
    if (!dladdr((void *)s3f_plugin_host_create, &info)) return NULL;
    return info.dli_fname;
}

/* <libdir>/se3flow/plugins next to the running libse3flow, so an installed
 * tree can be moved (cmake --install --prefix) and still finds its plugins. */
static s3f_status add_install_path(s3f_plugin_host_t *host, const char *lib)
{
    const char *slash = strrchr(lib, '/');
    if (!slash) return S3F_OK;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s/se3flow/plugins", (int)(slash - lib), lib);
    return s3f_plugin_host_add_path(host, dir);
}

s3f_status s3f_plugin_host_add_default_paths(s3f_plugin_host_t *host)
{
    S3F_RETURN_IF_ERR(add_env_paths(host));
    const char *lib = library_file();
    if (!lib) return S3F_OK;
    /* The build tree's plugins, only for a libse3flow that lives in it. */
    if (strncmp(lib, SE3FLOW_BUILD_DIR "/", strlen(SE3FLOW_BUILD_DIR) + 1) == 0)
        S3F_RETURN_IF_ERR(s3f_plugin_host_add_path(host, SE3FLOW_BUILD_DIR "/plugins"));
    return add_install_path(host, lib);
}

int s3f_plugin_host_path_count(const s3f_plugin_host_t *host)
{
    return host->path_count;
}

const char *s3f_plugin_host_path(const s3f_plugin_host_t *host, int i)
{
    return i >= 0 && i < host->path_count ? host->paths[i] : NULL;
}

static s3f_status add_problem(s3f_plugin_host_t *host)
{
    return push_string(&host->problems, &host->problem_count, s3f_last_error());
}

/* Same kind and name as an already loaded plugin: later directories are
 * shadowed, the same directory (or two explicit loads) is an error. */
static s3f_status check_duplicate(s3f_plugin_host_t *host, loaded_plugin *p)
{
    const s3f_plugin_descriptor *d = p->info.descriptor;
    for (int i = 0; i < host->plugin_count; i++) {
        loaded_plugin *q = host->plugins[i];
        if (q->info.descriptor->kind != d->kind || strcmp(q->info.descriptor->name, d->name))
            continue;
        if (q->info.shadowed_by) continue;
        if (q->dir_index == p->dir_index)
            return s3f_fail(S3F_ERR_FORMAT,
                            "%s: %s plugin '%s' is also provided by %s; remove one of the two",
                            p->info.path, s3f_plugin_kind_name(d->kind), d->name, q->info.path);
        p->info.shadowed_by = q->info.path;
    }
    return S3F_OK;
}

static s3f_status open_descriptor(const char *path, void **handle,
                                  const s3f_plugin_descriptor **out)
{
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle)
        return s3f_fail(S3F_ERR_IO, "cannot load plugin %s: %s (check its libraries with 'ldd %s')",
                        path, dlerror(), path);
    dlerror();
    s3f_plugin_entry_fn entry = (s3f_plugin_entry_fn)dlsym(*handle, S3F_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        dlclose(*handle);
        return s3f_fail(S3F_ERR_FORMAT, "%s is not an se3flow plugin: it does not export %s()",
                        path, S3F_PLUGIN_ENTRY_SYMBOL);
    }
    const s3f_plugin_descriptor *d = entry();
    s3f_status rc = plugin_check_descriptor(d, path);
    if (rc != S3F_OK)
        dlclose(*handle);
    else
        *out = d;
    return rc;
}

static s3f_status load_from(s3f_plugin_host_t *host, const char *path, int dir_index)
{
    loaded_plugin *p = calloc(1, sizeof *p);
    char *path_copy = strdup(path);
    loaded_plugin **grown =
        realloc(host->plugins, (size_t)(host->plugin_count + 1) * sizeof *grown);
    s3f_status rc = S3F_OK;
    if (grown) host->plugins = grown;
    if (!p || !path_copy || !grown) S3F_TRY(s3f_fail(S3F_ERR_NOMEM, "plugin host: out of memory"));
    S3F_TRY(open_descriptor(path, &p->handle, &p->info.descriptor));
    p->info.path = path_copy;
    p->dir_index = dir_index;
    p->info.available = true;
    p->info.reason = p->reason;
    if (p->info.descriptor->available)
        p->info.available = p->info.descriptor->available(p->reason, sizeof p->reason);
    rc = check_duplicate(host, p);
    if (rc != S3F_OK) {
        dlclose(p->handle);
        goto fail;
    }
    host->plugins[host->plugin_count++] = p;
    return S3F_OK;
fail:
    free(path_copy);
    free(p);
    return rc;
}

s3f_status s3f_plugin_host_load(s3f_plugin_host_t *host, const char *path)
{
    return load_from(host, path, -1);
}

static bool is_plugin_file(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "se3flow_", 8) == 0 && n > 11 && strcmp(name + n - 3, ".so") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static s3f_status scan_dir(s3f_plugin_host_t *host, int dir_index)
{
    struct dirent **entries = NULL;
    int n = scandir(host->paths[dir_index], &entries, NULL, by_name);
    if (n < 0) return S3F_OK; /* a default directory that does not exist */
    s3f_status rc = S3F_OK;
    for (int i = 0; i < n; i++) {
        char path[4096];
        if (rc == S3F_OK && is_plugin_file(entries[i]->d_name)) {
            snprintf(path, sizeof path, "%s/%s", host->paths[dir_index], entries[i]->d_name);
            s3f_status load_rc = load_from(host, path, dir_index);
            if (load_rc == S3F_ERR_NOMEM)
                rc = load_rc;
            else if (load_rc != S3F_OK)
                rc = add_problem(host);
        }
        free(entries[i]);
    }
    free(entries);
    return rc;
}

s3f_status s3f_plugin_host_scan(s3f_plugin_host_t *host)
{
    for (int i = 0; i < host->path_count; i++) S3F_RETURN_IF_ERR(scan_dir(host, i));
    return S3F_OK;
}

int s3f_plugin_host_count(const s3f_plugin_host_t *host)
{
    return host->plugin_count;
}

const s3f_plugin_info *s3f_plugin_host_at(const s3f_plugin_host_t *host, int i)
{
    return i >= 0 && i < host->plugin_count ? &host->plugins[i]->info : NULL;
}

int s3f_plugin_host_problem_count(const s3f_plugin_host_t *host)
{
    return host->problem_count;
}

const char *s3f_plugin_host_problem(const s3f_plugin_host_t *host, int i)
{
    return i >= 0 && i < host->problem_count ? host->problems[i] : NULL;
}
