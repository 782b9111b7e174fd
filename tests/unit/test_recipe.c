/* test_recipe.c — recipe trees: parsing and accessors, origins, `extends`
 * chains with deep merge, their errors (missing file, cycle, malformed
 * YAML), `--set` overrides of every kind, and emitting text that parses
 * back to an equal tree.
 *
 * Option tables and section checks are in test_recipe_check.c. */
#include "recipe_test_util.h"

static void test_parse_and_read(void **state)
{
    s3f_recipe_t *r = rt_parse("seed: 7\n"
                               "model:\n"
                               "  name: se3\n"
                               "  channels: [16, 32]\n"
                               "loggers:\n"
                               "  - name: console\n"
                               "  - {name: csv, dir: out}\n");
    const s3f_recipe_node_t *root = s3f_recipe_get(r, "");
    assert_ptr_equal(root, s3f_recipe_get(r, NULL));
    assert_int_equal(s3f_recipe_node_kind(root), S3F_RECIPE_MAP);
    assert_int_equal(s3f_recipe_node_count(root), 3);
    assert_string_equal(s3f_recipe_node_key(root, 0), "seed");
    assert_string_equal(s3f_recipe_node_key(root, 2), "loggers");
    assert_null(s3f_recipe_node_key(root, 3));
    assert_string_equal(rt_text(r, "seed"), "7");
    assert_string_equal(rt_text(r, "model.name"), "se3");
    assert_string_equal(rt_text(r, "model.channels.1"), "32");
    assert_string_equal(rt_text(r, "loggers.1.dir"), "out");
    const s3f_recipe_node_t *loggers = s3f_recipe_get(r, "loggers");
    assert_int_equal(s3f_recipe_node_kind(loggers), S3F_RECIPE_LIST);
    assert_int_equal(s3f_recipe_node_count(loggers), 2);
    assert_null(s3f_recipe_node_key(loggers, 0));
    assert_string_equal(
        s3f_recipe_node_text(s3f_recipe_node_find(s3f_recipe_node_child(loggers, 0), "name")),
        "console");
    assert_null(s3f_recipe_node_text(loggers));
    assert_null(s3f_recipe_get(r, "model.depth"));
    assert_null(s3f_recipe_get(r, "loggers.2"));
    assert_null(s3f_recipe_get(r, "loggers.x"));
    assert_null(s3f_recipe_get(r, "seed.x"));
    assert_null(s3f_recipe_get(r, "model..name"));
    s3f_recipe_origin at = s3f_recipe_node_origin(s3f_recipe_get(r, "loggers.1.dir"));
    assert_string_equal(at.file, "test.yaml");
    assert_int_equal(at.line, 7);
    assert_int_equal(at.column, 22);
    s3f_recipe_destroy(r);
    s3f_recipe_destroy(NULL);
}

static void test_empty_and_null_documents(void **state)
{
    const char *texts[] = {"", "# only a comment\n", "---\n", "~\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        s3f_recipe_t *r = rt_parse(texts[i]);
        assert_int_equal(s3f_recipe_node_kind(s3f_recipe_get(r, "")), S3F_RECIPE_MAP);
        assert_int_equal(s3f_recipe_node_count(s3f_recipe_get(r, "")), 0);
        s3f_recipe_destroy(r);
    }
}

static void test_load_keeps_file_line_column(void **state)
{
    char path[512];
    rt_write("origins.yaml", "train:\n  epochs: 3\n  amp:   true\n", path);
    s3f_recipe_t *r = NULL;
    assert_ok(s3f_recipe_load(path, &r));
    s3f_recipe_origin at = s3f_recipe_node_origin(s3f_recipe_get(r, "train.amp"));
    assert_string_equal(at.file, path);
    assert_int_equal(at.line, 3);
    assert_int_equal(at.column, 10);
    s3f_recipe_destroy(r);
}

