/* list.c — listing runs: filters by status, name, start time and a where
 * expression, then sorting and limiting.
 *
 * Not here: the where language itself (where_*.c) or one run (read.c).
 *
 * Invariant: user text reaches SQL only as bound parameters (the name
 * GLOB, the start time); the where expression is evaluated in C on each
 * loaded run and never becomes SQL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_flat.h"
#include "run_store_internal.h"
#include "where.h"

/* A run as the where expression sees it; the recipe is flattened lazily. */
typedef struct run_view {
    const s3f_run_record *run;
    recipe_flat *recipe;
    bool recipe_tried;
} run_view;

typedef struct list_filter {
    bool by_status;
    s3f_run_status status;
    where_expr *where;
} list_filter;

static bool lookup_field(const s3f_run_record *run, const char *key, where_value *out)
{
    const struct {
        const char *key;
        const char *text;
    } texts[] = {{"name", run->name},     {"kind", run->kind},
                 {"task", run->task},     {"status", s3f_run_status_name(run->status)},
                 {"device", run->device}, {"host", run->host}};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        if (strcmp(key, texts[k].key) == 0)
            return *out = (where_value){.kind = WHERE_STRING, .text = texts[k].text}, true;
    double number = NAN;
    if (strcmp(key, "id") == 0)
        number = (double)run->id;
    else if (strcmp(key, "epochs") == 0)
        number = (double)run->epochs;
    else if (strcmp(key, "seed") == 0 && run->has_seed)
        number = (double)run->seed;
    else
        return false;
    *out = (where_value){.kind = WHERE_NUMBER, .number = number};
    return true;
}

/* Summary values first, then run fields, then recipe keys. A recipe that
 * does not parse has no keys (the stored text is what the run used). */
static void lookup(void *user, const char *key, where_value *out)
{
    run_view *view = user;
    const s3f_run_record *run = view->run;
    *out = (where_value){.kind = WHERE_MISSING};
    for (int i = 0; i < run->summary_count; i++)
        if (strcmp(run->summary[i].key, key) == 0) {
            *out = (where_value){.kind = WHERE_NUMBER, .number = run->summary[i].value};
            return;
        }
    if (lookup_field(run, key, out)) return;
    if (!view->recipe_tried) {
        view->recipe_tried = true;
        if (recipe_flat_parse(run->recipe_yaml, &view->recipe) != S3F_OK) view->recipe = NULL;
    }
    const recipe_flat_entry *e = view->recipe ? recipe_flat_find(view->recipe, key) : NULL;
    if (e) *out = (where_value){.kind = e->quoted ? WHERE_STRING : WHERE_TEXT, .text = e->text};
}

static bool matches(const list_filter *filter, const s3f_run_record *run)
{
    if (filter->by_status && run->status != filter->status) return false;
    if (!filter->where) return true;
    run_view view = {.run = run};
    bool match = where_eval(filter->where, lookup, &view);
    recipe_flat_destroy(view.recipe);
    return match;
}

static s3f_status push_run(s3f_run_list *list, int *capacity)
{
    if (list->count < *capacity) return S3F_OK;
    int grown_capacity = *capacity ? 2 * *capacity : 16;
    s3f_run_record *grown = realloc(list->runs, (size_t)grown_capacity * sizeof *grown);
    if (!grown) return s3f_fail(S3F_ERR_NOMEM, "cannot allocate the list of runs");
    list->runs = grown;
    *capacity = grown_capacity;
    return S3F_OK;
}

/* Loads every row of `stmt` that passes `filter` into `list`. */
static s3f_status collect(s3f_run_store_t *store, sqlite3_stmt *stmt, const list_filter *filter,
                          s3f_run_list *list)
{
    int capacity = 0, src;
    double now = store_now();
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        S3F_RETURN_IF_ERR(push_run(list, &capacity));
        s3f_run_record *run = &list->runs[list->count];
        *run = (s3f_run_record){0};
        s3f_status rc = store_record_load(store, stmt, now, run);
        if (rc == S3F_OK && matches(filter, run)) {
            list->count++;
            continue;
        }
        store_record_clear(run);
        S3F_RETURN_IF_ERR(rc);
    }
    if (src != SQLITE_DONE) return store_sql_fail(store, src, "listing runs");
    return S3F_OK;
}

static s3f_status select_runs(s3f_run_store_t *store, const s3f_run_query *q,
                              const list_filter *filter, s3f_run_list *list)
{
    sqlite3_stmt *stmt = NULL;
    S3F_RETURN_IF_ERR(store_prepare(store,
                                    "SELECT " STORE_RUN_COLUMNS " FROM runs"
                                    " WHERE (?1 IS NULL OR name GLOB ?1)"
                                    " AND (?2 IS NULL OR start_time >= ?2) ORDER BY id",
                                    &stmt));
    if (q->name_glob) sqlite3_bind_text(stmt, 1, q->name_glob, -1, SQLITE_TRANSIENT);
    if (q->since > 0) sqlite3_bind_double(stmt, 2, q->since);
    s3f_status rc = collect(store, stmt, filter, list);
    sqlite3_finalize(stmt);
    return rc;
}

static void truncate_list(s3f_run_list *list, int limit)
{
    if (limit <= 0 || limit >= list->count) return;
    for (int i = limit; i < list->count; i++) store_record_clear(&list->runs[i]);
    list->count = limit;
}

/* Checks the query's status and sort key, and parses its where expression,
 * before anything is read. */
static s3f_status prepare_filter(const s3f_run_query *q, list_filter *filter)
{
    if (q->status) {
        filter->by_status = true;
        S3F_RETURN_IF_ERR(s3f_run_status_parse(q->status, &filter->status));
    }
    S3F_RETURN_IF_ERR(store_sort_runs(NULL, 0, q->sort));
    if (q->where) S3F_RETURN_IF_ERR(where_parse(q->where, &filter->where));
    return S3F_OK;
}

s3f_status s3f_run_store_list(s3f_run_store_t *store, const s3f_run_query *query,
                              s3f_run_list **out)
{
    const s3f_run_query all = {0};
    const s3f_run_query *q = query ? query : &all;
    s3f_status rc = S3F_OK;
    list_filter filter = {0};
    s3f_run_list *list = calloc(1, sizeof *list);
    if (!list) {
        rc = s3f_fail(S3F_ERR_NOMEM, "cannot allocate the list of runs");
        goto fail;
    }
    S3F_TRY(prepare_filter(q, &filter));
    S3F_TRY(select_runs(store, q, &filter, list));
    S3F_TRY(store_sort_runs(list->runs, list->count, q->sort));
    truncate_list(list, q->limit);
    where_destroy(filter.where);
    *out = list;
    return S3F_OK;
fail:
    where_destroy(filter.where);
    s3f_run_list_destroy(list);
    return rc;
}
