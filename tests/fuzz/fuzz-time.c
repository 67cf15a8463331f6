/* SPDX-License-Identifier: MIT */
/* fuzz-time.c: TIME arguments (cma_time_parse), as typed by a person or
 * read from the ledger, and the two ways an instant is printed; the ISO
 * form must parse back to the same instant. */
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
  return 0;
}