static void test_extends_chain_deep_merges(void **state)
{
    char base[512], middle[512], top[512];
    rt_write("chain/base.yaml",
             "seed: 1\n"
             "model: {name: se3, num_layers: 7, fiber: {degrees: 4, channels: 32}}\n"
             "optimizer: {name: adam, lr: 0.002}\n"
             "train: {epochs: 100, batch_size: 240}\n"
             "loggers: [{name: console}, {name: csv}]\n",
             base);
    rt_write("chain/sub/middle.yaml",
             "extends: ../base.yaml\n"
             "model: {num_layers: 4, fiber: {channels: 16}}\n"
             "loggers: [{name: jsonl}]\n",
             middle);
    rt_write("chain/sub/top.yaml",
             "train:\n  epochs: 10\n"
             "extends: middle.yaml\n"
             "name: small\n",
             top);
    s3f_recipe_t *r = NULL;
    assert_ok(s3f_recipe_load(top, &r));
    assert_null(s3f_recipe_get(r, "extends"));
    assert_string_equal(rt_text(r, "seed"), "1");
    assert_string_equal(rt_text(r, "model.name"), "se3");
    assert_string_equal(rt_text(r, "model.num_layers"), "4");
    assert_string_equal(rt_text(r, "model.fiber.degrees"), "4");
    assert_string_equal(rt_text(r, "model.fiber.channels"), "16");
    assert_string_equal(rt_text(r, "optimizer.lr"), "0.002");
    assert_string_equal(rt_text(r, "train.epochs"), "10");
    assert_string_equal(rt_text(r, "train.batch_size"), "240");
    assert_string_equal(rt_text(r, "name"), "small");
    /* lists replace whole */
    assert_int_equal(s3f_recipe_node_count(s3f_recipe_get(r, "loggers")), 1);
    assert_string_equal(rt_text(r, "loggers.0.name"), "jsonl");
    /* keys keep the order of first appearance: the base's first */
    const s3f_recipe_node_t *root = s3f_recipe_get(r, "");
    const char *order[] = {"seed", "model", "optimizer", "train", "loggers", "name"};
    assert_int_equal(s3f_recipe_node_count(root), 6);
    for (int i = 0; i < 6; i++) assert_string_equal(s3f_recipe_node_key(root, i), order[i]);
    /* each value remembers the file it came from */
    /* (the base's name as `extends` reached it: chain/sub/../base.yaml) */
    assert_non_null(
        strstr(s3f_recipe_node_origin(s3f_recipe_get(r, "seed")).file, "/../base.yaml"));
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "model.num_layers")).file, middle);
    assert_int_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "model.num_layers")).line, 2);
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.epochs")).file, top);
    assert_int_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.epochs")).line, 2);
    s3f_recipe_destroy(r);
}

static void test_extends_errors(void **state)
{
    char path[512], other[512];
    s3f_recipe_t *r = NULL;
    rt_write("missing/a.yaml", "seed: 1\nextends: nowhere.yaml\n", path);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_ARG, "a.yaml:2:10", "extends",
                 "missing/nowhere.yaml", "No such file");
    rt_write("cycle/a.yaml", "extends: b.yaml\n", path);
    rt_write("cycle/b.yaml", "extends: a.yaml\nseed: 2\n", other);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_ARG, "b.yaml:1:10", "cyclic extends",
                 "cycle/a.yaml -> ", "cycle/b.yaml -> ");
    rt_write("cycle/self.yaml", "extends: ./self.yaml\n", path);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_ARG, "cyclic extends", "self.yaml");
    rt_write("extends_list.yaml", "extends: [a.yaml, b.yaml]\n", path);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_ARG, "extends_list.yaml:1:10",
                 "must name one recipe file", "a list");
    rt_write("extends_null.yaml", "extends:\n", path);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_ARG, "must name one recipe file");
    rt_write("bad_base/base.yaml", "model: {name: [}\n", other);
    rt_write("bad_base/top.yaml", "extends: base.yaml\n", path);
    assert_fails(s3f_recipe_load(path, &r), S3F_ERR_FORMAT,
                 "bad_base/base.yaml:1:", "malformed YAML");
    const char *text = "extends: base.yaml\n";
    assert_fails(s3f_recipe_parse(text, strlen(text), "stored", &r), S3F_ERR_ARG, "stored:1:1",
                 "extends works only in recipe files");
    assert_fails(s3f_recipe_load(g_rt_dir, &r), S3F_ERR_IO, "cannot read recipe");
    assert_fails(s3f_recipe_load("/nonexistent/recipe.yaml", &r), S3F_ERR_ARG,
                 "/nonexistent/recipe.yaml", "No such file");
    assert_fails(s3f_recipe_load(NULL, &r), S3F_ERR_ARG, "NULL");
    assert_null(r);
}

