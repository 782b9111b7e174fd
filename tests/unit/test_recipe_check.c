/* test_recipe_check.c — option tables (options.h) and checking recipe
 * sections against them: unknown keys with suggestions and positions,
 * types, ranges, choices, required options, defaults filled into the tree
 * and emitted, typed values written into options structs; the host's own
 * tables (host_sections.h) and the nearest-word helper. */
#include <math.h>

#include "recipe_test_util.h"

#include "se3flow/host_sections.h"

typedef struct all_types {
    bool flag;
    int64_t count;
    double rate;
    const char *path;
    const char *mode;
    s3f_int_list sizes;
    s3f_float_list weights;
} all_types;

static const char *const k_modes[] = {"fast", "careful", NULL};

static const s3f_option k_all[] = {
    S3F_OPT_BOOL("flag", all_types, flag, "false", "a switch"),
    S3F_OPT_INT("count", all_types, count, "7", 1, 64, "how many"),
    S3F_OPT_FLOAT("rate", all_types, rate, "0.5", 0, 1, "a fraction"),
    S3F_OPT_STRING("path", all_types, path, "out", "where"),
    S3F_OPT_CHOICE("mode", all_types, mode, "fast", k_modes, "how"),
    S3F_OPT_INT_LIST("sizes", all_types, sizes, "[1, 2]", 0, 100, "sizes"),
    S3F_OPT_FLOAT_LIST("weights", all_types, weights, "[]", -1, 1, "weights"),
    S3F_OPT_END,
};

static const s3f_option k_required[] = {
    S3F_OPT_STRING("data_dir", all_types, path, NULL, "directory of the data"),
    S3F_OPT_INT("count", all_types, count, "3", 0, 10, "how many"),
    S3F_OPT_END,
};

static const char *const k_plugin_keys[] = {"name", "plugin_path", NULL};

static void test_options_table_functions(void **state)
{
    assert_int_equal(s3f_options_count(k_all), 7);
    assert_int_equal(s3f_options_count(NULL), 0);
    assert_ptr_equal(s3f_options_find(k_all, "mode"), &k_all[4]);
    assert_null(s3f_options_find(k_all, "nope"));
    assert_null(s3f_options_find(k_all, NULL));
    assert_string_equal(s3f_option_type_name(S3F_OPTION_BOOL), "bool");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_INT), "int");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_FLOAT), "float");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_STRING), "string");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_CHOICE), "choice");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_INT_LIST), "int list");
    assert_string_equal(s3f_option_type_name(S3F_OPTION_FLOAT_LIST), "float list");
    assert_string_equal(s3f_option_type_name((s3f_option_type)99), "unknown");
    assert_ok(s3f_options_validate(k_all, "test"));
    assert_ok(s3f_options_validate(k_required, "test"));
    assert_ok(s3f_options_validate((s3f_option[]){S3F_OPT_END}, "empty"));
}

static void expect_invalid_table(const s3f_option *table, const char *what)
{
    assert_fails(s3f_options_validate(table, "plugin 'bad'"), S3F_ERR_ARG, "plugin 'bad'", what);
}

