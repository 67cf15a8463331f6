/* SPDX-License-Identifier: MIT */
/* test-ledger.c: the renewal ledger: format, corruption, locking, atomicity. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-ledger.h"
#include "ledger-reference.h"

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
  g_assert_true (cma_ledger_append (ledger, renewal, 0600, &error));
  g_assert_no_error (error);
  cma_ledger_unlock (ledger);
}

static void
test_ledger_new (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "a", "b", NULL);
  g_autofree char *expected = g_build_filename (dir, PROGRAM ".ledger", NULL);
  g_autoptr (CmaLedger) ledger = cma_ledger_new (dir, PROGRAM);
  g_autoptr (GPtrArray) renewals = NULL;

  g_assert_nonnull (ledger);
  g_assert_cmpstr (cma_ledger_get_path (ledger), ==, expected);
  /* Readers create nothing: status from a monitoring agent must not
   * leave directories behind. Absence is emptiness. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  renewals = cma_ledger_load (ledger, NULL);
  g_assert_nonnull (renewals);
  g_assert_cmpuint (renewals->len, ==, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
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
  { GOOD "{\"at\":\"0999-01-01T00:00:00Z\",\"connection\":\"prod\",\"server_url\":\"x\","
         "\"cloud_url\":\"y\",\"method\":\"api\"}\n",
    0, 2, "invalid time" },
  { GOOD "/* nothing */\n", 0, 2, "empty document" },
  { GOOD GOOD "{\"a\0\":1}\n", sizeof (GOOD GOOD) - 1 + 9, 3, "binary data" },
};

static void
collect_warning (const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* Every unusable line is skipped with a warning naming it, never fatal
 * to every command (a bad line once stopped status, record and renew
 * until someone edited the file), and an append keeps it byte for byte. */
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
      g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *after = NULL;
      gsize after_length;
      guint good = 0;

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, corrupt[i].fragment);
      for (const char *p = corrupt[i].contents; (p = strstr (p, GOOD)) != NULL; p++)
        good++;
      g_assert_true (g_file_set_contents (path, corrupt[i].contents, length, NULL));
      cma_ledger_set_warn_func (ledger, collect_warning, warnings);

      renewals = cma_ledger_load (ledger, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (renewals->len, ==, good);
      g_assert_cmpuint (warnings->len, ==, 1);
      if (!g_str_has_prefix (warnings->pdata[0], prefix) ||
          strstr (warnings->pdata[0], corrupt[i].fragment) == NULL ||
          !g_str_has_suffix (warnings->pdata[0], "; line ignored"))
        g_error ("case %" G_GSIZE_FORMAT ": got '%s', want prefix '%s' and '%s'", i,
                 (char *) warnings->pdata[0], prefix, corrupt[i].fragment);
      /* Once per ledger object, however often it is read. */
      g_clear_pointer (&renewals, g_ptr_array_unref);
      renewals = cma_ledger_load (ledger, &error);
      g_assert_cmpuint (warnings->len, ==, 1);

      /* Kept as evidence; the new record gets a line of its own. */
      append_ok (ledger, r);
      g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
      g_assert_cmpuint (after_length, >, length);
      g_assert_cmpmem (after, length, corrupt[i].contents, length);
      g_clear_pointer (&renewals, g_ptr_array_unref);
      renewals = cma_ledger_load (ledger, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (renewals->len, ==, good + 1);
    }
}

/* 100,000 levels of "[" as one line overflowed json-glib's stack. */
static void
test_ledger_deep_line (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (GString) contents = g_string_new (GOOD);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) renewals = NULL;

  for (guint i = 0; i < 60000; i++)
    g_string_append_c (contents, '[');
  g_string_append_c (contents, '\n');
  g_assert_true (g_file_set_contents (cma_ledger_get_path (ledger), contents->str, -1, NULL));
  cma_ledger_set_warn_func (ledger, collect_warning, warnings);
  renewals = cma_ledger_load (ledger, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renewals->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":2: not a valid record (nested deeper than"));
}

static CmaInstant
fixed_clock (gpointer data)
{
  return *(CmaInstant *) data;
}

/* A line dated in the future would be "the last renewal" until that day,
 * hiding every renewal recorded meanwhile: it is ignored, with a warning. */
