/* suggest.c — nearest-word suggestions (suggest.h). Words are short (keys,
 * plugin names): the quadratic dynamic programme is fine; longer inputs are
 * cut at MAX_WORD characters, which only makes a suggestion less likely. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "se3flow/suggest.h"

#define MAX_WORD 64

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int s3f_edit_distance(const char *a, const char *b)
{
    int n = (int)strnlen(a, MAX_WORD), m = (int)strnlen(b, MAX_WORD);
    static _Thread_local int d[MAX_WORD + 1][MAX_WORD + 1];
    for (int i = 0; i <= n; i++) d[i][0] = i;
    for (int j = 0; j <= m; j++) d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[n][m];
}

const char *s3f_closest_word(const char *word, const char *const *candidates, int count)
{
    int limit = (int)strlen(word) / 3, best = -1, best_distance = 0;
    if (limit < 2) limit = 2;
    for (int i = 0; i < count; i++) {
        if (!candidates[i] || !strcmp(candidates[i], word)) continue;
        int distance = s3f_edit_distance(word, candidates[i]);
        bool prefix = *word && strncmp(candidates[i], word, strlen(word)) == 0;
        if (distance > limit && !prefix) continue;
        if (best < 0 || distance < best_distance) {
            best = i;
            best_distance = distance;
        }
    }
    return best < 0 ? NULL : candidates[best];
}