static void test_options_validate_finds_bad_entries(void **state)
{
    static const char *const no_choices[] = {NULL};
    static const char *const empty_choice[] = {"a", "", NULL};
    expect_invalid_table((s3f_option[]){S3F_OPT_INT("n", all_types, count, "1", 0, 9, "h"),
                                        S3F_OPT_INT("n", all_types, count, "1", 0, 9, "h"),
                                        S3F_OPT_END},
                         "option 'n' is declared twice");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("", all_types, count, "1", 0, 9, "h"), S3F_OPT_END},
        "names must be non-empty");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("a.b", all_types, count, "1", 0, 9, "h"), S3F_OPT_END}, "'a.b'");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("n", all_types, count, "1", 0, 9, NULL), S3F_OPT_END},
        "no help");
    expect_invalid_table(
        (s3f_option[]){{"n", (s3f_option_type)42, "1", 0, 9, NULL, "h", 0}, S3F_OPT_END},
        "unknown type 42");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("n", all_types, count, "1", 9, 0, "h"), S3F_OPT_END},
        "empty range");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("n", all_types, count, "10", 0, 9, "h"), S3F_OPT_END},
        "default of option n: 10 is out of range");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT("n", all_types, count, "[1,", 0, 9, "h"), S3F_OPT_END},
        "default of option n: malformed YAML");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_BOOL("b", all_types, flag, "yes", "h"), S3F_OPT_END},
        "default of option b: expected true or false");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_CHOICE("c", all_types, mode, "slow", k_modes, "h"), S3F_OPT_END},
        "'slow' is not a valid choice");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_CHOICE("c", all_types, mode, "a", NULL, "h"), S3F_OPT_END},
        "lists no choices");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_CHOICE("c", all_types, mode, "a", no_choices, "h"), S3F_OPT_END},
        "lists no choices");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_CHOICE("c", all_types, mode, "a", empty_choice, "h"), S3F_OPT_END},
        "an empty choice");
    expect_invalid_table(
        (s3f_option[]){S3F_OPT_INT_LIST("l", all_types, sizes, "[1, 200]", 0, 9, "h"), S3F_OPT_END},
        "l.1: 200 is out of range");
    assert_fails(s3f_options_validate(NULL, "x"), S3F_ERR_ARG, "NULL");
}

static void test_host_tables(void **state)
{
    assert_ok(s3f_options_validate(s3f_host_options(""), "top level"));
    assert_ok(s3f_options_validate(s3f_host_options("train"), "train"));
    assert_ok(s3f_options_validate(s3f_host_options("schedule"), "schedule"));
    assert_null(s3f_host_options("model"));
    assert_null(s3f_host_options(NULL));
    /* the reserved top-level keys and the top-level options do not overlap */
    for (const char *const *k = s3f_host_top_level_keys(); *k; k++)
        assert_null(s3f_options_find(s3f_host_options(""), *k));
}

/* Checks the host's sections of `r` as the CLI will. */
static s3f_status check_host(s3f_recipe_t *r, s3f_top_options *top, s3f_train_options *train,
                             s3f_schedule_options *schedule)
{
    S3F_RETURN_IF_ERR(s3f_recipe_check_section(r, "", s3f_host_options(""), "se3flow",
                                               s3f_host_top_level_keys(), top));
    S3F_RETURN_IF_ERR(
        s3f_recipe_check_section(r, "train", s3f_host_options("train"), NULL, NULL, train));
    return s3f_recipe_check_section(r, "schedule", s3f_host_options("schedule"), NULL, NULL,
                                    schedule);
}

static void test_host_defaults_follow_the_reference(void **state)
{
    s3f_recipe_t *r = rt_parse("model: {name: se3}\n");
    s3f_top_options top;
    s3f_train_options train;
    s3f_schedule_options schedule;
    assert_ok(check_host(r, &top, &train, &schedule));
    /* SPEC §15.1 (and §15.2 for the seed) */
    assert_int_equal(top.seed, 42);
    assert_int_equal(train.epochs, 100);
    assert_int_equal(train.batch_size, 240);
    assert_int_equal(train.accumulate_grad_batches, 1);
    assert_true(train.gradient_clip == 0.0);
    assert_int_equal(train.eval_interval, 20);
    assert_int_equal(train.ckpt_interval, -1);
    assert_int_equal(train.num_workers, 8);
    assert_false(train.amp);
    assert_string_equal(train.ckpt_dir, "");
    assert_string_equal(schedule.name, "cosine_warm_restarts");
    assert_true(schedule.min_lr < 0);
    assert_int_equal(schedule.warmup_epochs, 0);
    assert_string_equal(schedule.step_per, "epoch");
    /* the defaults are in the tree now, after the user's keys, marked as defaults */
    const s3f_recipe_node_t *root = s3f_recipe_get(r, "");
    assert_string_equal(s3f_recipe_node_key(root, 0), "model");
    assert_string_equal(s3f_recipe_node_key(root, 1), "seed");
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train")).file, "default");
    s3f_recipe_origin at = s3f_recipe_node_origin(s3f_recipe_get(r, "train.epochs"));
    assert_string_equal(at.file, S3F_RECIPE_ORIGIN_DEFAULT);
    assert_int_equal(at.line, 0);
    char *text = rt_emit(r);
    assert_string_equal(text, "model:\n  name: se3\n"
                              "seed: 42\n"
                              "train:\n  epochs: 100\n  batch_size: 240\n"
                              "  accumulate_grad_batches: 1\n  gradient_clip: 0\n"
                              "  eval_interval: 20\n  ckpt_interval: -1\n  num_workers: 8\n"
                              "  amp: false\n  ckpt_dir: \"\"\n"
                              "schedule:\n  name: cosine_warm_restarts\n  lr: 0.002\n  min_lr: -1\n"
                              "  warmup_epochs: 0\n  step_per: epoch\n");
    /* the resolved recipe reads back equal, and checking it again adds nothing */
    s3f_recipe_t *again = NULL;
    assert_ok(s3f_recipe_parse(text, strlen(text), "resolved", &again));
    s3f_train_options train_again;
    assert_ok(check_host(again, &top, &train_again, &schedule));
    assert_true(s3f_recipe_node_equal(s3f_recipe_get(r, ""), s3f_recipe_get(again, "")));
    assert_memory_equal(&train.epochs, &train_again.epochs, sizeof train.epochs);
    char *text_again = rt_emit(again);
    assert_string_equal(text, text_again);
    free(text);
    free(text_again);
    s3f_recipe_destroy(again);
    s3f_recipe_destroy(r);
}

