/* SPDX-License-Identifier: MIT */
/* fuzz-time.c: TIME arguments (cma_time_parse), as typed by a person or
 * read from the ledger, and the two ways an instant is printed; the ISO
 * form must parse back to the same instant, and iCalendar's agree. */
#include "config.h"

#include <stdlib.h>

#include "cma-time.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autofree char *iso = NULL;
  CmaInstant at = 0, again = 0;

  fuzz_make_logs_fatal ();
  if (!cma_time_parse (text, &at, &error))
    {
      /* A refusal must say why. */
      if (error == NULL)
        abort ();
      return 0;
    }
  /* Whatever parses must print, and the ledger's form must read back as
   * the same instant: the ledger stores it and parses it again. */
  iso = cma_time_format_iso (at);
  if (iso == NULL || !cma_time_parse (iso, &again, NULL) || again != at)
    abort ();
  g_free (cma_time_format_local (at));
  /* Every format shows the same instant: iCalendar's is the ISO form
   * without its separators (it was empty past 9999). */
  {
    g_autofree char *ics = cma_time_format_ics (at);
    g_autoptr (GString) plain = g_string_new (NULL);

    for (const char *p = iso; *p != '\0'; p++)
      if (*p != '-' && *p != ':')
        g_string_append_c (plain, *p);
    if (g_strcmp0 (ics, plain->str) != 0)
      abort ();
  }
  /* The evaluated range is within the parsed one. */
  if (cma_time_check_evaluated (at, "--at", NULL) && !cma_time_in_range (at))
    abort ();
  return 0;
}
