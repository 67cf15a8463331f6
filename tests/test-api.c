/* SPDX-License-Identifier: MIT */
/* test-api.c: the token fingerprint the ledger keeps. It must stay the
 * same digest whichever library computes it (GnuTLS once, GLib now), or
 * a ledger's fingerprints would stop matching the tokens they name. And
 * the assistant's minimum version for attach, from the product. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "cma-api-attach.h"
#include "cma-api.h"
#include "cma-error.h"

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

/* The product's minimum, compared numerically; the message names it. */
static void
test_attach_version (void)
{
  static const CmaProduct product = { .assistant_name = "Jira Cloud Migration Assistant",
                                      .min_attach_version = "1.11.4" };
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_api_check_attach_version (&product, "1.11.4", NULL));
  g_assert_true (cma_api_check_attach_version (&product, "1.11.10", NULL));
  g_assert_true (cma_api_check_attach_version (&product, "1.12.0-SNAPSHOT", NULL));
  g_assert_false (cma_api_check_attach_version (&product, "1.11.3", &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "version 1.11.3; attaching the cloud site for "
                                            "Migration API jobs needs 1.11.4 or later"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api/fingerprint", test_fingerprint);
  g_test_add_func ("/api/attach-version", test_attach_version);
  return g_test_run ();
}