static void test_user_values_and_overrides_are_typed(void **state)
{
    char path[512];
    rt_write("typed.yaml",
             "seed: 7\n"
             "train:\n"
             "  amp: true\n"
             "  epochs: 10\n"
             "  gradient_clip: 1\n"
             "schedule: {name: warmup_cosine, min_lr: 1e-5}\n",
             path);
    s3f_recipe_t *r = NULL;
    assert_ok(s3f_recipe_load(path, &r));
    assert_ok(s3f_recipe_set(r, "train.batch_size=32"));
    assert_ok(s3f_recipe_set(r, "train.ckpt_dir=\"ckpts/run 1\""));
    assert_ok(s3f_recipe_set(r, "schedule.warmup_epochs=5"));
    assert_ok(s3f_recipe_set(r, "train.gradient_clip=.inf"));
    s3f_top_options top;
    s3f_train_options train;
    s3f_schedule_options schedule;
    assert_ok(check_host(r, &top, &train, &schedule));
    assert_int_equal(top.seed, 7);
    assert_true(train.amp);
    assert_int_equal(train.epochs, 10);
    assert_int_equal(train.batch_size, 32);
    assert_true(isinf(train.gradient_clip));
    assert_string_equal(train.ckpt_dir, "ckpts/run 1");
    assert_string_equal(schedule.name, "warmup_cosine");
    assert_true(schedule.min_lr == 1e-5);
    assert_int_equal(schedule.warmup_epochs, 5);
    /* user keys first in their order, then the defaults in table order */
    const s3f_recipe_node_t *t = s3f_recipe_get(r, "train");
    assert_string_equal(s3f_recipe_node_key(t, 0), "amp");
    assert_string_equal(s3f_recipe_node_key(t, 1), "epochs");
    assert_string_equal(s3f_recipe_node_key(t, 2), "gradient_clip");
    assert_string_equal(s3f_recipe_node_key(t, 3), "batch_size");
    assert_string_equal(s3f_recipe_node_key(t, 5), "accumulate_grad_batches");
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.amp")).file, path);
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.batch_size")).file,
                        "--set");
    assert_string_equal(s3f_recipe_node_origin(s3f_recipe_get(r, "train.num_workers")).file,
                        "default");
    s3f_recipe_destroy(r);
}

