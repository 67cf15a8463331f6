/* SPDX-License-Identifier: MIT */
/* test-api.c: the token fingerprint the ledger keeps. It must stay the
 * same digest whichever library computes it (GnuTLS once, GLib now), or
 * a ledger's fingerprints would stop matching the tokens they name. */
#include "config.h"

#include <glib.h>

#include "cma-api.h"

static void
test_fingerprint (void)
{
  /* SHA-256 test vectors (FIPS 180-2, and the empty message). */
  static const struct {
    const char *token;
    const char *fingerprint;
  } cases[] = {
    { "abc", "sha256:ba7816bf8f01" },
    { "", "sha256:e3b0c44298fc" },
    /* Two blocks: the length no longer fits beside the padding. */
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "sha256:248d6a61d206" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *fingerprint = cma_token_fingerprint (cases[i].token);

      g_assert_cmpstr (fingerprint, ==, cases[i].fingerprint);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api/fingerprint", test_fingerprint);
  return g_test_run ();
}
