/* test-ledger.c: the renewal ledger: format, corruption, locking, atomicity. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "cma-error.h"
#include "cma-ledger.h"

#define PROGRAM "tcma-token"

static CmaConnection prod = {
  .name = (char *) "prod",
  .server_url = (char *) "https://jira.example.com/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static CmaConnection staging = {
  .name = (char *) "staging",
  .server_url = (char *) "http://localhost:8080/",
  .cloud_url = (char *) "https://acme-sandbox.atlassian.net/",
};

/* Each test has its own XDG directories (G_TEST_OPTION_ISOLATE_DIRS). */
static char *
state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "cma-token", NULL);
}

static CmaLedger *
open_ledger (void)
{
  g_autofree char *dir = state_dir ();
  CmaLedger *ledger = cma_ledger_new (dir, PROGRAM);

  /* The tests write ledgers by hand; only the lock would create the dir. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_nonnull (ledger);
  return ledger;
}

static void
append_ok (CmaLedger *ledger, const CmaRenewal *renewal)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_ledger_lock (ledger, 0, &error));
  g_assert_true (cma_ledger_append (ledger, renewal, &error));
  g_assert_no_error (error);
  cma_ledger_unlock (ledger);
}

static void
test_ledger_new (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "a", "b", NULL);
  g_autofree char *expected = g_build_filename (dir, PROGRAM ".ledger", NULL);
  g_autofree char *default_dir = cma_ledger_default_dir (FALSE, "/var");
  g_autofree char *system_dir = cma_ledger_default_dir (TRUE, "/opt/var");
  g_autofree char *user_dir = state_dir ();
  g_autoptr (CmaLedger) ledger = cma_ledger_new (dir, PROGRAM);
  g_autoptr (GPtrArray) renewals = NULL;
  GStatBuf st;

  g_assert_cmpstr (default_dir, ==, user_dir);
  g_assert_cmpstr (system_dir, ==, "/opt/var/lib/cma-token");

  g_assert_nonnull (ledger);
  g_assert_cmpstr (cma_ledger_get_path (ledger), ==, expected);
  /* Readers create nothing: status from a monitoring agent must not
   * leave directories behind. Absence is emptiness. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  renewals = cma_ledger_load (ledger, NULL);
  g_assert_nonnull (renewals);
  g_assert_cmpuint (renewals->len, ==, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* The writer's lock creates the directory 0700; missing parents get
   * ordinary permissions. */
  g_assert_true (cma_ledger_lock (ledger, 0, NULL));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  cma_ledger_unlock (ledger);
}

/* The two renewals test_ledger_round_trip writes, as read back: one with
 * every field, one with only what is required. */
static void
check_full_renewal (const CmaRenewal *r)
{
  g_assert_cmpint (r->at, ==, 1794299400);
  g_assert_cmpstr (r->connection, ==, "prod");
  g_assert_cmpstr (r->server_url, ==, prod.server_url);
  g_assert_cmpstr (r->cloud_url, ==, prod.cloud_url);
  g_assert_cmpstr (r->method, ==, "api");
  g_assert_cmpstr (r->user, ==, g_get_user_name ());
  g_assert_cmpstr (r->note, ==, "CHG-1 \"quoted\"");
  g_assert_cmpstr (r->fingerprint, ==, "sha256:ab12cd34ef56");
}

static void
check_bare_renewal (const CmaRenewal *r)
{
  g_assert_cmpint (r->at, ==, 1794385800);
  g_assert_cmpstr (r->connection, ==, "staging");
  g_assert_cmpstr (r->server_url, ==, staging.server_url);
  g_assert_cmpstr (r->cloud_url, ==, staging.cloud_url);
  g_assert_cmpstr (r->method, ==, "manual");
  g_assert_null (r->note);
  g_assert_null (r->fingerprint);
}

