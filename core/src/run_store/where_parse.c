/* where_parse.c — recursive-descent parser of the where language into a
 * tree of nodes (grammar in where.h).
 *
 * Not here: tokens (where_lex.c) or meaning (where_eval.c).
 *
 * Invariant: `depth` counts the open parentheses and `not`s being parsed;
 * deeper than WHERE_MAX_DEPTH is refused, which bounds both this parser's
 * and the evaluator's recursion. */
#include <stdlib.h>
#include <string.h>

#include "where_tree.h"

typedef struct parser {
    const char *source;
    where_expr *expr;
    int at; /* current token */
    int depth;
} parser;

static s3f_status parse_or(parser *p, int *out);

static const where_token *peek(const parser *p)
{
    return &p->expr->tokens.items[p->at];
}

static s3f_status unexpected(const parser *p, const char *expected)
{
    const where_token *t = peek(p);
    if (t->kind == TOKEN_END)
        return where_fail(p->source, t->column, "expected %s, found the end", expected);
    return where_fail(p->source, t->column, "expected %s, found '%.*s'", expected, t->length,
                      p->source + t->column - 1);
}

static s3f_status add_node(parser *p, where_node node, int *out)
{
    where_expr *e = p->expr;
    if (e->count == e->capacity) {
        int capacity = e->capacity ? 2 * e->capacity : 16;
        where_node *grown = realloc(e->nodes, (size_t)capacity * sizeof *grown);
        if (!grown) return s3f_fail(S3F_ERR_NOMEM, "where expression: cannot allocate nodes");
        e->nodes = grown;
        e->capacity = capacity;
    }
    node.next = -1;
    e->nodes[e->count] = node;
    *out = e->count++;
    return S3F_OK;
}

/* Enters a nesting level (a parenthesis or a `not`). */
static s3f_status enter(parser *p)
{
    if (++p->depth <= WHERE_MAX_DEPTH) return S3F_OK;
    return where_fail(p->source, peek(p)->column, "nesting deeper than %d", WHERE_MAX_DEPTH);
}

static s3f_status parse_group(parser *p, int *out)
{
    int open_column = peek(p)->column;
    p->at++;
    S3F_RETURN_IF_ERR(enter(p));
    S3F_RETURN_IF_ERR(parse_or(p, out));
    p->depth--;
    if (peek(p)->kind != TOKEN_RPAREN) {
        if (peek(p)->kind == TOKEN_END)
            return where_fail(p->source, open_column, "'(' is never closed");
        return unexpected(p, "')', 'and' or 'or'");
    }
    p->at++;
    return S3F_OK;
}

static s3f_status parse_operand(parser *p, int *out)
{
    const where_token *t = peek(p);
    where_node node;
    switch (t->kind) {
    case TOKEN_LPAREN:
        return parse_group(p, out);
    case TOKEN_MINUS:
        p->at++;
        if (peek(p)->kind != TOKEN_NUMBER) return unexpected(p, "a number after '-'");
        node = (where_node){.first = -1, .kind = NODE_NUMBER, .number = -peek(p)->number};
        break;
    case TOKEN_NUMBER:
        node = (where_node){.first = -1, .kind = NODE_NUMBER, .number = t->number};
        break;
    case TOKEN_STRING:
        node = (where_node){.first = -1, .kind = NODE_STRING, .text = t->text};
        break;
    case TOKEN_KEY:
        node = (where_node){.first = -1, .kind = NODE_KEY, .text = t->text};
        break;
    case TOKEN_TRUE:
    case TOKEN_FALSE:
        node = (where_node){.first = -1, .kind = NODE_BOOL, .boolean = t->kind == TOKEN_TRUE};
        break;
    default:
        return unexpected(p, "a key, number, string, true, false, 'not' or '('");
    }
    p->at++;
    return add_node(p, node, out);
}

static s3f_status parse_compare(parser *p, int *out)
{
    int left = -1, right = -1;
    S3F_RETURN_IF_ERR(parse_operand(p, &left));
    if (peek(p)->kind != TOKEN_COMPARE) {
        *out = left;
        return S3F_OK;
    }
    where_op op = peek(p)->op;
    p->at++;
    S3F_RETURN_IF_ERR(parse_operand(p, &right));
    if (peek(p)->kind == TOKEN_COMPARE)
        return where_fail(p->source, peek(p)->column,
                          "comparisons do not chain; join them with 'and'");
    p->expr->nodes[left].next = right;
    return add_node(p, (where_node){.kind = NODE_COMPARE, .op = op, .first = left}, out);
}

static s3f_status parse_unary(parser *p, int *out)
{
    if (peek(p)->kind != TOKEN_NOT) return parse_compare(p, out);
    p->at++;
    int child = -1;
    S3F_RETURN_IF_ERR(enter(p));
    S3F_RETURN_IF_ERR(parse_unary(p, &child));
    p->depth--;
    return add_node(p, (where_node){.kind = NODE_NOT, .first = child}, out);
}

/* operand (keyword operand)*: one node with every operand as a child, so a
 * long chain of `and`s is wide, not deep. */
static s3f_status parse_chain(parser *p, where_token_kind keyword, int *out)
{
    int first = -1, last = -1, count = 0;
    do {
        if (count > 0) p->at++;
        int child = -1;
        if (keyword == TOKEN_OR)
            S3F_RETURN_IF_ERR(parse_chain(p, TOKEN_AND, &child));
        else
            S3F_RETURN_IF_ERR(parse_unary(p, &child));
        if (last >= 0)
            p->expr->nodes[last].next = child;
        else
            first = child;
        last = child;
        count++;
    } while (peek(p)->kind == keyword);
    if (count == 1) {
        *out = first;
        return S3F_OK;
    }
    where_node_kind kind = keyword == TOKEN_OR ? NODE_OR : NODE_AND;
    return add_node(p, (where_node){.kind = kind, .first = first}, out);
}

static s3f_status parse_or(parser *p, int *out)
{
    return parse_chain(p, TOKEN_OR, out);
}

static s3f_status parse_all(parser *p)
{
    if (peek(p)->kind == TOKEN_END) return where_fail(p->source, 1, "the expression is empty");
    S3F_RETURN_IF_ERR(parse_or(p, &p->expr->root));
    if (peek(p)->kind == TOKEN_RPAREN)
        return where_fail(p->source, peek(p)->column, "')' without a matching '('");
    if (peek(p)->kind != TOKEN_END) return unexpected(p, "'and', 'or' or the end");
    return S3F_OK;
}

s3f_status where_parse(const char *text, where_expr **out)
{
    if (!text) return s3f_fail(S3F_ERR_ARG, "where expression: none given");
    if (strlen(text) > WHERE_MAX_LENGTH)
        return s3f_fail(S3F_ERR_ARG, "where expression: longer than %d characters",
                        WHERE_MAX_LENGTH);
    s3f_status rc = S3F_OK;
    where_expr *expr = calloc(1, sizeof *expr);
    if (!expr) return s3f_fail(S3F_ERR_NOMEM, "where expression: cannot allocate");
    S3F_TRY(where_lex(text, &expr->tokens));
    parser p = {.source = text, .expr = expr};
    S3F_TRY(parse_all(&p));
    *out = expr;
    return S3F_OK;
fail:
    where_destroy(expr);
    return rc;
}

void where_destroy(where_expr *expr)
{
    if (!expr) return;
    where_tokens_clear(&expr->tokens);
    free(expr->nodes);
    free(expr);
}
