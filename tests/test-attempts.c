/* SPDX-License-Identifier: MIT */
/* test-attempts.c: failed renewal attempts: the policy that raises a due
 * connection to WARNING, to the second, and the file beside the ledger. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cma-attempts.h"
#include "cma-error.h"

#define DAY 86400
/* 2026-11-01T00:00:00Z */
#define T   1793491200

static CmaConnection prod = {
  .name = (char *) "prod",
  .server_url = (char *) "https://jira.example.com/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static CmaConnection staging = {
  .name = (char *) "staging",
  .server_url = (char *) "http://localhost:8080/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static CmaConnection other = {
  .name = (char *) "other",
  .server_url = (char *) "https://confluence.example.com/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static void
verdict_at (gboolean known, CmaInstant now, CmaVerdict *v)
{
  CmaPolicy policy;

  cma_policy_init_default (&policy);
  cma_policy_evaluate (&policy, known, T, now, v);
}

/* Renewed at T (21 days), renew-within 7: renew acts once fewer than 7
 * days remain, i.e. from one second after T+14d. */
static void
test_policy_due_boundary (void)
{
  CmaFailure f = { .since = T + 10 * DAY, .at = T + 13 * DAY, .attempts = 3 };
  CmaVerdict v;

  verdict_at (TRUE, T + 14 * DAY, &v);
  g_assert_true (cma_failure_is_current (&f, &v, T + 14 * DAY));
  g_assert_false (cma_failure_escalates (&f, &v, 7, T + 14 * DAY));
  verdict_at (TRUE, T + 14 * DAY + 1, &v);
  g_assert_true (cma_failure_escalates (&f, &v, 7, T + 14 * DAY + 1));
  /* A fractional renew-within, to the second: 6.5 days = 561600 s. */
  verdict_at (TRUE, T + 14 * DAY + DAY / 2, &v);
  g_assert_false (cma_failure_escalates (&f, &v, 6.5, T + 14 * DAY + DAY / 2));
  verdict_at (TRUE, T + 14 * DAY + DAY / 2 + 1, &v);
  g_assert_true (cma_failure_escalates (&f, &v, 6.5, T + 14 * DAY + DAY / 2 + 1));
}

static void
test_policy_current (void)
{
  CmaFailure f = { .since = T + 14 * DAY, .at = T + 15 * DAY, .attempts = 2 };
  CmaVerdict v;

  /* Evaluated before the failure happened: it does not count yet. */
  verdict_at (TRUE, T + 15 * DAY - 1, &v);
  g_assert_false (cma_failure_is_current (&f, &v, T + 15 * DAY - 1));
  g_assert_false (cma_failure_escalates (&f, &v, 7, T + 15 * DAY - 1));
  verdict_at (TRUE, T + 15 * DAY, &v);
  g_assert_true (cma_failure_escalates (&f, &v, 7, T + 15 * DAY));
  /* A renewal recorded after the failure (by hand, say) supersedes it;
   * one in the same second too. */
  f.at = T;
  g_assert_false (cma_failure_is_current (&f, &v, T + 15 * DAY));
  f.at = T + 1;
  g_assert_true (cma_failure_is_current (&f, &v, T + 15 * DAY));
  /* Nothing recorded: always due. */
  verdict_at (FALSE, T + 15 * DAY, &v);
  g_assert_true (cma_failure_escalates (&f, &v, 7, T + 15 * DAY));
  g_assert_false (cma_failure_escalates (NULL, &v, 7, T + 15 * DAY));
}

static char *
attempts_file (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "cma-token", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, "tcma-token.attempts", NULL);
}

