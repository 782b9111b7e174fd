/* where.h — the `--where` language: a small boolean expression over the
 * values of one run, parsed to a tree and evaluated in C, never turned into
 * SQL.
 *
 *     expr    := or
 *     or      := and ("or" and)*
 *     and     := unary ("and" unary)*
 *     unary   := "not" unary | compare
 *     compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
 *     operand := "(" expr ")" | NUMBER | "-" NUMBER | STRING | "true" | "false" | KEY
 *
 * KEY is a dotted name ([A-Za-z_][A-Za-z0-9_.]*); NUMBER as strtod reads
 * decimals (1, 0.05, 1e-3); STRING is "..." or '...' with \" \' \\ escapes.
 * Keywords (and, or, not, true, false) are case-insensitive.
 *
 * Semantics: a comparison with a key the run lacks, or between values that
 * cannot be compared (a number with a non-numeric text), is false — `!=`
 * included. Recipe texts compare as numbers against numbers, as booleans
 * against true/false, as text otherwise. A lone operand is true when it is
 * true, a non-zero number, or a text reading as either.
 *
 * Invariant: a parsed tree is at most WHERE_MAX_DEPTH deep, so evaluation's
 * recursion is bounded whatever the input. */
#ifndef SE3FLOW_WHERE_H
#define SE3FLOW_WHERE_H

#include <stdbool.h>

#include "se3flow/status.h"

#define WHERE_MAX_LENGTH 4096
#define WHERE_MAX_DEPTH  64

typedef enum where_value_kind {
    WHERE_MISSING, /* the run has no such key */
    WHERE_BOOL,
    WHERE_NUMBER,
    WHERE_STRING, /* quoted: text only */
    WHERE_TEXT,   /* a plain recipe scalar: read as number, bool or text as compared */
} where_value_kind;

typedef struct where_value {
    where_value_kind kind;
    bool boolean;
    double number;
    const char *text; /* STRING and TEXT; borrowed */
} where_value;

/* Looks a key up in one run; fills *out (WHERE_MISSING when absent). */
typedef void (*where_lookup_fn)(void *user, const char *key, where_value *out);

typedef struct where_expr where_expr;

/* Parses `text`. *out is written only on success. S3F_ERR_ARG with the
 * column and what was expected: an unexpected character or token, an
 * unterminated string, a malformed number, '=' for '==', an unclosed '(',
 * an empty expression, too long or too deeply nested. S3F_ERR_NOMEM. */
s3f_status where_parse(const char *text, where_expr **out);
/* Whether the run that `lookup` describes matches. */
bool where_eval(const where_expr *expr, where_lookup_fn lookup, void *user);
/* NULL is a no-op. */
void where_destroy(where_expr *expr);

#endif