/* Parsing `text` fails with a message holding `where`, `what` and `also`. */
static void expect_format_error(const char *text, const char *where, const char *what,
                                const char *also)
{
    s3f_recipe_t *r = NULL;
    assert_fails(s3f_recipe_parse(text, strlen(text), "bad.yaml", &r), S3F_ERR_FORMAT, where, what,
                 also);
    assert_null(r);
}

static void test_malformed_yaml(void **state)
{
    expect_format_error("train:\n  epochs: [1, 2\n  amp: true\n",
                        "bad.yaml:3:", "malformed YAML: did not find expected ',' or ']'", "");
    expect_format_error("train:\n  epochs: 1\n   amp: true\n", "bad.yaml:3:7",
                        "mapping values are not allowed", "");
    expect_format_error("a: \"unterminated\n", "bad.yaml:2:1", "malformed YAML", "");
    expect_format_error("a: 1\na: 2\n", "bad.yaml:2:1", "duplicate key 'a' (first at line 1)", "");
    expect_format_error("a: &x 1\nb: *x\n", "bad.yaml:2:4", "aliases (*x) are not supported", "");
    expect_format_error("[1, 2]\n", "bad.yaml:1:1", "must be a map of sections", "a list");
    expect_format_error("just words\n", "bad.yaml:1:1", "must be a map", "a string");
    expect_format_error("a: 1\n---\nb: 2\n", "bad.yaml:2:1", "a second YAML document", "");
    expect_format_error("? [1, 2]\n: x\n", "bad.yaml:1:3", "a map key must be a plain word", "");
    expect_format_error("a: \"\\xff\xff\"\n", "bad.yaml:", "malformed YAML", "");
    expect_format_error("a:\n\tb: 1\n", "bad.yaml:2:1", "malformed YAML",
                        "YAML indents with spaces, not tabs");
    char deep[512] = "a: ";
    for (int i = 0; i < 100; i++) strcat(deep, "[");
    for (int i = 0; i < 100; i++) strcat(deep, "]");
    expect_format_error(deep, "bad.yaml:1:", "nesting deeper than 64 levels", "");
}

