/* where_eval.c — evaluates a parsed where expression against one run
 * (semantics in where.h).
 *
 * Not here: where the values come from; the caller's lookup supplies them.
 *
 * Invariant: evaluation only reads the tree and calls the lookup; it never
 * fails, so a bad value can only make a comparison false. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/run_store.h"
#include "where_tree.h"

static bool eval_node(const where_expr *e, int index, where_lookup_fn lookup, void *user);

/* A recipe text as a number: all of it, as YAML writes numbers. */
static bool text_number(const char *text, double *out)
{
    static const struct {
        const char *text;
        double value;
    } special[] = {{".inf", INFINITY}, {"+.inf", INFINITY}, {"-.inf", -INFINITY},
                   {".Inf", INFINITY}, {"+.Inf", INFINITY}, {"-.Inf", -INFINITY}};
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
        if (strcmp(text, special[k].text) == 0) {
            *out = special[k].value;
            return true;
        }
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || isnan(value)) return false;
    *out = value;
    return true;
}

static bool text_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (int k = 0; k < 3; k++) {
        if (strcmp(text, yes[k]) == 0) return *out = true, true;
        if (strcmp(text, no[k]) == 0) return *out = false, true;
    }
    return false;
}

static bool as_number(where_value v, double *out)
{
    if (v.kind == WHERE_NUMBER && !isnan(v.number)) return *out = v.number, true;
    return v.kind == WHERE_TEXT && text_number(v.text, out);
}

static bool as_bool(where_value v, bool *out)
{
    if (v.kind == WHERE_BOOL) return *out = v.boolean, true;
    return v.kind == WHERE_TEXT && text_bool(v.text, out);
}

static bool order_holds(int sign, where_op op)
{
    switch (op) {
    case OP_EQ:
        return sign == 0;
    case OP_NE:
        return sign != 0;
    case OP_LT:
        return sign < 0;
    case OP_LE:
        return sign <= 0;
    case OP_GT:
        return sign > 0;
    case OP_GE:
        return sign >= 0;
    }
    return false;
}

static bool compare(where_value a, where_value b, where_op op)
{
    if (a.kind == WHERE_MISSING || b.kind == WHERE_MISSING) return false;
    double x, y;
    bool p, q;
    bool numeric =
        a.kind == WHERE_NUMBER || b.kind == WHERE_NUMBER ||
        (a.kind == WHERE_TEXT && b.kind == WHERE_TEXT && as_number(a, &x) && as_number(b, &y));
    if (numeric) {
        if (!as_number(a, &x) || !as_number(b, &y)) return false;
        return order_holds((x > y) - (x < y), op);
    }
    if (a.kind == WHERE_BOOL || b.kind == WHERE_BOOL) {
        if (!as_bool(a, &p) || !as_bool(b, &q)) return false;
        return (op == OP_EQ && p == q) || (op == OP_NE && p != q);
    }
    int sign = strcmp(a.text, b.text);
    return order_holds((sign > 0) - (sign < 0), op);
}

static bool truth(where_value v)
{
    bool b;
    double x;
    if (as_bool(v, &b)) return b;
    if (as_number(v, &x)) return x != 0;
    return false;
}

/* The value of a node used as an operand: a key's, a literal's, or the
 * truth of a logical node. */
static where_value value_of(const where_expr *e, int index, where_lookup_fn lookup, void *user)
{
    const where_node *n = &e->nodes[index];
    where_value v = {.kind = WHERE_MISSING};
    switch (n->kind) {
    case NODE_KEY:
        lookup(user, n->text, &v);
        return v;
    case NODE_NUMBER:
        return (where_value){.kind = WHERE_NUMBER, .number = n->number};
    case NODE_STRING:
        return (where_value){.kind = WHERE_STRING, .text = n->text};
    case NODE_BOOL:
        return (where_value){.kind = WHERE_BOOL, .boolean = n->boolean};
    default:
        return (where_value){.kind = WHERE_BOOL, .boolean = eval_node(e, index, lookup, user)};
    }
}

static bool eval_node(const where_expr *e, int index, where_lookup_fn lookup, void *user)
{
    const where_node *n = &e->nodes[index];
    switch (n->kind) {
    case NODE_OR:
        for (int c = n->first; c >= 0; c = e->nodes[c].next)
            if (eval_node(e, c, lookup, user)) return true;
        return false;
    case NODE_AND:
        for (int c = n->first; c >= 0; c = e->nodes[c].next)
            if (!eval_node(e, c, lookup, user)) return false;
        return true;
    case NODE_NOT:
        return !eval_node(e, n->first, lookup, user);
    case NODE_COMPARE:
        return compare(value_of(e, n->first, lookup, user),
                       value_of(e, e->nodes[n->first].next, lookup, user), n->op);
    default:
        return truth(value_of(e, index, lookup, user));
    }
}

bool where_eval(const where_expr *expr, where_lookup_fn lookup, void *user)
{
    return eval_node(expr, expr->root, lookup, user);
}

const char *s3f_run_where_help(void)
{
    return "A where expression compares a run's values:\n"
           "  summary values   best.val_mae, final.train_loss, ...\n"
           "  run fields       id, name, kind, status, task, device, host, seed, epochs\n"
           "  recipe keys      model.num_layers, optimizer.name, train.amp, ...\n"
           "with == != < <= > >=, joined by and, or, not and parentheses; values are\n"
           "numbers, \"strings\" or 'strings', true and false. Example:\n"
           "  model.num_layers >= 4 and best.val_mae < 0.05\n"
           "A comparison with a key the run lacks is false.\n";
}