static void
test_ledger_future (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) renewals = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  CmaInstant now = 1794299400 + 3600; /* GOOD is an hour old */
  CmaInstant soon = now + CMA_RECORD_MAX_SKEW_SECONDS;
  g_autoptr (CmaRenewal) r = cma_renewal_new (soon, &prod, "manual", NULL);

  cma_clock_set_func (fixed_clock, &now);
  g_assert_true (g_file_set_contents (
      cma_ledger_get_path (ledger),
      GOOD "{\"at\":\"9999-12-31T23:59:59Z\",\"connection\":\"prod\",\"server_url\":"
           "\"https://jira.example.com/\",\"cloud_url\":\"https://acme.atlassian.net/\","
           "\"method\":\"manual\"}\n",
      -1, NULL));
  cma_ledger_set_warn_func (ledger, collect_warning, warnings);
  renewals = cma_ledger_load (ledger, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renewals->len, ==, 1);
  g_assert_cmpint (cma_ledger_find_last (renewals, &prod)->at, ==, 1794299400);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (
      strstr (warnings->pdata[0], ":2: renewal dated in the future (9999-12-31T23:59:59Z)"));

  /* Within the skew record allows, a renewal counts. */
  append_ok (ledger, r);
  again = cma_ledger_load (ledger, &error);
  g_assert_cmpint (cma_ledger_find_last (again, &prod)->at, ==, soon);
  cma_clock_set_func (NULL, NULL);
}

/* A ledger that is not a regular file is refused at once: /dev/zero grew
 * memory without end, a FIFO hung the command. */
static void
test_ledger_not_regular (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  const char *path = cma_ledger_get_path (ledger);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) renewals = NULL;

  g_assert_cmpint (symlink ("/dev/zero", path), ==, 0);
  renewals = cma_ledger_load (ledger, &error);
  g_assert_null (renewals);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (path), ==, 0);

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  renewals = cma_ledger_load (ledger, &error);
  g_assert_null (renewals);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
}

/* A line longer than any record is skipped without being held whole. */
static void
test_ledger_long_line (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) contents = g_string_new (GOOD);
  g_autoptr (GPtrArray) renewals = NULL;

  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (contents, 'x');
  g_string_append (contents, "\n" GOOD);
  g_assert_true (g_file_set_contents (cma_ledger_get_path (ledger), contents->str, -1, NULL));
  cma_ledger_set_warn_func (ledger, collect_warning, warnings);
  renewals = cma_ledger_load (ledger, NULL);
  g_assert_cmpuint (renewals->len, ==, 2);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":2: record longer than 65536 bytes"));
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
  /* Appended in place: the same file, one line longer. */
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (after.st_size, ==, 2 * before.st_size);
  g_assert_cmpint (after.st_mode & 07777, ==, 0600);

  listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_add (names, NULL);
  /* The ledger and the lock file, and no temporary file. */
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_true (g_strv_contains ((const char *const *) names->pdata, PROGRAM ".ledger"));
  g_assert_true (g_strv_contains ((const char *const *) names->pdata, PROGRAM ".lock"));
}

/* A planted symlink as lock file is not followed. */
static void
test_ledger_lock_symlink (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autofree char *dir = state_dir ();
  g_autofree char *lock = g_build_filename (dir, PROGRAM ".lock", NULL);
  g_autofree char *target = g_build_filename (dir, "elsewhere", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (symlink (target, lock), ==, 0);
  g_assert_false (cma_ledger_lock (ledger, 0, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
}

/* The rewrite keeps the owner, group and mode of the ledger it replaces
 * (root recording into a user's directory once took the ledger over). */
static void
test_ledger_keeps_owner (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794299400, &prod, "manual", NULL);
  const char *path = cma_ledger_get_path (ledger);
  GStatBuf st;

  append_ok (ledger, r);
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  if (geteuid () == 0)
    g_assert_cmpint (chown (path, 1, 1), ==, 0);
  append_ok (ledger, r);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  if (geteuid () == 0)
    {
      g_assert_cmpint (st.st_uid, ==, 1);
      g_assert_cmpint (st.st_gid, ==, 1);
    }
}

static void
create_each (const char *dir, const char *const *names, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_assert_true (g_file_set_contents (path, "x", -1, NULL));
    }
}

static void
assert_each_exists (const char *dir, const char *const *names, gsize n, gboolean exists)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_test_message ("%s", names[i]);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS) == exists);
    }
}

/* Temporary files a killed writer left are removed by the next writer,
 * under the lock; nothing else is: not a copy an administrator made
 * beside the ledger, whatever its name (0.1.0 removed "ledger.backup"). */
