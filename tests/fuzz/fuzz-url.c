/* SPDX-License-Identifier: MIT */
/* fuzz-url.c: server and cloud URLs from the configuration and the
 * command line (cma_url_normalize) and what is derived from them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cma-url.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) again_error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *again = NULL;

  fuzz_make_logs_fatal ();
  url = cma_url_normalize (text, "server URL", &error);
  if (url == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  /* A normalised URL is stored and compared byte for byte (the ledger
   * matches renewals on it), so normalising it again must not change it. */
  again = cma_url_normalize (url, "server URL", &again_error);
  if (again == NULL || strcmp (again, url) != 0)
    abort ();
  (void) cma_url_is_loopback (url);
  g_free (cma_url_join (url, "rest/plugins/1.0/"));
  g_free (cma_url_cloud_site (url));
  return 0;
}