static void
test_ledger_round_trip (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (CmaRenewal) full = cma_renewal_new (1794299400, &prod, "api", "CHG-1 \"quoted\"");
  g_autoptr (CmaRenewal) bare = cma_renewal_new (1794385800, &staging, "manual", NULL);
  g_autoptr (GPtrArray) renewals = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GStatBuf st;

  g_assert_cmpstr (full->user, ==, g_get_user_name ());
  g_assert_null (full->fingerprint);
  full->fingerprint = g_strdup ("sha256:ab12cd34ef56");
  append_ok (ledger, full);
  append_ok (ledger, bare);

  g_assert_cmpint (g_stat (cma_ledger_get_path (ledger), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Exactly one JSON object per line, each line ended. */
  g_assert_true (g_file_get_contents (cma_ledger_get_path (ledger), &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "}\n"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (lines[i], &error);

      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
    }
  g_assert_nonnull (strstr (lines[0], "\"at\":\"2026-11-10T08:30:00Z\""));
  g_assert_null (strstr (lines[1], "note"));
  g_assert_null (strstr (lines[1], "fingerprint"));

  renewals = cma_ledger_load (ledger, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renewals->len, ==, 2);
  check_full_renewal (renewals->pdata[0]);
  check_bare_renewal (renewals->pdata[1]);
}

static void
test_ledger_find_last (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  CmaConnection renamed = prod, other_cloud = prod, nowhere = staging;
  static const struct {
    CmaInstant at;
    gboolean prod;
  } appended[] = {
    { 1000, TRUE }, { 5000, FALSE }, { 3000, TRUE }, { 2000, TRUE }, { 9000, FALSE },
  };
  g_autoptr (GPtrArray) renewals = NULL;
  const CmaRenewal *last;

  renamed.name = (char *) "production";
  other_cloud.cloud_url = (char *) "https://acme-sandbox.atlassian.net/";
  nowhere.server_url = (char *) "http://localhost:9999/";

  g_assert_true (cma_renewal_matches (
      &(CmaRenewal){ .server_url = prod.server_url, .cloud_url = prod.cloud_url }, &renamed));
  for (gsize i = 0; i < G_N_ELEMENTS (appended); i++)
    {
      g_autoptr (CmaRenewal) r =
          cma_renewal_new (appended[i].at, appended[i].prod ? &prod : &staging, "manual", NULL);
      append_ok (ledger, r);
      g_assert_true (cma_renewal_matches (r, appended[i].prod ? &prod : &staging));
      g_assert_false (cma_renewal_matches (r, appended[i].prod ? &staging : &prod));
      g_assert_false (cma_renewal_matches (r, &other_cloud));
      g_assert_false (cma_renewal_matches (r, &nowhere));
    }

  renewals = cma_ledger_load (ledger, NULL);
  g_assert_cmpuint (renewals->len, ==, G_N_ELEMENTS (appended));
  /* The newest by time, not the last line: clocks and --at go backwards. */
  last = cma_ledger_find_last (renewals, &prod);
  g_assert_nonnull (last);
  g_assert_cmpint (last->at, ==, 3000);
  last = cma_ledger_find_last (renewals, &renamed);
  g_assert_nonnull (last);
  g_assert_cmpint (last->at, ==, 3000);
  last = cma_ledger_find_last (renewals, &staging);
  g_assert_nonnull (last);
  g_assert_cmpint (last->at, ==, 9000);
  g_assert_null (cma_ledger_find_last (renewals, &other_cloud));
  g_assert_null (cma_ledger_find_last (renewals, &nowhere));
}

/* What was known at an instant: only renewals recorded at or before it,
 * to the second. */
static void
test_ledger_find_last_at (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  static const CmaInstant appended[] = { 1000, 3000, 2000 };
  static const struct {
    CmaInstant at;
    CmaInstant expected; /* 0: nothing recorded by then */
  } cases[] = {
    { 999, 0 },     { 1000, 1000 }, { 1999, 1000 }, { 2000, 2000 },
    { 2999, 2000 }, { 3000, 3000 }, { 9999, 3000 },
  };
  g_autoptr (GPtrArray) renewals = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (appended); i++)
    {
      g_autoptr (CmaRenewal) r = cma_renewal_new (appended[i], &prod, "manual", NULL);
      append_ok (ledger, r);
    }
  renewals = cma_ledger_load (ledger, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CmaRenewal *last = cma_ledger_find_last_at (renewals, &prod, cases[i].at);

      if (cases[i].expected == 0)
        g_assert_null (last);
      else
        {
          g_assert_nonnull (last);
          g_assert_cmpint (last->at, ==, cases[i].expected);
        }
    }
  g_assert_null (cma_ledger_find_last_at (renewals, &staging, 9999));
}

#define GOOD                                                                                       \
  "{\"at\":\"2026-11-10T08:30:00Z\",\"connection\":\"prod\","                                      \
  "\"server_url\":\"https://jira.example.com/\",\"cloud_url\":\"https://acme.atlassian.net/\","    \
  "\"method\":\"manual\",\"user\":\"root\"}\n"

static const struct {
  const char *contents;
  gsize length; /* 0: strlen */
  guint line;
  const char *fragment;
} corrupt[] = {
  { GOOD "{\"at\":\"2026-11-11T08:30:00Z\",\"conn", 0, 2, "truncated record" },
  { GOOD GOOD "no newline at the end", 0, 3, "truncated record" },
  { "not json\n" GOOD, 0, 1, "not a valid record" },
  { GOOD "\n  \n[1,2]\n", 0, 4, "not a JSON object" },
  { GOOD "\"at\"\n", 0, 2, "not a JSON object" },
  { "{\"at\":\"2026-11-10T08:30:00Z\",\"connection\":\"prod\",\"server_url\":\"x\","
    "\"cloud_url\":\"y\"}\n",
    0, 1, "record lacks" },
  { "{\"at\":1794299400,\"connection\":\"prod\",\"server_url\":\"x\","
    "\"cloud_url\":\"y\",\"method\":\"api\"}\n",
    0, 1, "record lacks" },
  { GOOD "{\"at\":\"yesterday\",\"connection\":\"prod\",\"server_url\":\"x\","
         "\"cloud_url\":\"y\",\"method\":\"api\"}\n",
    0, 2, "invalid time" },
  { GOOD "{\"at\":\"2026-02-30T08:30:00Z\",\"connection\":\"prod\",\"server_url\":\"x\","
         "\"cloud_url\":\"y\",\"method\":\"api\"}\n",
    0, 2, "invalid time" },
  { GOOD GOOD "{\"a\0\":1}\n", sizeof (GOOD GOOD) - 1 + 9, 3, "binary data" },
};

static void
test_ledger_corrupt (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (corrupt); i++)
    {
      g_autoptr (CmaLedger) ledger = open_ledger ();
      const char *path = cma_ledger_get_path (ledger);
      g_autofree char *prefix = g_strdup_printf ("%s:%u: ", path, corrupt[i].line);
      gsize length = corrupt[i].length ? corrupt[i].length : strlen (corrupt[i].contents);
      g_autoptr (CmaRenewal) r = cma_renewal_new (1794299400, &prod, "manual", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) renewals = NULL;
      g_autofree char *after = NULL;
      gsize after_length;
      GStatBuf before_st, after_st;

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, corrupt[i].fragment);
      g_assert_true (g_file_set_contents (path, corrupt[i].contents, length, NULL));
      g_assert_cmpint (g_stat (path, &before_st), ==, 0);

      renewals = cma_ledger_load (ledger, &error);
      g_assert_null (renewals);
      g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
      if (!g_str_has_prefix (error->message, prefix) ||
          strstr (error->message, corrupt[i].fragment) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": got '%s', want prefix '%s' and '%s'", i, error->message,
                 prefix, corrupt[i].fragment);
      g_clear_error (&error);

      /* Never overwritten: same bytes, same inode. */
      g_assert_true (cma_ledger_lock (ledger, 0, NULL));
      g_assert_false (cma_ledger_append (ledger, r, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
      g_assert_cmpmem (after, after_length, corrupt[i].contents, length);
      g_assert_cmpint (g_stat (path, &after_st), ==, 0);
      g_assert_cmpuint (after_st.st_ino, ==, before_st.st_ino);
    }
}

static void
test_ledger_lock (void)
{
  g_autoptr (CmaLedger) first = open_ledger ();
  g_autoptr (CmaLedger) second = open_ledger ();
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_ledger_lock (first, 0, &error));
  g_assert_no_error (error);
  g_assert_true (cma_ledger_lock (first, 0, &error)); /* already ours */

  /* flock belongs to the open file description: two opens contend. */
  g_assert_false (cma_ledger_lock (second, 0, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_LOCKED);
  g_clear_error (&error);
  /* With a timeout it waits, then gives up all the same. */
  g_assert_false (cma_ledger_lock (second, 1, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, cma_ledger_get_path (second)));
  g_clear_error (&error);

  cma_ledger_unlock (first);
  g_assert_true (cma_ledger_lock (second, 0, &error));
  g_assert_no_error (error);
  g_assert_false (cma_ledger_lock (first, 0, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_LOCKED);
  g_clear_error (&error);

  /* Freeing releases the lock too. */
  g_clear_pointer (&second, cma_ledger_free);
  g_assert_true (cma_ledger_lock (first, 1, &error));
  g_assert_no_error (error);
}

static void
test_ledger_atomic (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794299400, &prod, "manual", NULL);
  g_autofree char *dir = state_dir ();
  g_autoptr (GDir) listing = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GStatBuf before, after;
  const char *name;

  append_ok (ledger, r);
  g_assert_cmpint (g_stat (cma_ledger_get_path (ledger), &before), ==, 0);
  append_ok (ledger, r);
  g_assert_cmpint (g_stat (cma_ledger_get_path (ledger), &after), ==, 0);
  /* Rewritten through rename(): a reader never sees half a file. */
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  g_assert_cmpint (after.st_size, ==, 2 * before.st_size);
  g_assert_cmpint (after.st_mode & 07777, ==, 0600);

  listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_add (names, NULL);
  /* The ledger and the lock file, and no temporary file left behind. */
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_true (g_strv_contains ((const char *const *) names->pdata, PROGRAM ".ledger"));
  g_assert_true (g_strv_contains ((const char *const *) names->pdata, PROGRAM ".lock"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ledger/new", test_ledger_new);
  g_test_add_func ("/ledger/round-trip", test_ledger_round_trip);
  g_test_add_func ("/ledger/find-last", test_ledger_find_last);
  g_test_add_func ("/ledger/find-last-at", test_ledger_find_last_at);
  g_test_add_func ("/ledger/corrupt", test_ledger_corrupt);
  g_test_add_func ("/ledger/lock", test_ledger_lock);
  g_test_add_func ("/ledger/atomic", test_ledger_atomic);

  return g_test_run ();
}