static void
test_ledger_stale_temporaries (void)
{
  static const char *const stale_names[] = { "." PROGRAM ".ledger.Ab12Cd" };
  static const char *const kept_names[] = {
    PROGRAM ".ledger.backup",  PROGRAM ".ledger.Ab12Cd",    PROGRAM ".index.0f3a9c",
    PROGRAM ".ledger.keep-me", "." PROGRAM ".ledger.Ab12C", "." PROGRAM ".ledger.Ab-2Cd"
  };
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autofree char *dir = state_dir ();

  create_each (dir, stale_names, G_N_ELEMENTS (stale_names));
  create_each (dir, kept_names, G_N_ELEMENTS (kept_names));
  g_assert_true (cma_ledger_lock (ledger, 0, NULL));
  assert_each_exists (dir, stale_names, G_N_ELEMENTS (stale_names), FALSE);
  assert_each_exists (dir, kept_names, G_N_ELEMENTS (kept_names), TRUE);
}

/* A torn last line (a write cut short) is ended, reported and kept; the
 * next record lands on a line of its own, and nothing before is lost. */
static void
test_ledger_torn_line (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794299400, &staging, "manual", NULL);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) renewals = NULL;
  g_autofree char *contents = NULL;
  const char *torn = "{\"at\":\"2026-11-10T08:00:00Z\",\"conn";
  g_autofree char *before = g_strconcat (GOOD, torn, NULL);

  g_assert_true (g_file_set_contents (cma_ledger_get_path (ledger), before, -1, NULL));
  append_ok (ledger, r);
  g_assert_true (g_file_get_contents (cma_ledger_get_path (ledger), &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, GOOD));
  g_assert_true (g_str_has_prefix (contents + strlen (GOOD), torn));
  g_assert_cmpint (contents[strlen (GOOD) + strlen (torn)], ==, '\n');

  cma_ledger_set_warn_func (ledger, collect_warning, warnings);
  renewals = cma_ledger_load (ledger, NULL);
  g_assert_cmpuint (renewals->len, ==, 2);
  g_assert_cmpstr (((CmaRenewal *) renewals->pdata[1])->connection, ==, "staging");
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":2: not a valid record"));
}

/* An append that fails part-way (here the file size limit, as a full
 * disk would) leaves the ledger byte for byte as it was: no fragment of
 * the record, which would be reported on every read and, once the next
 * append ended it, stay a bad line for good; nor the newline that ended
 * a torn line before it. */