static void test_overrides_of_every_kind(void **state)
{
    s3f_recipe_t *r = rt_parse("train:\n  epochs: 100\n  amp: false\n"
                               "loggers:\n  - name: console\n"
                               "model: {name: se3, fiber: {degrees: 4}}\n"
                               "dataset:\n");
    assert_ok(s3f_recipe_set(r, "train.epochs=10"));
    assert_ok(s3f_recipe_set(r, "train.amp=true"));
    assert_ok(s3f_recipe_set(r, "optimizer.lr=2.5e-3"));
    assert_ok(s3f_recipe_set(r, "optimizer.name=\"adam\""));
    assert_ok(s3f_recipe_set(r, "model.channels=[16, 32]"));
    assert_ok(s3f_recipe_set(r, "model.fiber={degrees: 2, channels: 8}"));
    assert_ok(s3f_recipe_set(r, "loggers.0.name=csv"));
    assert_ok(s3f_recipe_set(r, "loggers.1={name: jsonl}"));
    assert_ok(s3f_recipe_set(r, "a.b.c=deep"));
    assert_ok(s3f_recipe_set(r, "dataset.data_dir=/tmp/x=y"));
    assert_ok(s3f_recipe_set(r, "name="));
    assert_string_equal(rt_text(r, "train.epochs"), "10");
    assert_string_equal(rt_text(r, "train.amp"), "true");
    assert_string_equal(rt_text(r, "optimizer.lr"), "2.5e-3");
    assert_string_equal(rt_text(r, "optimizer.name"), "adam");
    assert_int_equal(s3f_recipe_node_kind(s3f_recipe_get(r, "model.channels")), S3F_RECIPE_LIST);
    assert_string_equal(rt_text(r, "model.channels.1"), "32");
    assert_string_equal(rt_text(r, "model.fiber.channels"), "8");
    assert_string_equal(rt_text(r, "loggers.0.name"), "csv");
    assert_string_equal(rt_text(r, "loggers.1.name"), "jsonl");
    assert_string_equal(rt_text(r, "a.b.c"), "deep");
    assert_string_equal(rt_text(r, "dataset.data_dir"), "/tmp/x=y");
    assert_string_equal(rt_text(r, "name"), "");
    /* overrides replace, and say so */
    s3f_recipe_origin at = s3f_recipe_node_origin(s3f_recipe_get(r, "train.epochs"));
    assert_string_equal(at.file, S3F_RECIPE_ORIGIN_SET);
    assert_int_equal(at.line, 0);
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "a.b")).file, "--set");
    assert_int_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.amp")).line, 0);
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train")).file, "test.yaml");
    /* the typed reading of overridden values is checked in test_recipe_check.c */
    char *text = rt_emit(r);
    assert_non_null(strstr(text, "  channels: [16, 32]\n"));
    assert_non_null(strstr(text, "  name: \"adam\"\n"));
    free(text);
    s3f_recipe_destroy(r);
}

static void expect_set_error(s3f_recipe_t *r, const char *assignment, s3f_status code,
                             const char *what)
{
    char *before = rt_emit(r);
    assert_fails(s3f_recipe_set(r, assignment), code, what);
    char *after = rt_emit(r);
    assert_string_equal(before, after); /* a failed override changes nothing */
    free(before);
    free(after);
}

static void test_override_errors(void **state)
{
    s3f_recipe_t *r = rt_parse("seed: 1\ntrain: {epochs: 3}\nloggers: [{name: console}]\n");
    expect_set_error(r, "train.epochs", S3F_ERR_ARG, "expected KEY=VALUE");
    expect_set_error(r, "=3", S3F_ERR_ARG, "the key before '=' is empty");
    expect_set_error(r, "train..epochs=3", S3F_ERR_ARG, "empty segment");
    expect_set_error(r, "train.epochs.x.y=3", S3F_ERR_ARG, "'train.epochs' is an int");
    expect_set_error(r, "seed.x=3", S3F_ERR_ARG, "test.yaml:1:7: 'seed' is an int");
    expect_set_error(r, "loggers.5.name=csv", S3F_ERR_ARG,
                     "'loggers' is a list of 1 item: 'loggers.5.name' needs an index from 0 to 1");
    expect_set_error(r, "loggers.first=csv", S3F_ERR_ARG, "needs an index");
    expect_set_error(r, "extends=other.yaml", S3F_ERR_ARG, "only be given in a recipe file");
    expect_set_error(r, "train.epochs=[1, 2", S3F_ERR_FORMAT,
                     "--set 'train.epochs=[1, 2': malformed YAML: did not find expected");
    expect_set_error(r, "fresh.map.x=[1", S3F_ERR_FORMAT, "malformed YAML");
    assert_fails(s3f_recipe_set(NULL, "a=1"), S3F_ERR_ARG, "NULL");
    s3f_recipe_destroy(r);
}

