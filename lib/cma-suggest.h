/* SPDX-License-Identifier: MIT */
/* cma-suggest.h: "did you mean ...?" for mistyped names. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The candidate closest to @word, or NULL when none is close enough to be
 * what was meant: at most one edit away for words of up to four
 * characters, two for longer ones (an edit inserts, deletes or replaces a
 * character, or swaps two adjacent ones), or @word a prefix of exactly one
 * candidate ("stat" for "status"). Ties go to the earlier candidate.
 * @candidates is NULL-terminated; the result points into it. */
const char *cma_suggest (const char *word, const char *const *candidates);

/* Optimal string alignment distance between @a and @b, in bytes. */
guint cma_suggest_distance (const char *a, const char *b);

G_END_DECLS
