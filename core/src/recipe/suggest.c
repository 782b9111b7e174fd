/* suggest.c — "did you mean ...?": the nearest word by edit distance.
 *
 * Not here: what the candidates are (the recipe checker passes option and
 * reserved keys, the plugin host plugin names).
 *
 * Invariant: pure functions of their arguments; no allocation. */
#include <ctype.h>
#include <string.h>

#include "se3flow/recipe.h"

/* Words longer than this are never suggested (nor suggested for). */
#define MAX_WORD 64

/* Optimal string alignment distance (Levenshtein plus swaps of neighbours),
 * ignoring case. a and b are at most MAX_WORD characters. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    int rows[3][MAX_WORD + 1]; /* i-2, i-1, i */
    for (size_t j = 0; j <= m; j++) rows[1][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int *before = rows[0], *above = rows[1], *row = rows[2];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = above[j - 1] + cost;
            if (above[j] + 1 < best) best = above[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (i > 1 && j > 1 &&
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            row[j] = best;
        }
        memcpy(rows[0], rows[1], sizeof rows[0]);
        memcpy(rows[1], rows[2], sizeof rows[0]);
    }
    return rows[1][m];
}

const char *s3f_word_nearest(const char *word, const char *const *candidates, size_t count)
{
    if (!word || !candidates) return NULL;
    size_t n = strlen(word);
    if (n == 0 || n > MAX_WORD) return NULL;
    int limit = n < 4 ? 1 : n < 8 ? 2 : 3;
    const char *nearest = NULL;
    for (size_t i = 0; i < count; i++) {
        const char *candidate = candidates[i];
        size_t m = candidate ? strlen(candidate) : 0;
        if (m == 0 || m > MAX_WORD) continue;
        int distance = edit_distance(word, n, candidate, m);
        if (distance <= limit) {
            nearest = candidate;
            limit = distance - 1; /* later candidates must be strictly nearer */
        }
    }
    return nearest;
}
