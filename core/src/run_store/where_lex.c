/* where_lex.c — the where language's tokenizer (where.h has the grammar).
 *
 * Not here: structure (where_parse.c). Anything that is not a token of the
 * language — ';', '|', a stray quote — stops with the column it is at.
 *
 * Invariant: a successful token list ends with exactly one TOKEN_END. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "where_tree.h"

s3f_status where_fail(const char *source, int column, const char *fmt, ...)
{
    char what[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    int shown = (int)strnlen(source, 200);
    int caret = column - 1 < shown ? column - 1 : shown;
    return s3f_fail(S3F_ERR_ARG, "where expression: %s at column %d\n  %.*s%s\n  %*s^", what,
                    column, shown, source, source[shown] ? "..." : "", caret, "");
}

void where_tokens_clear(where_tokens *tokens)
{
    for (int i = 0; i < tokens->count; i++) free(tokens->items[i].text);
    free(tokens->items);
    *tokens = (where_tokens){0};
}

/* Reads a comparison operator at s[i]; 0 when there is none. */
static int read_compare(const char *s, where_op *op)
{
    static const struct {
        const char *text;
        where_op op;
    } ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE},
               {">=", OP_GE}, {"<", OP_LT},  {">", OP_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t n = strlen(ops[k].text);
        if (strncmp(s, ops[k].text, n) == 0) {
            *op = ops[k].op;
            return (int)n;
        }
    }
    return 0;
}

static bool is_key_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static s3f_status read_number(const char *source, int at, where_token *token)
{
    char *end = NULL;
    double value = strtod(source + at, &end);
    int length = (int)(end - (source + at));
    /* strtod also reads hex ("0x1p3"); the language has decimals only. */
    bool decimal = length > 0;
    for (int k = 0; k < length; k++)
        decimal = decimal && (isdigit((unsigned char)source[at + k]) ||
                              strchr(".eE+-", source[at + k]) != NULL);
    if (!decimal || is_key_char(source[at + length]))
        return where_fail(source, at + 1, "malformed number");
    token->kind = TOKEN_NUMBER;
    token->number = value;
    token->length = length;
    return S3F_OK;
}

static s3f_status read_string(const char *source, int at, where_token *token)
{
    char quote = source[at];
    size_t capacity = strlen(source + at) + 1;
    char *text = malloc(capacity);
    if (!text) return s3f_fail(S3F_ERR_NOMEM, "where expression: cannot allocate a string");
    size_t n = 0;
    int i = at + 1;
    for (; source[i] && source[i] != quote; i++) {
        if (source[i] == '\\' && source[i + 1]) i++;
        text[n++] = source[i];
    }
    text[n] = '\0';
    token->text = text;
    if (!source[i]) return where_fail(source, at + 1, "unterminated string");
    token->kind = TOKEN_STRING;
    token->length = i + 1 - at;
    return S3F_OK;
}

static s3f_status read_word(const char *source, int at, where_token *token)
{
    static const struct {
        const char *word;
        where_token_kind kind;
    } keywords[] = {{"and", TOKEN_AND},
                    {"or", TOKEN_OR},
                    {"not", TOKEN_NOT},
                    {"true", TOKEN_TRUE},
                    {"false", TOKEN_FALSE}};
    int length = 0;
    while (is_key_char(source[at + length])) length++;
    token->length = length;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
        if ((int)strlen(keywords[k].word) == length &&
            strncasecmp(source + at, keywords[k].word, (size_t)length) == 0) {
            token->kind = keywords[k].kind;
            return S3F_OK;
        }
    for (int k = 1; k < length; k++)
        if (source[at + k] == '.' && (source[at + k - 1] == '.' || k == length - 1))
            return where_fail(source, at + k + 1, "a key has an empty part after '.'");
    token->kind = TOKEN_KEY;
    token->text = strndup(source + at, (size_t)length);
    if (!token->text) return s3f_fail(S3F_ERR_NOMEM, "where expression: cannot allocate a key");
    return S3F_OK;
}

/* Reads the token starting at source[at] (not a space). */
static s3f_status read_token(const char *source, int at, where_token *token)
{
    char c = source[at];
    token->column = at + 1;
    token->length = 1;
    if (c == '(' || c == ')') {
        token->kind = c == '(' ? TOKEN_LPAREN : TOKEN_RPAREN;
        return S3F_OK;
    }
    if ((token->length = read_compare(source + at, &token->op)) > 0) {
        token->kind = TOKEN_COMPARE;
        return S3F_OK;
    }
    if (c == '=') return where_fail(source, at + 1, "'=' compares nothing; write '=='");
    if (c == '-') {
        token->kind = TOKEN_MINUS;
        token->length = 1;
        return S3F_OK;
    }
    if (isdigit((unsigned char)c) || c == '.') return read_number(source, at, token);
    if (c == '"' || c == '\'') return read_string(source, at, token);
    if (is_key_start(c)) return read_word(source, at, token);
    if (isprint((unsigned char)c))
        return where_fail(source, at + 1, "unexpected character '%c'", c);
    return where_fail(source, at + 1, "unexpected byte 0x%02x", (unsigned char)c);
}

static s3f_status push(where_tokens *tokens, int *capacity)
{
    if (tokens->count < *capacity) return S3F_OK;
    int grown_capacity = *capacity ? 2 * *capacity : 16;
    where_token *grown = realloc(tokens->items, (size_t)grown_capacity * sizeof *grown);
    if (!grown) return s3f_fail(S3F_ERR_NOMEM, "where expression: cannot allocate tokens");
    tokens->items = grown;
    *capacity = grown_capacity;
    return S3F_OK;
}

s3f_status where_lex(const char *source, where_tokens *out)
{
    int capacity = 0;
    int at = 0;
    for (;;) {
        while (isspace((unsigned char)source[at])) at++;
        S3F_RETURN_IF_ERR(push(out, &capacity));
        where_token *token = &out->items[out->count++];
        *token = (where_token){.kind = TOKEN_END, .column = at + 1};
        if (!source[at]) return S3F_OK;
        S3F_RETURN_IF_ERR(read_token(source, at, token));
        at += token->length;
    }
}
