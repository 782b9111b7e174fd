/* parse.c — extended XYZ frames (see parse.h). The whole file is read into
 * memory and cut into lines in place; a frame is appended to the list only
 * when all of it parsed, so a failed file leaves the list as it found it.
 *
 * Per-atom columns follow the comment line's Properties=name:type:count...
 * spec; only species (S:1) and pos (R:3) are read, the rest (forces:R:3,
 * ...) are skipped by counting columns, and every atom line must have
 * exactly as many columns as the spec declares. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* strtok_r, strcasecmp */
#endif
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Covalent radii (Å) of H..Xe, Cordero et al., Dalton Trans. 2008, 2832
 * (sp3 carbon; low-spin Mn, Fe, Co). Index = atomic number - 1. */
static const char *const k_symbols[] = {
    "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si",
    "P",  "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni",
    "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo",
    "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe"};
static const double k_radii[] = {0.31, 0.28, 1.28, 0.96, 0.84, 0.76, 0.71, 0.66, 0.57, 0.58, 1.66,
                                 1.41, 1.21, 1.11, 1.07, 1.05, 1.02, 1.06, 2.03, 1.76, 1.70, 1.60,
                                 1.53, 1.39, 1.39, 1.32, 1.26, 1.24, 1.32, 1.22, 1.22, 1.20, 1.19,
                                 1.20, 1.20, 1.16, 2.20, 1.95, 1.90, 1.75, 1.64, 1.54, 1.47, 1.46,
                                 1.42, 1.39, 1.45, 1.44, 1.42, 1.39, 1.39, 1.38, 1.39, 1.40};
#define K_KNOWN ((int)(sizeof k_radii / sizeof k_radii[0]))

s3f_status xyz_elements_parse(const char *list, xyz_elements *out)
{
    memset(out, 0, sizeof *out);
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ", \t[]");
        if (len == 0) {
            p++;
            continue;
        }
        int z = -1;
        for (int k = 0; k < K_KNOWN && z < 0; k++)
            if (strlen(k_symbols[k]) == len && !strncmp(k_symbols[k], p, len)) z = k;
        if (z < 0)
            return s3f_fail(S3F_ERR_ARG, "xyz: unknown element '%.*s' in elements (H..Xe)",
                            (int)len, p);
        for (int k = 0; k < out->count; k++)
            if (out->atomic_number[k] == z + 1)
                return s3f_fail(S3F_ERR_ARG, "xyz: element %s appears twice in elements",
                                k_symbols[z]);
        if (out->count == XYZ_MAX_ELEMENTS)
            return s3f_fail(S3F_ERR_ARG, "xyz: more than %d elements", XYZ_MAX_ELEMENTS);
        strcpy(out->symbol[out->count], k_symbols[z]);
        out->atomic_number[out->count] = z + 1;
        out->covalent_radius[out->count++] = k_radii[z];
        p += len;
    }
    if (out->count == 0) return s3f_fail(S3F_ERR_ARG, "xyz: elements is empty");
    return S3F_OK;
}

/* Where we are in a file, for messages. */
typedef struct cursor {
    const char *path;
    char *next; /* start of the next line; NULL at the end */
    int64_t line, frame;
} cursor;

#define FAIL(c, ...) fail_at((c), __VA_ARGS__)
static s3f_status fail_at(const cursor *c, const char *fmt, ...) S3F_PRINTF(2, 3);
static s3f_status fail_at(const cursor *c, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return s3f_fail(S3F_ERR_FORMAT, "xyz: %s: frame %lld, line %lld: %s", c->path,
                    (long long)c->frame, (long long)c->line, detail);
}

/* The next line, terminated in place without its "\r\n"; NULL at the end. */
static char *next_line(cursor *c)
{
    char *line = c->next;
    if (!line) return NULL;
    char *end = strchr(line, '\n');
    c->next = end && end[1] ? end + 1 : NULL;
    if (end) *end = '\0';
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r') line[len - 1] = '\0';
    c->line++;
    return line;
}

static bool parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*out);
}

/* Column layout from a Properties value; real files have about a dozen. */
#define XYZ_MAX_COLUMNS 1000

typedef struct columns {
    int total, species, pos;
} columns;

