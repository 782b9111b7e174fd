/* recipe_test_util.h — helpers shared by the recipe tests (test_recipe*.c):
 * a scratch directory for recipe files, and parse/emit shorthands that fail
 * the current test on error.
 *
 * Not a library: static functions, included by each test file. */
#ifndef SE3FLOW_RECIPE_TEST_UTIL_H
#define SE3FLOW_RECIPE_TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

#include "se3flow/recipe.h"

static char g_rt_dir[256];

/* cmocka group setup: a fresh scratch directory. */
static int rt_setup(void **state)
{
    snprintf(g_rt_dir, sizeof g_rt_dir, "/tmp/s3f_recipe_test_XXXXXX");
    return mkdtemp(g_rt_dir) ? 0 : -1;
}

static int rt_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* cmocka group teardown: removes the scratch directory and all in it. */
static int rt_teardown(void **state)
{
    return nftw(g_rt_dir, rt_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes `text` to the scratch directory's `name` (subdirectories are made)
 * and puts its path in `path`. */
static void rt_write(const char *name, const char *text, char path[512])
{
    snprintf(path, 512, "%s/%s", g_rt_dir, name);
    for (char *slash = strchr(path + strlen(g_rt_dir) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

static s3f_recipe_t *rt_parse(const char *text)
{
    s3f_recipe_t *recipe = NULL;
    assert_ok(s3f_recipe_parse(text, strlen(text), "test.yaml", &recipe));
    return recipe;
}

/* The emitted text; the caller frees it. */
static char *rt_emit(const s3f_recipe_t *recipe)
{
    char *text = NULL;
    size_t length = 0;
    assert_ok(s3f_recipe_emit(recipe, &text, &length));
    assert_int_equal(strlen(text), length);
    return text;
}

/* The scalar text at `path`; fails the test when there is none. */
static const char *rt_text(const s3f_recipe_t *recipe, const char *path)
{
    const s3f_recipe_node_t *node = s3f_recipe_get(recipe, path);
    if (!node || !s3f_recipe_node_text(node)) fail_msg("no scalar at '%s'", path);
    return s3f_recipe_node_text(node);
}

#endif