static void
test_ledger_failed_append (void)
{
  g_autoptr (CmaLedger) ledger = open_ledger ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794299400, &staging, "manual", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *before = GOOD "{\"at\":\"2026-11-10T08:00:00Z\",\"conn";
  struct rlimit old, limit;
  void (*old_handler) (int);
  gsize len;
  gboolean ok;

  g_assert_true (g_file_set_contents (cma_ledger_get_path (ledger), before, -1, NULL));
  g_assert_true (cma_ledger_lock (ledger, 0, &error));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  if (old.rlim_max != RLIM_INFINITY && old.rlim_max < strlen (before) + 10)
    {
      g_test_skip ("the file size limit is too low to test with");
      return;
    }
  limit = old;
  limit.rlim_cur = strlen (before) + 10;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  ok = cma_ledger_append (ledger, r, 0600, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
  signal (SIGXFSZ, old_handler);
  g_assert_false (ok);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
  g_assert_true (g_file_get_contents (cma_ledger_get_path (ledger), &contents, &len, NULL));
  g_assert_cmpuint (len, ==, strlen (before));
  g_assert_cmpstr (contents, ==, before);
}

/* The ledger's own form is read without json-glib; every line must mean
 * what json-glib's reading of it means: the same record, or the same
 * reason to skip it. A space after '{' sends a line the long way. */
static void
assert_same_reading (const char *line)
{
  g_autofree char *slow_line = g_strdup_printf ("{ %s", line + 1);
  g_autofree char *why = NULL;
  g_autofree char *slow_why = NULL;
  g_autoptr (CmaRenewal) fast = cma_ledger_parse_line (line, strlen (line), &why);
  g_autoptr (CmaRenewal) slow = cma_ledger_parse_line (slow_line, strlen (slow_line), &slow_why);

  /* json-glib's own messages name a column, one further in the long way. */
  if (why != NULL && g_str_has_prefix (why, "not a valid record (<data>"))
    g_assert_true (g_str_has_prefix (slow_why, "not a valid record (<data>"));
  else
    g_assert_cmpstr (why, ==, slow_why);
  g_assert_true ((fast == NULL) == (slow == NULL));
  if (fast == NULL)
    return;
  g_assert_cmpint (fast->at, ==, slow->at);
  g_assert_cmpstr (fast->connection, ==, slow->connection);
  g_assert_cmpstr (fast->note, ==, slow->note);
  g_assert_cmpstr (fast->fingerprint, ==, slow->fingerprint);
}

static void
test_ledger_fast_read (void)
{
  static const char *const times[] = {
    "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",      "2000-02-29T12:00:00Z",
    "1900-02-29T00:00:00Z", "2023-02-29T00:00:00Z",      "2024-02-29T23:59:59Z",
    "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",      "2026-12-31T24:00:00Z",
    "2026-12-31T23:60:00Z", "2026-12-31T23:59:60Z",      "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",      "2026-1-01T00:00:00Z",
    "2026-01-01T00:00:00",  "2026-01-01T00:00:00+01:00", "2026-01-01 00:00:00Z",
  };
  static const char *const lines[] = {
    "{}",
    "{\"at\":\"2026-01-01T00:00:00Z\"}",
    "{\"at\":\"2026-01-01T00:00:00Z\",\"connection\":\"a\",\"server_url\":\"s\","
    "\"cloud_url\":\"c\",\"method\":\"api\",\"fingerprint\":\"f\",\"x\":\"y\"}",
    "{\"at\":\"2026-01-01T00:00:00Z\",\"connection\":\"a\",\"server_url\":\"s\","
    "\"cloud_url\":\"c\",\"method\":\"api\",\"note\":\"a \\\"quoted\\\" \\u00e9\"}",
    "{\"at\":\"2026-01-01T00:00:00Z\",\"connection\":\"a\",\"server_url\":\"s\","
    "\"cloud_url\":\"c\",\"method\":1}",
    "{\"at\":\"2026-01-01T00:00:00Z\",\"connection\":\"a\",\"connection\":\"b\","
    "\"server_url\":\"s\",\"cloud_url\":\"c\",\"method\":\"api\"}",
    "{\"at\":\"2026-01-01T00:00:00Z\",}",
    "{\"at\":\"2026-01-01T00:00:00Z\"",
    "{\"at\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *line =
          g_strdup_printf ("{\"at\":\"%s\",\"connection\":\"a\",\"server_url\":\"https://s/\","
                           "\"cloud_url\":\"https://c/\",\"method\":\"manual\",\"user\":\"u\"}",
                           times[i]);

      assert_same_reading (line);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    assert_same_reading (lines[i]);
  /* Every day of four centuries around the epoch, one second before midnight. */
  for (gint64 t = -200 * 365 * G_GINT64_CONSTANT (86400); t < 200 * 365 * G_GINT64_CONSTANT (86400);
       t += 86400)
    {
      g_autofree char *at = cma_time_format_iso (t + 86399);
      g_autofree char *line = g_strdup_printf (
          "{\"at\":\"%s\",\"connection\":\"a\",\"server_url\":\"s\",\"cloud_url\":\"c\","
          "\"method\":\"manual\"}",
          at);
      g_autofree char *why = NULL;
      g_autoptr (CmaRenewal) r = cma_ledger_parse_line (line, strlen (line), &why);

      if (cma_time_in_range (t + 86399))
        g_assert_cmpint (r != NULL ? r->at : -1, ==, t + 86399);
    }
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
  g_test_add_func ("/ledger/fast-read", test_ledger_fast_read);
  g_test_add_func ("/ledger/deep-line", test_ledger_deep_line);
  g_test_add_func ("/ledger/future", test_ledger_future);
  g_test_add_func ("/ledger/not-regular", test_ledger_not_regular);
  g_test_add_func ("/ledger/long-line", test_ledger_long_line);
  g_test_add_func ("/ledger/lock-symlink", test_ledger_lock_symlink);
  g_test_add_func ("/ledger/keeps-owner", test_ledger_keeps_owner);
  g_test_add_func ("/ledger/stale-temporaries", test_ledger_stale_temporaries);
  g_test_add_func ("/ledger/lock", test_ledger_lock);
  g_test_add_func ("/ledger/atomic", test_ledger_atomic);
  g_test_add_func ("/ledger/torn-line", test_ledger_torn_line);
  g_test_add_func ("/ledger/failed-append", test_ledger_failed_append);

  return g_test_run ();
}
