/* where_tree.h — tokens and the parsed tree of a where expression, shared
 * by where_lex.c, where_parse.c and where_eval.c only.
 *
 * Invariant: nodes refer to each other by index into where_expr.nodes, and
 * to texts owned by where_expr.tokens; children of AND/OR/NOT/COMPARE are a
 * list through `next` (-1 ends it), two exactly for COMPARE. */
#ifndef SE3FLOW_WHERE_TREE_H
#define SE3FLOW_WHERE_TREE_H

#include "where.h"

typedef enum where_token_kind {
    TOKEN_END,
    TOKEN_LPAREN,
    TOKEN_RPAREN,
    TOKEN_COMPARE,
    TOKEN_MINUS,
    TOKEN_NUMBER,
    TOKEN_STRING,
    TOKEN_KEY,
    TOKEN_AND,
    TOKEN_OR,
    TOKEN_NOT,
    TOKEN_TRUE,
    TOKEN_FALSE,
} where_token_kind;

typedef enum where_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } where_op;

typedef struct where_token {
    where_token_kind kind;
    where_op op;   /* COMPARE */
    int column;    /* 1-based, in the source */
    int length;    /* characters of source */
    double number; /* NUMBER */
    char *text;    /* STRING (unescaped) and KEY; owned */
} where_token;

typedef struct where_tokens {
    int count;
    where_token *items; /* ends with TOKEN_END */
} where_tokens;

typedef enum where_node_kind {
    NODE_OR,
    NODE_AND,
    NODE_NOT,
    NODE_COMPARE,
    NODE_KEY,
    NODE_NUMBER,
    NODE_STRING,
    NODE_BOOL,
} where_node_kind;

typedef struct where_node {
    where_node_kind kind;
    where_op op; /* COMPARE */
    int first;   /* first child, -1 for leaves */
    int next;    /* next sibling, -1 for the last */
    double number;
    bool boolean;
    const char *text; /* KEY and STRING: the token's */
} where_node;

struct where_expr {
    where_tokens tokens;
    int count, capacity;
    where_node *nodes;
    int root;
};

/* Splits `source` into tokens. On failure (S3F_ERR_ARG naming the column,
 * S3F_ERR_NOMEM) *out holds what was read; free it with where_tokens_clear. */
s3f_status where_lex(const char *source, where_tokens *out);
void where_tokens_clear(where_tokens *tokens);
/* Fails with S3F_ERR_ARG: "where expression: <what> at column C" and the
 * expression with a caret under the column. */
s3f_status where_fail(const char *source, int column, const char *fmt, ...) S3F_PRINTF(3, 4);

#endif
