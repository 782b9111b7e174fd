/* options.h — declared options: the one place where a plugin (or the host,
 * for its own recipe sections) states each option's name, type, default,
 * range or choices, help, and where the value goes in its options struct.
 *
 * The recipe checker, `se3flow plugins show`, the CLI help and the resolved
 * recipe all read these tables; defaults live nowhere else (STYLE.md).
 *
 *     typedef struct { int64_t num_layers; double lr; const char *pooling; } my_opts;
 *     static const char *const k_pooling[] = {"max", "mean", NULL};
 *     static const s3f_option k_options[] = {
 *         S3F_OPT_INT("num_layers", my_opts, num_layers, "7", 1, 64, "attention layers"),
 *         S3F_OPT_FLOAT("lr", my_opts, lr, "0.002", 0, INFINITY, "learning rate"),
 *         S3F_OPT_CHOICE("pooling", my_opts, pooling, "max", k_pooling, "graph pooling"),
 *         S3F_OPT_END,
 *     };
 */
#ifndef SE3FLOW_OPTIONS_H
#define SE3FLOW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum s3f_option_type {
    S3F_OPTION_BOOL = 1,       /* bool */
    S3F_OPTION_INT = 2,        /* int64_t, within [min, max] */
    S3F_OPTION_FLOAT = 3,      /* double, within [min, max] */
    S3F_OPTION_STRING = 4,     /* const char * (owned by the recipe; valid while it lives) */
    S3F_OPTION_CHOICE = 5,     /* const char *, one of `choices` */
    S3F_OPTION_INT_LIST = 6,   /* s3f_int_list */
    S3F_OPTION_FLOAT_LIST = 7, /* s3f_float_list */
} s3f_option_type;

/* List values, owned by the recipe that filled them. */
typedef struct s3f_int_list {
    int count;
    const int64_t *values;
} s3f_int_list;
typedef struct s3f_float_list {
    int count;
    const double *values;
} s3f_float_list;

typedef struct s3f_option {
    const char *name; /* key in the recipe section; NULL ends a table */
    s3f_option_type type;
    const char *default_value;  /* YAML text ("7", "true", "max", "[1, 2]"); NULL: required */
    double min, max;            /* INT and FLOAT (and list elements); inclusive */
    const char *const *choices; /* CHOICE: NULL-terminated */
    const char *help;           /* one line */
    size_t offset;              /* where the value goes in the options struct */
} s3f_option;

#define S3F_OPT_BOOL(name, type, field, def, help)                                                 \
    {                                                                                              \
        name, S3F_OPTION_BOOL, def, 0, 0, NULL, help, offsetof(type, field)                        \
    }
#define S3F_OPT_INT(name, type, field, def, lo, hi, help)                                          \
    {                                                                                              \
        name, S3F_OPTION_INT, def, lo, hi, NULL, help, offsetof(type, field)                       \
    }
#define S3F_OPT_FLOAT(name, type, field, def, lo, hi, help)                                        \
    {                                                                                              \
        name, S3F_OPTION_FLOAT, def, lo, hi, NULL, help, offsetof(type, field)                     \
    }
#define S3F_OPT_STRING(name, type, field, def, help)                                               \
    {                                                                                              \
        name, S3F_OPTION_STRING, def, 0, 0, NULL, help, offsetof(type, field)                      \
    }
#define S3F_OPT_CHOICE(name, type, field, def, choices, help)                                      \
    {                                                                                              \
        name, S3F_OPTION_CHOICE, def, 0, 0, choices, help, offsetof(type, field)                   \
    }
#define S3F_OPT_INT_LIST(name, type, field, def, lo, hi, help)                                     \
    {                                                                                              \
        name, S3F_OPTION_INT_LIST, def, lo, hi, NULL, help, offsetof(type, field)                  \
    }
#define S3F_OPT_FLOAT_LIST(name, type, field, def, lo, hi, help)                                   \
    {                                                                                              \
        name, S3F_OPTION_FLOAT_LIST, def, lo, hi, NULL, help, offsetof(type, field)                \
    }
#define S3F_OPT_END                                                                                \
    {                                                                                              \
        NULL, (s3f_option_type)0, NULL, 0, 0, NULL, NULL, 0                                        \
    }

/* Number of entries before the terminating S3F_OPT_END. */
S3F_API int s3f_options_count(const s3f_option *table);
/* The entry called `name`, or NULL. */
S3F_API const s3f_option *s3f_options_find(const s3f_option *table, const char *name);
/* "int", "float", "bool", "string", "choice", "int list", "float list". */
S3F_API const char *s3f_option_type_name(s3f_option_type type);
/* Checks a table itself (names unique and non-empty, types valid, defaults
 * parse and lie in range, choices present for CHOICE). S3F_ERR_ARG naming
 * the bad entry. `owner` names the table in the message. */
S3F_API s3f_status s3f_options_validate(const s3f_option *table, const char *owner);

/* Stores one scalar option's value, parsed from text as a recipe would
 * ("true"/"false", integers, floats, a choice, a string), at its offset in
 * `dest` after checking type, range and choices. A string value is stored
 * as the pointer given (borrowed: it must outlive dest). S3F_ERR_ARG naming
 * the option and what is allowed; list options are set through recipes
 * (S3F_ERR_ARG). */
S3F_API s3f_status s3f_options_set(const s3f_option *table, void *dest, const char *name,
                                   const char *text);
/* Sets every scalar option with a default to its default (s3f_options_set
 * of default_value). List options and options without defaults are left
 * untouched. */
S3F_API s3f_status s3f_options_set_defaults(const s3f_option *table, void *dest);

#ifdef __cplusplus
}
#endif
#endif
