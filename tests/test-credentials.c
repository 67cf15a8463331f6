/* SPDX-License-Identifier: MIT */
/* test-credentials.c: when a credential's expiry turns status WARNING,
 * then CRITICAL, to the second. */
#include "config.h"

#include "cma-credentials.h"
#include "cma-error.h"

#include <string.h>

#define DAY ((gint64) 86400)

/* 2027-03-01T00:00:00Z */
#define EXPIRES ((CmaInstant) 1803859200)

static CmaState
state_at (CmaInstant now, double warning_days)
{
  CmaCredentialExpiry c;

  cma_credential_evaluate ("cloud API token", "cloud-token-expires", EXPIRES, now, warning_days,
                           &c);
  g_assert_cmpstr (c.name, ==, "cloud API token");
  g_assert_cmpstr (c.source, ==, "cloud-token-expires");
  g_assert_cmpint (c.expires, ==, EXPIRES);
  g_assert_cmpfloat_with_epsilon (c.days_left, (double) (EXPIRES - now) / DAY, 1e-9);
  return c.state;
}

static void
test_credentials_boundaries (void)
{
  g_assert_cmpint (state_at (EXPIRES - 30 * DAY - 1, 30), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (EXPIRES - 30 * DAY, 30), ==, CMA_STATE_WARNING);
  g_assert_cmpint (state_at (EXPIRES - 1, 30), ==, CMA_STATE_WARNING);
  g_assert_cmpint (state_at (EXPIRES, 30), ==, CMA_STATE_CRITICAL);
  g_assert_cmpint (state_at (EXPIRES + 400 * DAY, 30), ==, CMA_STATE_CRITICAL);
  /* Configurable: 7 days, and 0 (warn only once expired). */
  g_assert_cmpint (state_at (EXPIRES - 7 * DAY - 1, 7), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (EXPIRES - 7 * DAY, 7), ==, CMA_STATE_WARNING);
  g_assert_cmpint (state_at (EXPIRES - 1, 0), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (EXPIRES, 0), ==, CMA_STATE_CRITICAL);
}

static void
test_credentials_parse (void)
{
  CmaInstant at = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_credential_parse_expiry ("2027-03-01T00:00:00Z", &at, NULL));
  g_assert_cmpint (at, ==, EXPIRES);
  /* A bare date is the start of that day, local time (TZ=UTC here). */
  g_assert_true (cma_credential_parse_expiry ("2027-03-01", &at, NULL));
  g_assert_cmpint (at, ==, EXPIRES);
  g_assert_false (cma_credential_parse_expiry ("now", &at, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (cma_credential_parse_expiry ("2027-02-30", &at, &error));
  g_assert_nonnull (strstr (error->message, "such as 2027-03-01"));
}

static void
test_credentials_phrase (void)
{
  CmaCredentialExpiry c;
  g_autofree char *ahead = NULL;
  g_autofree char *behind = NULL;

  cma_credential_evaluate ("cloud API token", "cloud-token-expires", EXPIRES,
                           EXPIRES - 12 * DAY - DAY / 2, 30, &c);
  ahead = cma_credential_phrase (&c, FALSE);
  g_assert_cmpstr (ahead, ==,
                   "cloud API token expires in 12.5 days (2027-03-01T00:00:00Z, from "
                   "cloud-token-expires)");
  cma_credential_evaluate ("cloud API token", "cloud-token-expires", EXPIRES, EXPIRES + 2 * DAY, 30,
                           &c);
  behind = cma_credential_phrase (&c, FALSE);
  g_assert_cmpstr (behind, ==,
                   "cloud API token expired 2.0 days ago (2027-03-01T00:00:00Z, from "
                   "cloud-token-expires)");
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/credentials/boundaries", test_credentials_boundaries);
  g_test_add_func ("/credentials/parse", test_credentials_parse);
  g_test_add_func ("/credentials/phrase", test_credentials_phrase);
  return g_test_run ();
}
