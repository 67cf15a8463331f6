/* fuzz-time.c: TIME arguments (cma_time_parse), as typed by a person or
 * read back from a hook, and the two ways an instant is printed. */
#include "config.h"

#include <stdlib.h>

#include "cma-time.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  CmaInstant at = 0;

  fuzz_make_logs_fatal ();
  if (!cma_time_parse (text, &at, &error))
    {
      /* A refusal must say why. */
      if (error == NULL)
        abort ();
      return 0;
    }
  /* Whatever parses must print: the ledger and hooks write it back. */
  g_free (cma_time_format_iso (at));
  g_free (cma_time_format_local (at));
  return 0;
}
