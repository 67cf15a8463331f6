/* SPDX-License-Identifier: MIT */
/* cma-suggest.c: did-you-mean, shared by commands, configuration keys and
 * connection names so they all forgive the same typos. */
#include "config.h"

#include <string.h>

#include "cma-suggest.h"

guint
cma_suggest_distance (const char *a, const char *b)
{
  gsize n = strlen (a), m = strlen (b);
  g_autofree guint *d = g_new (guint, (n + 1) * (m + 1));

#define D(i, j) d[(i) * (m + 1) + (j)]
  for (gsize i = 0; i <= n; i++)
    D (i, 0) = (guint) i;
  for (gsize j = 0; j <= m; j++)
    D (0, j) = (guint) j;
  for (gsize i = 1; i <= n; i++)
    for (gsize j = 1; j <= m; j++)
      {
        guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
        guint best = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);

        /* "stauts": two adjacent letters swapped is one slip, not two. */
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  return D (n, m);
#undef D
}

/* The one candidate @word begins, or NULL (none, or ambiguous). */
static const char *
unique_prefix_of (const char *word, const char *const *candidates)
{
  const char *found = NULL;

  if (strlen (word) < 2)
    return NULL;
  for (guint i = 0; candidates[i] != NULL; i++)
    if (g_str_has_prefix (candidates[i], word))
      {
        if (found != NULL)
          return NULL;
        found = candidates[i];
      }
  return found;
}

const char *
cma_suggest (const char *word, const char *const *candidates)
{
  guint limit = strlen (word) <= 4 ? 1 : 2;
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  g_autofree char *lower = g_ascii_strdown (word, -1);

  if (*word == '\0' || candidates == NULL)
    return NULL;
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      /* Case slips count as nothing: "Status" is "status". */
      guint distance = cma_suggest_distance (lower, candidates[i]);

      if (distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }
  if (best_distance == 0 && strcmp (best, word) == 0)
    return NULL; /* nothing to correct */
  if (best_distance <= limit)
    return best;
  return unique_prefix_of (lower, candidates);
}
