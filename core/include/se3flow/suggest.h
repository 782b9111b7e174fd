/* suggest.h — "did you mean ...?": the closest of a list of words to one a
 * user typed, by edit distance (insertions, deletions, substitutions and
 * swaps of neighbours each count 1). Used for recipe keys and plugin names. */
#ifndef SE3FLOW_SUGGEST_H
#define SE3FLOW_SUGGEST_H

#include "se3flow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Optimal string alignment distance between a and b (case-sensitive). */
S3F_API int s3f_edit_distance(const char *a, const char *b);

/* The candidate closest to `word`, or NULL when none is close enough to be a
 * plausible typo: distance at most max(2, strlen(word) / 3), or `word` is a
 * prefix of the candidate. Ties go to the earlier candidate. Borrowed from
 * `candidates`. Thread-safe. */
S3F_API const char *s3f_closest_word(const char *word, const char *const *candidates, int count);

#ifdef __cplusplus
}
#endif
#endif
