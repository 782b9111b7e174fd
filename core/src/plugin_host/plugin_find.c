/* plugin_find.c — looking a plugin up by kind and name, and the message a
 * user gets when it is not there: the closest name, what exists, where the
 * host looked, and why files that would not load were refused. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "se3flow/plugin_host.h"
#include "se3flow/recipe.h"

#define MAX_LISTED 256

typedef struct message {
    char text[4096];
    size_t len;
} message;

static void say(message *m, const char *fmt, ...) S3F_PRINTF(2, 3);
static void say(message *m, const char *fmt, ...)
{
    if (m->len + 1 >= sizeof m->text) return;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(m->text + m->len, sizeof m->text - m->len, fmt, args);
    va_end(args);
    if (n > 0)
        m->len = m->len + (size_t)n < sizeof m->text ? m->len + (size_t)n : sizeof m->text - 1;
}

static const s3f_plugin_info *lookup(const s3f_plugin_host_t *host, s3f_plugin_kind kind,
                                     const char *name)
{
    for (int i = 0; i < s3f_plugin_host_count(host); i++) {
        const s3f_plugin_info *p = s3f_plugin_host_at(host, i);
        if (p->descriptor->kind == kind && !strcmp(p->descriptor->name, name) && !p->shadowed_by)
            return p;
    }
    return NULL;
}

static void say_known(message *m, const s3f_plugin_host_t *host, s3f_plugin_kind kind,
                      const char *name)
{
    const char *names[MAX_LISTED];
    int n = 0;
    for (int i = 0; i < s3f_plugin_host_count(host) && n < MAX_LISTED; i++) {
        const s3f_plugin_info *p = s3f_plugin_host_at(host, i);
        if (p->descriptor->kind == kind && !p->shadowed_by)
            names[n++] = p->descriptor->name;
        else if (!strcmp(p->descriptor->name, name))
            say(m, " ('%s' is a %s plugin)", name, s3f_plugin_kind_name(p->descriptor->kind));
    }
    const char *closest = s3f_word_nearest(name, names, (size_t)n);
    if (closest) say(m, "; did you mean '%s'?", closest);
    say(m, "\n  %s plugins found:%s", s3f_plugin_kind_name(kind), n ? "" : " none");
    for (int i = 0; i < n; i++) say(m, " %s%s", names[i], i + 1 < n ? "," : "");
}

static void say_paths_and_problems(message *m, const s3f_plugin_host_t *host)
{
    say(m, "\n  searched:");
    for (int i = 0; i < s3f_plugin_host_path_count(host); i++)
        say(m, " %s%s", s3f_plugin_host_path(host, i),
            i + 1 < s3f_plugin_host_path_count(host) ? "," : "");
    for (int i = 0; i < s3f_plugin_host_problem_count(host); i++)
        say(m, "\n  refused: %s", s3f_plugin_host_problem(host, i));
}

s3f_status s3f_plugin_host_find(const s3f_plugin_host_t *host, s3f_plugin_kind kind,
                                const char *name, const s3f_plugin_info **out)
{
    const s3f_plugin_info *found = lookup(host, kind, name);
    if (found) {
        *out = found;
        return S3F_OK;
    }
    message m = {.len = 0};
    m.text[0] = '\0';
    say(&m, "no %s plugin called '%s'", s3f_plugin_kind_name(kind), name);
    say_known(&m, host, kind, name);
    say_paths_and_problems(&m, host);
    return s3f_fail(S3F_ERR_ARG, "%s", m.text);
}