static s3f_status parse_properties(const cursor *c, char *spec, columns *cols)
{
    *cols = (columns){0, -1, -1};
    for (char *save = NULL, *name = strtok_r(spec, ":", &save); name;
         name = strtok_r(NULL, ":", &save)) {
        char *type = strtok_r(NULL, ":", &save), *count = strtok_r(NULL, ":", &save);
        char *end = NULL;
        long n = count ? strtol(count, &end, 10) : 0;
        if (!type || !count || *end || n < 1 || n > 1000 || strlen(type) != 1 ||
            !strchr("SRIL", type[0]))
            return FAIL(c, "Properties entry '%s' is not name:type:count (type S, R, I or L)",
                        name);
        if (!strcmp(name, "species")) {
            if (type[0] != 'S' || n != 1) return FAIL(c, "Properties species must be S:1");
            cols->species = cols->total;
        } else if (!strcmp(name, "pos")) {
            if (type[0] != 'R' || n != 3) return FAIL(c, "Properties pos must be R:3");
            cols->pos = cols->total;
        }
        if (cols->total + n > XYZ_MAX_COLUMNS)
            return FAIL(c, "Properties declares more than %d columns", XYZ_MAX_COLUMNS);
        cols->total += (int)n;
    }
    if (cols->species < 0 || cols->pos < 0)
        return FAIL(c, "Properties lacks %s", cols->species < 0 ? "species:S:1" : "pos:R:3");
    return S3F_OK;
}

/* Cuts one token at *p (a "..." quoted one without its quotes, backslash
 * escapes kept verbatim) ending at whitespace or `stop`; NULL when the
 * quote is not closed. Advances *p past the token. */
static char *take_token(char **p, char stop)
{
    char *s = *p, *start = s;
    if (*s == '"') {
        start = ++s;
        while (*s && *s != '"') s += (*s == '\\' && s[1]) ? 2 : 1;
        if (!*s) return NULL;
        *s++ = '\0';
        *p = s;
        return start;
    }
    while (*s && !isspace((unsigned char)*s) && *s != stop) s++;
    *p = s;
    return start;
}

/* Reads the comment line's key=value pairs: the columns and the target. */
static s3f_status parse_comment(const cursor *c, char *line, const char *target_key, columns *cols,
                                double *target)
{
    bool have_properties = false, have_target = false;
    char *p = line;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        char *key = take_token(&p, '='), *value = NULL;
        if (!key) return FAIL(c, "unclosed quote in the comment line");
        bool has_value = *p == '=';
        if (*p) *p++ = '\0';
        if (has_value) {
            value = take_token(&p, '\0');
            if (!value) return FAIL(c, "unclosed quote in the value of %s", key);
            if (*p) *p++ = '\0';
        }
        if (value && !strcasecmp(key, "Properties")) {
            S3F_RETURN_IF_ERR(parse_properties(c, value, cols));
            have_properties = true;
        } else if (value && !strcmp(key, target_key)) {
            if (!parse_double(value, target))
                return FAIL(c, "target %s='%s' is not a number", key, value);
            if (!isfinite((float)*target)) /* datasets hand targets on as float */
                return FAIL(c, "target %s='%s' is out of range", key, value);
            have_target = true;
        }
    }
    if (!have_properties)
        return FAIL(c, "no Properties= in the comment line (need species:S:1:pos:R:3)");
    if (!have_target) return FAIL(c, "no target key '%s' in the comment line", target_key);
    return S3F_OK;
}

static s3f_status parse_atom(const cursor *c, char *line, const columns *cols,
                             const xyz_elements *el, uint8_t *element, float *pos)
{
    int column = 0;
    for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save), column++) {
        if (column == cols->species) {
            int k = 0;
            while (k < el->count && strcmp(el->symbol[k], tok)) k++;
            if (k == el->count)
                return FAIL(c, "species '%s' is not in elements (%d given)", tok, el->count);
            *element = (uint8_t)k;
        } else if (column >= cols->pos && column < cols->pos + 3) {
            double x;
            if (!parse_double(tok, &x))
                return FAIL(c, "position column %d '%s' is not a number", column + 1, tok);
            if (!isfinite((float)x))
                return FAIL(c, "position column %d '%s' is out of range", column + 1, tok);
            pos[column - cols->pos] = (float)x;
        }
    }
    if (column != cols->total)
        return FAIL(c, "%d columns, Properties declares %d", column, cols->total);
    return S3F_OK;
}

static void frame_free(xyz_frame *f)
{
    free(f->element);
    free(f->pos);
}