static void test_every_option_type(void **state)
{
    s3f_recipe_t *r = rt_parse("section:\n"
                               "  flag: true\n"
                               "  count: 64\n"
                               "  rate: 1\n"
                               "  path: 123\n"
                               "  mode: careful\n"
                               "  weights: [-1, 0.25, 1e-1]\n"
                               "  name: mine\n");
    all_types v;
    memset(&v, 0xab, sizeof v);
    assert_ok(s3f_recipe_set(r, "section.sizes=[0, 100, 5]"));
    assert_ok(s3f_recipe_check_section(r, "section", k_all, "plugin 'all'", k_plugin_keys, &v));
    assert_true(v.flag);
    assert_int_equal(v.count, 64);
    assert_true(v.rate == 1.0);
    assert_string_equal(v.path, "123");
    assert_string_equal(v.mode, "careful");
    assert_int_equal(v.sizes.count, 3);
    assert_int_equal(v.sizes.values[1], 100);
    assert_int_equal(v.sizes.values[2], 5);
    assert_int_equal(v.weights.count, 3);
    assert_true(v.weights.values[0] == -1.0 && v.weights.values[1] == 0.25 &&
                v.weights.values[2] == 0.1);
    /* defaults for every type, into a section that did not exist */
    all_types d;
    assert_ok(s3f_recipe_check_section(r, "other.deeper", k_all, NULL, NULL, &d));
    assert_false(d.flag);
    assert_int_equal(d.count, 7);
    assert_true(d.rate == 0.5);
    assert_string_equal(d.path, "out");
    assert_string_equal(d.mode, "fast");
    assert_int_equal(d.sizes.count, 2);
    assert_int_equal(d.sizes.values[0], 1);
    assert_int_equal(d.weights.count, 0);
    /* a null string option is the empty string; a null section an empty map */
    s3f_recipe_t *n = rt_parse("section:\nother:\n  path:\n");
    assert_ok(s3f_recipe_check_section(n, "section", k_all, NULL, NULL, &d));
    assert_int_equal(s3f_recipe_node_count(s3f_recipe_get(n, "section")), 7);
    assert_ok(s3f_recipe_check_section(n, "other", k_all, NULL, NULL, &d));
    assert_string_equal(d.path, "");
    /* values may be NULL: check and fill only */
    assert_ok(s3f_recipe_check_section(n, "third", k_all, NULL, NULL, NULL));
    assert_non_null(s3f_recipe_get(n, "third.weights"));
    assert_string_equal(rt_text(n, "third.mode"), "fast");
    s3f_recipe_destroy(n);
    s3f_recipe_destroy(r);
}

/* Checking `text`'s `section` against `table` fails with every substring. */
static void expect_check_error(const char *text, const char *section, const s3f_option *table,
                               const char *first, const char *second)
{
    s3f_recipe_t *r = rt_parse(text);
    all_types v, untouched;
    memset(&v, 0x5a, sizeof v);
    memcpy(&untouched, &v, sizeof v);
    assert_fails(s3f_recipe_check_section(r, section, table, "plugin 'all'", k_plugin_keys, &v),
                 S3F_ERR_ARG, first, second);
    assert_memory_equal(&v, &untouched, sizeof v); /* written only on success */
    s3f_recipe_destroy(r);
}

static void test_unknown_keys(void **state)
{
    expect_check_error("s:\n  count: 3\n  cuont: 4\n", "s", k_all,
                       "test.yaml:3:3: unknown key 'cuont' in section 's' (plugin 'all')",
                       "did you mean 'count'?");
    expect_check_error("s:\n  nmae: x\n", "s", k_all, "test.yaml:2:3: unknown key 'nmae'",
                       "did you mean 'name'?"); /* reserved keys are suggested too */
    expect_check_error("s:\n  Mode: fast\n", "s", k_all, "unknown key 'Mode'",
                       "did you mean 'mode'?");
    expect_check_error(
        "s:\n  colour: red\n", "s", k_all, "unknown key 'colour'",
        "valid keys: flag, count, rate, path, mode, sizes, weights, name, plugin_path");
    s3f_recipe_t *r = rt_parse("trian:\n  epochs: 3\n");
    s3f_top_options top;
    assert_fails(s3f_recipe_check_section(r, "", s3f_host_options(""), "se3flow",
                                          s3f_host_top_level_keys(), &top),
                 S3F_ERR_ARG, "test.yaml:1:1: unknown key 'trian' in the recipe's top level",
                 "did you mean 'train'?");
    s3f_recipe_destroy(r);
}