static void
test_file_round_trip (void)
{
  gboolean damaged = TRUE;
  g_autofree char *path = attempts_file ();
  g_autoptr (GError) net = g_error_new (CMA_ERROR, CMA_ERROR_NETWORK, "no route\nto host");
  g_autoptr (GError) auth = g_error_new (CMA_ERROR, CMA_ERROR_AUTH, "refused");
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GError) error = NULL;
  const CmaFailure *f;

  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
  g_clear_pointer (&failures, g_ptr_array_unref);

  g_assert_true (cma_attempts_record_failure (path, &prod, T, net, 0600, &error));
  g_assert_true (cma_attempts_record_failure (path, &staging, T + 5, net, 0600, &error));
  g_assert_true (cma_attempts_record_failure (path, &prod, T + 60, auth, 0600, &error));
  g_assert_no_error (error);
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 2);
  f = cma_attempts_find (failures, &prod);
  g_assert_nonnull (f);
  g_assert_cmpint (f->since, ==, T);
  g_assert_cmpint (f->at, ==, T + 60);
  g_assert_cmpuint (f->attempts, ==, 2);
  g_assert_cmpstr (f->error_class, ==, "auth");
  g_assert_cmpstr (f->message, ==, "refused");
  f = cma_attempts_find (failures, &staging);
  g_assert_cmpstr (f->message, ==, "no route to host");
  g_assert_cmpstr (f->error_class, ==, "network");
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* Success forgets one connection only. */
  g_assert_true (cma_attempts_clear (path, &prod, 0600, &error));
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_no_error (error);
  g_assert_null (cma_attempts_find (failures, &prod));
  g_assert_nonnull (cma_attempts_find (failures, &staging));
}

static void
test_file_message_bounded (void)
{
  gboolean damaged = TRUE;
  g_autofree char *path = attempts_file ();
  g_autofree char *longer = g_strnfill (CMA_ATTEMPTS_MAX_MESSAGE + 50, 'x');
  g_autoptr (GError) failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, longer);
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GError) error = NULL;
  const CmaFailure *f;

  g_assert_true (cma_attempts_record_failure (path, &prod, T, failure, 0600, &error));
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_no_error (error);
  f = cma_attempts_find (failures, &prod);
  g_assert_cmpuint (strlen (f->message), ==, CMA_ATTEMPTS_MAX_MESSAGE);
  /* Not one of libcma's errors: the generic class. */
  g_assert_cmpstr (f->error_class, ==, "failed");
}

/* A file cut short (a full disk, a crash of an older writer) or edited:
 * what can be read of it is kept, it is reported damaged, and the next
 * failure or success rewrites it whole, so failures are counted again. */
static void
test_file_corrupt (void)
{
  g_autofree char *path = attempts_file ();
  g_autoptr (GError) net = g_error_new (CMA_ERROR, CMA_ERROR_NETWORK, "down");
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GError) error = NULL;
  gboolean damaged = FALSE;
  const CmaFailure *f;

  g_assert_true (g_file_set_contents (path, "{\"failures\":[", -1, NULL));
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_no_error (error);
  g_assert_true (damaged);
  g_assert_cmpuint (failures->len, ==, 0);
  g_clear_pointer (&failures, g_ptr_array_unref);
  /* The next failure rewrites it, and counts from there (0.1.0 never
   * wrote this file again, so failures went uncounted for good). */
  g_assert_true (cma_attempts_record_failure (path, &prod, T, net, 0600, &error));
  g_assert_no_error (error);
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_false (damaged);
  f = cma_attempts_find (failures, &prod);
  g_assert_nonnull (f);
  g_assert_cmpuint (f->attempts, ==, 1);
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* One bad entry among good ones: the good ones survive the rewrite. */
  g_assert_true (cma_attempts_record_failure (path, &staging, T + 5, net, 0600, &error));
  {
    g_autofree char *data = NULL;
    g_autofree char *bad = NULL;

    g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
    bad = g_strconcat ("{\"failures\": [{\"at\": 1}, ", strstr (data, "[") + 1, NULL);
    g_assert_true (g_file_set_contents (path, bad, -1, NULL));
  }
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_true (damaged);
  g_assert_cmpuint (failures->len, ==, 2);
  g_clear_pointer (&failures, g_ptr_array_unref);
  /* A success that has nothing to forget still repairs the file. */
  g_assert_true (cma_attempts_clear (path, &other, 0600, &error));
  g_assert_no_error (error);
  failures = cma_attempts_load (path, &damaged, &error);
  g_assert_false (damaged);
  g_assert_cmpuint (failures->len, ==, 2);
  g_assert_nonnull (cma_attempts_find (failures, &prod));
  g_assert_nonnull (cma_attempts_find (failures, &staging));
}