/* One frame whose count line `count_line` was just read. */
static s3f_status parse_frame(cursor *c, char *count_line, const xyz_elements *el,
                              const char *target_key, xyz_frame *f)
{
    char *end;
    long n = strtol(count_line, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (end == count_line || *end || n < 1 || n > 1000000)
        return FAIL(c, "expected an atom count, found '%.40s'%s", count_line,
                    c->frame > 1 ? " (does the previous frame have more atoms than its count?)"
                                 : "");
    char *comment = next_line(c);
    if (!comment) return FAIL(c, "the file ends before the comment line");
    columns cols = {0, -1, -1};
    S3F_RETURN_IF_ERR(parse_comment(c, comment, target_key, &cols, &f->target));
    f->num_atoms = (int32_t)n;
    f->element = malloc((size_t)n);
    f->pos = malloc(sizeof *f->pos * 3 * (size_t)n);
    if (!f->element || !f->pos) return s3f_fail(S3F_ERR_NOMEM, "xyz: %s: out of memory", c->path);
    for (long a = 0; a < n; a++) {
        char *line = next_line(c);
        if (!line) return FAIL(c, "the frame declares %ld atoms but the file ends after %ld", n, a);
        S3F_RETURN_IF_ERR(parse_atom(c, line, &cols, el, &f->element[a], &f->pos[3 * a]));
    }
    return S3F_OK;
}

/* The whole file, NUL-terminated; *size excludes the terminator. */
static s3f_status read_all(const char *path, char **out, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return s3f_fail(S3F_ERR_IO, "xyz: cannot open %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (cap - used < 65536) {
            char *grown = realloc(text, cap = 2 * cap + 65536);
            if (!grown) {
                free(text);
                fclose(fp);
                return s3f_fail(S3F_ERR_NOMEM, "xyz: cannot read %s into memory", path);
            }
            text = grown;
        }
        size_t got = fread(text + used, 1, cap - used - 1, fp);
        used += got;
        if (got == 0) break;
    }
    bool failed = ferror(fp);
    fclose(fp);
    if (failed) {
        free(text);
        return s3f_fail(S3F_ERR_IO, "xyz: error reading %s", path);
    }
    text[used] = '\0';
    *out = text, *size = used;
    return S3F_OK;
}

/* Lines are C strings, so a NUL byte would silently end the file early. */
static s3f_status check_no_nul(const char *name, const char *text, size_t size)
{
    const char *nul = memchr(text, '\0', size);
    if (!nul) return S3F_OK;
    int64_t line = 1;
    for (const char *p = text; p < nul; p++) line += *p == '\n';
    return s3f_fail(S3F_ERR_FORMAT, "xyz: %s: line %lld: a NUL byte; not a text file", name,
                    (long long)line);
}

static bool blank(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return !*s;
}

s3f_status xyz_parse_text(const char *path, char *text, size_t size, const xyz_elements *elements,
                          const char *target_key, xyz_frame_list *list)
{
    S3F_RETURN_IF_ERR(check_no_nul(path, text, size));
    int64_t first = list->count;
    cursor c = {path, *text ? text : NULL, 0, 0};
    s3f_status rc = S3F_OK;
    for (char *line; (line = next_line(&c));) {
        if (blank(line)) continue; /* trailing blank lines, or blank lines between frames */
        c.frame++;
        if (list->count == list->capacity) {
            int64_t cap = 2 * list->capacity + 64;
            xyz_frame *grown = realloc(list->frames, sizeof *grown * (size_t)cap);
            if (!grown) {
                rc = s3f_fail(S3F_ERR_NOMEM, "xyz: %s: out of memory", path);
                break;
            }
            list->frames = grown, list->capacity = cap;
        }
        xyz_frame *f = &list->frames[list->count];
        memset(f, 0, sizeof *f);
        rc = parse_frame(&c, line, elements, target_key, f);
        if (rc) {
            frame_free(f);
            break;
        }
        list->count++;
    }
    if (rc == S3F_OK && c.frame == 0) rc = s3f_fail(S3F_ERR_FORMAT, "xyz: %s: no frames", path);
    if (rc)
        while (list->count > first) frame_free(&list->frames[--list->count]);
    return rc;
}

s3f_status xyz_parse_file(const char *path, const xyz_elements *elements, const char *target_key,
                          xyz_frame_list *list)
{
    char *text = NULL;
    size_t size = 0;
    S3F_RETURN_IF_ERR(read_all(path, &text, &size));
    s3f_status rc = xyz_parse_text(path, text, size, elements, target_key, list);
    free(text);
    return rc;
}

void xyz_frame_list_clear(xyz_frame_list *list)
{
    for (int64_t i = 0; i < list->count; i++) frame_free(&list->frames[i]);
    free(list->frames);
    memset(list, 0, sizeof *list);
}