static const char *k_round_trip =
    "seed: 42\n"
    "name: \"quoted name\"\n"
    "strings: [plain, \"1\", \"true\", 'null', '', \"a: b\", \"#hash\", \"tab\\there\", "
    "\"line\\nbreak\", ünïcödé]\n"
    "numbers: [1, -2, +3, 1.5, 2e-3, .5, .inf, -.inf, .nan, 0x10]\n"
    "flags: [true, false, True, FALSE]\n"
    "nulls: [~, null, Null]\n"
    "empty_value:\n"
    "empty_list: []\n"
    "empty_map: {}\n"
    "nested:\n"
    "  - name: console\n"
    "    every: 10\n"
    "  - [1, [2, 3]]\n"
    "  - {}\n"
    "model:\n"
    "  fiber: {degrees: 4, channels: [32, 32]}\n"
    "  '1': one\n"
    "  \"true\": yes\n"
    "long: " /* longer than any line width, so never folded */
    "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh "
    "iiiiiiiiii\n";

static void test_emit_round_trip(void **state)
{
    s3f_recipe_t *r = rt_parse(k_round_trip);
    char *text = rt_emit(r);
    s3f_recipe_t *again = NULL;
    assert_ok(s3f_recipe_parse(text, strlen(text), "emitted", &again));
    assert_true(s3f_recipe_node_equal(s3f_recipe_get(r, ""), s3f_recipe_get(again, "")));
    char *text_again = rt_emit(again);
    assert_string_equal(text, text_again); /* stable: emitting is a fixed point */
    /* key order is kept */
    const s3f_recipe_node_t *root = s3f_recipe_get(again, "");
    assert_string_equal(s3f_recipe_node_key(root, 0), "seed");
    assert_string_equal(s3f_recipe_node_key(root, 1), "name");
    assert_string_equal(s3f_recipe_node_key(root, 11), "long");
    assert_string_equal(rt_text(again, "strings.1"), "1");
    assert_string_equal(rt_text(again, "strings.8"), "line\nbreak");
    free(text);
    free(text_again);
    s3f_recipe_destroy(again);
    s3f_recipe_destroy(r);
}

static void test_equality(void **state)
{
    const char *pairs[][2] = {
        {"a: 1\nb: 2\n", "b: 2\na: 1\n"}, /* maps: order does not matter */
        {"a: ~\n", "a:\n"},               /* nulls are nulls */
        {"a: [1, {b: c}]\n", "a:\n  - 1\n  - b: c\n"},
    };
    const char *different[][2] = {
        {"a: 1\n", "a: \"1\"\n"},       {"a: 1\n", "a: 1.0\n"},
        {"a: [1, 2]\n", "a: [2, 1]\n"}, {"a: {b: 1}\n", "a: {b: 1, c: 2}\n"},
        {"a: {b: 1}\n", "a: {c: 1}\n"}, {"a: [1]\n", "a: {b: 1}\n"},
        {"a: true\n", "a: \"true\"\n"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        s3f_recipe_t *x = rt_parse(pairs[i][0]), *y = rt_parse(pairs[i][1]);
        assert_true(s3f_recipe_node_equal(s3f_recipe_get(x, ""), s3f_recipe_get(y, "")));
        s3f_recipe_destroy(x);
        s3f_recipe_destroy(y);
    }
    for (size_t i = 0; i < sizeof different / sizeof different[0]; i++) {
        s3f_recipe_t *x = rt_parse(different[i][0]), *y = rt_parse(different[i][1]);
        assert_false(s3f_recipe_node_equal(s3f_recipe_get(x, ""), s3f_recipe_get(y, "")));
        assert_false(s3f_recipe_node_equal(s3f_recipe_get(y, ""), s3f_recipe_get(x, "")));
        s3f_recipe_destroy(x);
        s3f_recipe_destroy(y);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_read),
        cmocka_unit_test(test_empty_and_null_documents),
        cmocka_unit_test(test_load_keeps_file_line_column),
        cmocka_unit_test(test_extends_chain_deep_merges),
        cmocka_unit_test(test_extends_errors),
        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_overrides_of_every_kind),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_emit_round_trip),
        cmocka_unit_test(test_equality),
    };
    return cmocka_run_group_tests(tests, rt_setup, rt_teardown);
}