/* Whoever can write the state directory can edit the file, and root's
 * status reads it: a member of another type is taken as absent (the file
 * refused for a required one, a fallback for the others), never a
 * critical (fatal in tests) or a NULL where text belongs. */
static const struct {
  const char *member; /* replaces the record's member of that name */
  gboolean loads;
} wrong_types[] = {
  { "\"since\": {}", FALSE },          { "\"at\": 5", FALSE },
  { "\"server_url\": []", FALSE },     { "\"cloud_url\": true", FALSE },
  { "\"attempts\": \"2\"", FALSE },    { "\"attempts\": {}", FALSE },
  { "\"attempts\": 2.5", FALSE },      { "\"connection\": 5", TRUE },
  { "\"connection\": {}", TRUE },      { "\"class\": []", TRUE },
  { "\"message\": {\"a\": 1}", TRUE }, { "\"message\": null", TRUE },
};

static void
test_file_wrong_types (void)
{
  g_autofree char *path = attempts_file ();

  for (gsize i = 0; i < G_N_ELEMENTS (wrong_types); i++)
    {
      /* json-glib keeps the last of a repeated member. */
      g_autofree char *doc = g_strdup_printf (
          "{\"failures\": [{\"since\": \"2026-11-01T00:00:00Z\", "
          "\"at\": \"2026-11-01T00:01:00Z\", \"server_url\": \"https://jira.example.com/\", "
          "\"cloud_url\": \"https://acme.atlassian.net/\", \"connection\": \"prod\", "
          "\"class\": \"network\", \"message\": \"down\", \"attempts\": 2, %s}]}",
          wrong_types[i].member);
      g_autoptr (GPtrArray) failures = NULL;
      g_autoptr (GError) error = NULL;
      gboolean damaged = FALSE;
      const CmaFailure *f;

      g_test_message ("%s", wrong_types[i].member);
      g_assert_true (g_file_set_contents (path, doc, -1, NULL));
      failures = cma_attempts_load (path, &damaged, &error);
      g_assert_no_error (error);
      g_assert_true (damaged == !wrong_types[i].loads);
      if (!wrong_types[i].loads)
        {
          g_assert_cmpuint (failures->len, ==, 0);
          continue;
        }
      f = cma_attempts_find (failures, &prod);
      g_assert_nonnull (f);
      g_assert_nonnull (f->connection);
      g_assert_nonnull (f->error_class);
      g_assert_nonnull (f->message);
    }
}

/* The list itself of another type: damaged, no critical. */
static void
test_file_failures_not_a_list (void)
{
  static const char *const docs[] = { "{\"failures\": {}}", "{\"failures\": 5}",
                                      "{\"failures\": \"x\"}", "[]" };
  g_autofree char *path = attempts_file ();

  for (gsize i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) failures = NULL;
      gboolean damaged = FALSE;

      g_assert_true (g_file_set_contents (path, docs[i], -1, NULL));
      failures = cma_attempts_load (path, &damaged, &error);
      g_assert_no_error (error);
      g_assert_true (damaged);
      g_assert_cmpuint (failures->len, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/attempts/policy/due-boundary", test_policy_due_boundary);
  g_test_add_func ("/attempts/policy/current", test_policy_current);
  g_test_add_func ("/attempts/file/round-trip", test_file_round_trip);
  g_test_add_func ("/attempts/file/message-bounded", test_file_message_bounded);
  g_test_add_func ("/attempts/file/corrupt", test_file_corrupt);
  g_test_add_func ("/attempts/file/wrong-types", test_file_wrong_types);
  g_test_add_func ("/attempts/file/failures-not-a-list", test_file_failures_not_a_list);
  return g_test_run ();
}
