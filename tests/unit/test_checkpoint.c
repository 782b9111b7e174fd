/* test_checkpoint.c — checkpoints round-trip parameters, optimizer state and
 * training metadata; a checkpoint from another model shape is refused with
 * every mismatched tensor named and the model left untouched; malformed
 * metadata is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3flow/checkpoint.h"
#include "test_support.h"

static char g_path[256];

static s3f_params_t *model(int64_t hidden, bool with_bias, double fill)
{
    s3f_params_t *p;
    s3f_tensor *w, *b;
    assert_ok(s3f_params_create(S3F_F32, &p));
    assert_ok(s3f_params_add(p, "layer.0.weight", S3F_SHAPE(hidden, 3), &w));
    if (with_bias) assert_ok(s3f_params_add(p, "layer.0.bias", S3F_SHAPE(hidden), &b));
    assert_ok(s3f_params_finalize(p));
    for (int i = 0; i < s3f_params_count(p); i++) {
        s3f_tensor *t = s3f_params_at(p, i);
        for (int64_t k = 0; k < s3f_tensor_numel(t); k++) s3f_tensor_set(t, k, fill + (double)k);
    }
    return p;
}

static void test_round_trip(void **state)
{
    s3f_params_t *a = model(4, true, 1), *b = model(4, true, 0);
    s3f_tensor *step, *moment;
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SCALAR_SHAPE, &step));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(20), &moment));
    s3f_tensor_set(step, 0, 17);
    s3f_tensor_set(moment, 5, 0.25);
    const char *names[] = {"step", "exp_avg"};
    s3f_tensor *tensors[] = {step, moment};
    s3f_checkpoint_state opt = {2, names, tensors};
    s3f_checkpoint_meta meta = {.recipe_yaml = "model:\n  name: x\n",
                                .epoch = 3,
                                .step = 120,
                                .batch = 5,
                                .loss_sum = 2.5,
                                .best_metric = 0.03,
                                .run_id = 9,
                                .seed = 42,
                                .targets = 2,
                                .target_mean = {1.5, -2},
                                .target_std = {0.25, 3},
                                .metric = 0.0421,
                                .metric_name = "val_mae"};
    assert_ok(s3f_checkpoint_save(g_path, a, &opt, &meta));

    s3f_tensor *step2, *moment2;
    assert_ok(s3f_tensor_create(S3F_I64, S3F_SCALAR_SHAPE, &step2));
    assert_ok(s3f_tensor_create(S3F_F32, S3F_SHAPE(20), &moment2));
    s3f_tensor *tensors2[] = {step2, moment2};
    s3f_checkpoint_state opt2 = {2, names, tensors2};
    s3f_safetensors_t *f;
    s3f_checkpoint_meta back;
    assert_ok(s3f_safetensors_open(g_path, &f));
    assert_ok(s3f_checkpoint_load(f, b, &opt2, &back));
    ts_assert_bitwise_equal(s3f_params_values(a), s3f_params_values(b));
    assert_true(s3f_tensor_get(step2, 0) == 17 && s3f_tensor_get(moment2, 5) == 0.25);
    assert_string_equal(back.recipe_yaml, meta.recipe_yaml);
    assert_true(back.epoch == 3 && back.step == 120 && back.run_id == 9 && back.seed == 42);
    assert_true(back.batch == 5 && back.loss_sum == 2.5 && back.best_metric == 0.03);
    assert_int_equal(back.targets, 2);
    assert_true(back.target_mean[1] == -2 && back.target_std[0] == 0.25);
    assert_true(back.metric == 0.0421);
    assert_string_equal(back.metric_name, "val_mae");
    s3f_safetensors_close(f);
    ts_destroy_all(4, (s3f_tensor *[]){step, moment, step2, moment2});
    s3f_params_destroy(a);
    s3f_params_destroy(b);
}

static void test_other_model_shape_is_refused_untouched(void **state)
{
    s3f_params_t *a = model(4, true, 1), *other = model(5, false, 7);
    s3f_checkpoint_meta meta = {.metric = NAN};
    assert_ok(s3f_checkpoint_save(g_path, a, NULL, &meta));
    s3f_safetensors_t *f;
    s3f_checkpoint_meta back;
    assert_ok(s3f_safetensors_open(g_path, &f));
    assert_fails(s3f_checkpoint_load(f, other, NULL, &back), S3F_ERR_SHAPE, "2 differences",
                 "'layer.0.weight' is (4, 3) in the file but (5, 3) in the model",
                 "unexpected 'layer.0.bias'");
    assert_true(s3f_tensor_get(s3f_params_at(other, 0), 0) == 7); /* untouched */
    s3f_safetensors_close(f);
    s3f_params_destroy(a);
    s3f_params_destroy(other);
}

static void test_malformed_metadata(void **state)
{
    s3f_safetensors_writer_t *w;
    assert_ok(s3f_safetensors_writer_create(&w));
    assert_ok(s3f_safetensors_writer_metadata(w, "se3flow.epoch", "three"));
    assert_ok(s3f_safetensors_write(w, g_path));
    s3f_safetensors_t *f;
    s3f_checkpoint_meta m;
    assert_ok(s3f_safetensors_open(g_path, &f));
    assert_fails(s3f_checkpoint_read_meta(f, &m), S3F_ERR_FORMAT, "se3flow.epoch", "three");
    s3f_safetensors_close(f);
    assert_ok(s3f_safetensors_writer_metadata(w, "se3flow.epoch", "3"));
    assert_ok(s3f_safetensors_writer_metadata(w, "se3flow.target_mean", "[1, \"x\"]"));
    assert_ok(s3f_safetensors_write(w, g_path));
    assert_ok(s3f_safetensors_open(g_path, &f));
    assert_fails(s3f_checkpoint_read_meta(f, &m), S3F_ERR_FORMAT, "target_mean");
    s3f_safetensors_close(f);
    s3f_safetensors_writer_destroy(w);
}

int main(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/s3f_ckpt_%d.safetensors", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_other_model_shape_is_refused_untouched),
        cmocka_unit_test(test_malformed_metadata),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(g_path);
    return rc;
}