static void test_wrong_types(void **state)
{
    expect_check_error("s: {count: ten}\n", "s", k_all,
                       "test.yaml:1:12: s.count: expected an int in [1, 64]", "got a string 'ten'");
    expect_check_error("s: {count: 2.5}\n", "s", k_all, "s.count: expected an int",
                       "a float '2.5'");
    expect_check_error("s: {count: \"3\"}\n", "s", k_all, "s.count: expected an int",
                       "a string '3'");
    expect_check_error("s: {count: [3]}\n", "s", k_all, "s.count: expected an int", "got a list");
    expect_check_error("s: {flag: yes}\n", "s", k_all, "s.flag: expected true or false",
                       "got a string 'yes'");
    expect_check_error("s: {flag: 1}\n", "s", k_all, "s.flag: expected true or false",
                       "an int '1'");
    expect_check_error("s: {rate: high}\n", "s", k_all, "s.rate: expected a number in [0, 1]",
                       "'high'");
    expect_check_error("s: {path: {a: 1}}\n", "s", k_all, "s.path: expected a string", "got a map");
    expect_check_error("s: {mode: [fast]}\n", "s", k_all, "s.mode: expected one of fast, careful",
                       "got a list");
    expect_check_error("s: {sizes: 3}\n", "s", k_all,
                       "s.sizes: expected a list of ints in [0, 100]", "got an int '3'");
    expect_check_error("s: {sizes: [1, x]}\n", "s", k_all, "test.yaml:1:16: s.sizes.1: expected",
                       "got a string 'x'");
    expect_check_error("s: {weights: [true]}\n", "s", k_all,
                       "s.weights.0: expected a list of numbers", "a bool 'true'");
    expect_check_error("s: 5\n", "s", k_all, "test.yaml:1:4: section 's' (plugin 'all')",
                       "must be a map of options, not an int");
    expect_check_error("s: [a]\n", "s", k_all, "section 's'", "not a list");
    expect_check_error("s: {x: 1}\n", "s.x.y", k_all, "'s.x' is an int", "nowhere to go");
}

static void test_out_of_range_and_bad_choice(void **state)
{
    expect_check_error("s: {count: 0}\n", "s", k_all, "test.yaml:1:12: s.count: 0 is out of range",
                       "allowed: an int in [1, 64]");
    expect_check_error("s: {count: 99999999999999999999}\n", "s", k_all,
                       "s.count: 99999999999999999999 is out of range", "[1, 64]");
    expect_check_error("s: {rate: 1.5}\n", "s", k_all, "s.rate: 1.5 is out of range",
                       "a number in [0, 1]");
    expect_check_error("s: {rate: .nan}\n", "s", k_all, "s.rate: .nan is out of range", "[0, 1]");
    expect_check_error("s: {sizes: [1, 101]}\n", "s", k_all, "s.sizes.1: 101 is out of range",
                       "[0, 100]");
    expect_check_error("s: {weights: [-2]}\n", "s", k_all, "s.weights.0: -2 is out of range",
                       "[-1, 1]");
    expect_check_error("s: {mode: carefull}\n", "s", k_all,
                       "test.yaml:1:11: s.mode: 'carefull' is not a valid choice",
                       "did you mean 'careful'? (one of fast, careful)");
    expect_check_error("s: {mode: slow}\n", "s", k_all, "'slow' is not a valid choice",
                       "allowed: one of fast, careful");
    s3f_recipe_t *r = rt_parse("schedule: {name: cosine}\ntrain: {epochs: 0}\n");
    s3f_schedule_options schedule;
    assert_fails(s3f_recipe_check_section(r, "schedule", s3f_host_options("schedule"), NULL, NULL,
                                          &schedule),
                 S3F_ERR_ARG, "schedule.name: 'cosine' is not a valid choice",
                 "one of cosine_warm_restarts, constant, warmup_cosine");
    s3f_train_options train;
    assert_fails(
        s3f_recipe_check_section(r, "train", s3f_host_options("train"), NULL, NULL, &train),
        S3F_ERR_ARG, "test.yaml:2:17: train.epochs: 0 is out of range", "an int in [1, 1000000]");
    assert_ok(s3f_recipe_set(r, "seed=-1"));
    s3f_top_options top;
    assert_fails(s3f_recipe_check_section(r, "", s3f_host_options(""), NULL,
                                          s3f_host_top_level_keys(), &top),
                 S3F_ERR_ARG, "--set: seed: -1 is out of range", "[0, 9007199254740992]");
    s3f_recipe_destroy(r);
}

