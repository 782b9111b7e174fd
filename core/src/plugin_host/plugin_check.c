/* plugin_check.c — what a descriptor must hold before the host uses it.
 *
 * The ABI version is read first and alone: a descriptor of another version
 * may have another layout, so nothing else is read from it. */
#include <string.h>

#include "plugin_check.h"

const char *s3f_plugin_kind_name(s3f_plugin_kind kind)
{
    switch (kind) {
    case S3F_PLUGIN_DATASET:
        return "dataset";
    case S3F_PLUGIN_MODEL:
        return "model";
    case S3F_PLUGIN_OPTIMIZER:
        return "optimizer";
    case S3F_PLUGIN_LOGGER:
        return "logger";
    }
    return "unknown";
}

static s3f_status missing(const char *path, const char *field)
{
    return s3f_fail(S3F_ERR_FORMAT,
                    "%s: the plugin descriptor's required field '%s' is missing or empty", path,
                    field);
}

static bool empty(const char *s)
{
    return !s || !*s;
}

static s3f_status check_name(const char *path, const char *name)
{
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return s3f_fail(S3F_ERR_FORMAT, "%s: plugin name '%s' may only hold a-z, 0-9 and '_'",
                            path, name);
    return S3F_OK;
}

/* The required members of each kind's function table. */
static s3f_status check_interface(const s3f_plugin_descriptor *d, const char *path)
{
    if (!d->interface) return missing(path, "interface");
    if (d->kind == S3F_PLUGIN_LOGGER) {
        const s3f_logger_i *f = d->interface;
        if (!f->open) return missing(path, "interface.open");
        if (!f->log_metrics) return missing(path, "interface.log_metrics");
        if (!f->close) return missing(path, "interface.close");
    } else if (d->kind == S3F_PLUGIN_DATASET) {
        const s3f_dataset_i *f = d->interface;
        if (!f->open) return missing(path, "interface.open");
        if (!f->describe) return missing(path, "interface.describe");
        if (!f->get) return missing(path, "interface.get");
        if (!f->close) return missing(path, "interface.close");
    } else if (d->kind == S3F_PLUGIN_MODEL) {
        const s3f_model_i *f = d->interface;
        if (!f->create) return missing(path, "interface.create");
        if (!f->params) return missing(path, "interface.params");
        if (!f->forward) return missing(path, "interface.forward");
        if (!f->destroy) return missing(path, "interface.destroy");
    } else if (d->kind == S3F_PLUGIN_OPTIMIZER) {
        const s3f_optimizer_i *f = d->interface;
        if (!f->create) return missing(path, "interface.create");
        if (!f->step) return missing(path, "interface.step");
        if (!f->state_tensors) return missing(path, "interface.state_tensors");
        if (!f->destroy) return missing(path, "interface.destroy");
    }
    return S3F_OK;
}

s3f_status plugin_check_descriptor(const s3f_plugin_descriptor *d, const char *path)
{
    if (!d) return s3f_fail(S3F_ERR_FORMAT, "%s: s3f_plugin_entry() returned NULL", path);
    if (d->abi_version != S3F_PLUGIN_ABI_VERSION)
        return s3f_fail(S3F_ERR_FORMAT,
                        "%s: plugin ABI version %u, but this se3flow speaks version %u; rebuild "
                        "the plugin against this se3flow's headers",
                        path, d->abi_version, S3F_PLUGIN_ABI_VERSION);
    if (!strcmp(s3f_plugin_kind_name(d->kind), "unknown"))
        return s3f_fail(S3F_ERR_FORMAT,
                        "%s: unknown plugin kind %d (expected dataset, model, optimizer or logger)",
                        path, (int)d->kind);
    if (empty(d->name)) return missing(path, "name");
    if (empty(d->version)) return missing(path, "version");
    if (empty(d->summary)) return missing(path, "summary");
    S3F_RETURN_IF_ERR(check_name(path, d->name));
    if (!d->options) return missing(path, "options");
    s3f_status rc = s3f_options_validate(d->options, d->name);
    if (rc != S3F_OK) return s3f_fail_context(S3F_ERR_FORMAT, "%s: ", path);
    return check_interface(d, path);
}