static void test_missing_required(void **state)
{
    expect_check_error("s:\n  count: 1\n", "s", k_required,
                       "test.yaml:2:3: section 's' (plugin 'all')",
                       "lacks the required key 'data_dir' (directory of the data)");
    expect_check_error("other: 1\n", "s", k_required, "test.yaml:1:1: section 's'",
                       "lacks the required key 'data_dir'");
    s3f_recipe_t *r = rt_parse("s: {data_dir: /data}\n");
    all_types v;
    assert_ok(s3f_recipe_check_section(r, "s", k_required, NULL, NULL, &v));
    assert_string_equal(v.path, "/data");
    assert_int_equal(v.count, 3);
    assert_fails(s3f_recipe_check_section(NULL, "s", k_required, NULL, NULL, &v), S3F_ERR_ARG,
                 "NULL");
    assert_fails(s3f_recipe_check_section(r, "s", NULL, NULL, NULL, &v), S3F_ERR_ARG, "NULL");
    s3f_recipe_destroy(r);
}

static void test_list_sections(void **state)
{
    s3f_recipe_t *r =
        rt_parse("loggers:\n  - name: csv\n    count: 2\n  - name: jsonl\n    cont: 1\n");
    all_types v;
    assert_ok(s3f_recipe_check_section(r, "loggers.0", k_all, "logger 'csv'", k_plugin_keys, &v));
    assert_int_equal(v.count, 2);
    assert_fails(
        s3f_recipe_check_section(r, "loggers.1", k_all, "logger 'jsonl'", k_plugin_keys, &v),
        S3F_ERR_ARG, "test.yaml:5:5: unknown key 'cont' in section 'loggers.1' (logger 'jsonl')",
        "did you mean 'count'?");
    assert_fails(s3f_recipe_check_section(r, "loggers.7", k_all, NULL, NULL, &v), S3F_ERR_ARG,
                 "'loggers' is a list of 2 items");
    s3f_recipe_destroy(r);
}

static void test_word_nearest(void **state)
{
    const char *words[] = {"num_layers", "num_heads", "name", NULL, "channels_div", "lr"};
    assert_string_equal(s3f_word_nearest("num_layer", words, 6), "num_layers");
    assert_string_equal(s3f_word_nearest("num_haeds", words, 6), "num_heads"); /* a swap is 1 */
    assert_string_equal(s3f_word_nearest("NAME", words, 6), "name");
    assert_string_equal(s3f_word_nearest("chanels_dv", words, 6), "channels_div");
    assert_string_equal(s3f_word_nearest("l", words, 6), "lr");
    assert_null(s3f_word_nearest("wd", words, 6));      /* 2 edits is too many for 2 letters */
    assert_null(s3f_word_nearest("num_lay", words, 6)); /* 3 edits is too many for 7 letters */
    assert_null(s3f_word_nearest("xyzzy", words, 6));
    assert_null(s3f_word_nearest("", words, 6));
    assert_null(s3f_word_nearest(NULL, words, 6));
    assert_null(s3f_word_nearest("name", NULL, 6));
    const char *tie[] = {"cat", "car"};
    assert_string_equal(s3f_word_nearest("cax", tie, 2), "cat"); /* ties: the first */
    const char *nearer[] = {"abcdefgh", "abcdefgx"};
    assert_string_equal(s3f_word_nearest("abcdefgx", nearer, 2), "abcdefgx");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_table_functions),
        cmocka_unit_test(test_options_validate_finds_bad_entries),
        cmocka_unit_test(test_host_tables),
        cmocka_unit_test(test_host_defaults_follow_the_reference),
        cmocka_unit_test(test_user_values_and_overrides_are_typed),
        cmocka_unit_test(test_every_option_type),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_out_of_range_and_bad_choice),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_list_sections),
        cmocka_unit_test(test_word_nearest),
    };
    return cmocka_run_group_tests(tests, rt_setup, rt_teardown);
}
