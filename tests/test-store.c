/* SPDX-License-Identifier: MIT */
/* test-store.c: the state directory of a run: what it creates and with
 * which modes, and that its latest renewal per token always answers as a
 * whole read of the ledger (tests/ledger-reference.c) does, across
 * writers, threads and edits. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cma-attempts.h"
#include "cma-error.h"
#include "cma-store.h"
#include "ledger-reference.h"

#define PROGRAM "tcma-token"
#define N_CONNS 5

static CmaConnection conns[N_CONNS];

/* The tests' clock: after every random renewal, so none is in the future. */
static CmaInstant
test_clock (gpointer data)
{
  return 1794000000 + 30 * 86400;
}

static void
init_conns (void)
{
  for (guint i = 0; i < N_CONNS; i++)
    {
      conns[i].name = g_strdup_printf ("c%u", i);
      conns[i].server_url = g_strdup_printf ("https://jira%u.example.com/", i % 3);
      conns[i].cloud_url = g_strdup_printf ("https://site%u.atlassian.net/", i);
    }
}

static char *
state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "a", "cma-token", NULL);
}

static CmaStore *
open_store (void)
{
  g_autofree char *dir = state_dir ();

  return cma_store_new (dir, PROGRAM);
}

static char *
state_file (const char *name)
{
  g_autofree char *dir = state_dir ();

  return g_build_filename (dir, name, NULL);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* A renewal of a random connection, at one of few times, so that equal
 * times (where the later line wins) and backdated records are common. */
static CmaRenewal *
random_renewal (GRand *rand)
{
  CmaInstant at = 1794000000 + 3600 * g_rand_int_range (rand, 0, 40);
  g_autofree char *note = g_strdup_printf ("n%u", g_rand_int (rand));

  return cma_renewal_new (at, &conns[g_rand_int_range (rand, 0, N_CONNS)], "manual", note);
}

static void
append_ok (CmaStore *store, const CmaRenewal *r)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_store_append (store, r, &error));
  g_assert_no_error (error);
}

/* Append @text to the ledger as another program (or a person) would. */
static void
append_by_hand (CmaStore *store, const char *text)
{
  int fd = open (cma_store_get_ledger_path (store), O_WRONLY | O_APPEND);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  close (fd);
}

/* @store's answers, through both readers, are a whole read's. */
static void
assert_agrees (CmaStore *store)
{
  g_autoptr (CmaLedger) ledger = cma_ledger_new (cma_store_get_dir (store), PROGRAM);
  g_autoptr (GPtrArray) all = cma_ledger_load (ledger, NULL);
  g_autoptr (CmaLedgerLatest) latest = cma_store_read_latest (store, NULL);

  g_assert_nonnull (all);
  g_assert_nonnull (latest);
  for (guint i = 0; i < N_CONNS; i++)
    {
      const CmaRenewal *expected = cma_ledger_find_last (all, &conns[i]);
      const CmaRenewal *got = cma_ledger_latest_find (latest, &conns[i]);
      gboolean known;
      CmaInstant at;

      g_assert_true ((expected == NULL) == (got == NULL));
      if (expected != NULL)
        {
          g_assert_cmpint (got->at, ==, expected->at);
          g_assert_cmpstr (got->note, ==, expected->note);
        }
      g_assert_true (cma_store_last_renewed (store, &conns[i], &known, &at, NULL));
      g_assert_true (known == (expected != NULL));
      g_assert_cmpint (at, ==, expected != NULL ? expected->at : 0);
    }
}

static void
test_store_default_dir (void)
{
  g_autofree char *user_dir = cma_store_default_dir (FALSE, "/var");
  g_autofree char *system_dir = cma_store_default_dir (TRUE, "/opt/var");
  g_autofree char *expected = g_build_filename (g_get_user_state_dir (), "cma-token", NULL);

  g_assert_cmpstr (user_dir, ==, expected);
  g_assert_cmpstr (system_dir, ==, "/opt/var/lib/cma-token");
}

/* Readers create nothing; the first write creates the directory 0700
 * (parents with ordinary modes) and a private ledger. */
static void
test_store_creates (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaLedgerLatest) latest = cma_store_read_latest (store, NULL);
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", NULL);
  g_autofree char *ledger = state_file (PROGRAM ".ledger");
  g_autoptr (GError) error = NULL;
  gboolean known = TRUE;
  CmaInstant at;

  g_assert_nonnull (latest);
  g_assert_null (cma_ledger_latest_find (latest, &conns[0]));
  g_assert_true (cma_store_last_renewed (store, &conns[0], &known, &at, NULL));
  g_assert_false (known);
  g_assert_false (g_file_test (cma_store_get_dir (store), G_FILE_TEST_EXISTS));

  append_ok (store, r);
  g_assert_cmpuint (mode_of (cma_store_get_dir (store)), ==, 0700);
  g_assert_cmpuint (mode_of (ledger), ==, 0600);
  g_assert_true (cma_store_last_renewed (store, &conns[0], &known, &at, NULL));
  g_assert_true (known);

  /* Whoever may write the directory may replace the ledger: the next run
   * (a store checks once) refuses it. */
  g_assert_cmpint (g_chmod (cma_store_get_dir (store), 0770), ==, 0);
  g_clear_pointer (&store, cma_store_free);
  store = open_store ();
  g_assert_false (cma_store_append (store, r, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "writable by group or others (mode 0770)"));
  g_assert_false (cma_store_check_dir (cma_store_get_dir (store), NULL));
  g_assert_null (cma_store_lock_connection (store, &conns[0], 0, NULL));
  g_assert_cmpint (g_chmod (cma_store_get_dir (store), 0700), ==, 0);
  g_assert_true (cma_store_check_dir (cma_store_get_dir (store), NULL));
}

/* With a group, every file the store writes is the group's to read: the
 * ledger and the attempts, whoever writes them (a renewal thread, the
 * CLI), and a ledger an earlier run left private. */
static void
test_store_group (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", NULL);
  g_autoptr (GError) failure = g_error_new (CMA_ERROR, CMA_ERROR_NETWORK, "unreachable");
  g_autofree char *ledger = state_file (PROGRAM ".ledger");
  g_autofree char *attempts = state_file (PROGRAM ".attempts");
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GError) error = NULL;
  gboolean damaged = TRUE;
  GStatBuf st;

  append_ok (store, r);
  g_assert_cmpuint (mode_of (ledger), ==, 0600);
  cma_store_set_group (store, getegid ());
  append_ok (store, r);
  g_assert_cmpuint (mode_of (cma_store_get_dir (store)), ==, 02750);
  g_assert_cmpuint (mode_of (ledger), ==, 0640);
  g_assert_true (cma_store_note_attempt (store, &conns[1], 1794000100,
                                         (CmaMaybeInstant){ FALSE, 0 }, failure, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (attempts), ==, 0640);
  g_assert_cmpint (g_stat (attempts, &st), ==, 0);
  g_assert_cmpint (st.st_gid, ==, getegid ());
  failures = cma_store_load_failures (store, &damaged, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cma_attempts_find (failures, &conns[1]));
  g_clear_pointer (&failures, g_ptr_array_unref);
  g_assert_true (cma_store_note_attempt (store, &conns[1], 1794000200,
                                         (CmaMaybeInstant){ FALSE, 0 }, NULL, &error));
  failures = cma_store_load_failures (store, &damaged, &error);
  g_assert_null (cma_attempts_find (failures, &conns[1]));
  g_assert_cmpuint (mode_of (attempts), ==, 0640);
}

/* A ledger whose modification time someone set past 2262 (touch -d
 * 2300-01-01), where nanoseconds since the epoch overflow a gint64: read,
 * appended to and read again, under UBSan too. */
static void
test_store_far_mtime (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", NULL);
  g_autoptr (CmaRenewal) later = cma_renewal_new (1794000100, &conns[0], "manual", NULL);
  g_autofree char *ledger = state_file (PROGRAM ".ledger");
  /* 2300-01-01T00:00:00Z */
  struct timespec times[2] = { { 10413792000, 5 }, { 10413792000, 999999999 } };
  g_autoptr (CmaLedgerLatest) latest = NULL;
  gboolean known = FALSE;
  CmaInstant at = 0;

  append_ok (store, r);
  g_assert_cmpint (utimensat (AT_FDCWD, ledger, times, 0), ==, 0);
  latest = cma_store_read_latest (store, NULL);
  g_assert_nonnull (cma_ledger_latest_find (latest, &conns[0]));
  append_ok (store, later);
  g_assert_cmpint (utimensat (AT_FDCWD, ledger, times, 0), ==, 0);
  g_assert_true (cma_store_last_renewed (store, &conns[0], &known, &at, NULL));
  g_assert_true (known);
  g_assert_cmpint (at, ==, 1794000100);
}

/* Run A's attempt started at S and failed; while it waited for the
 * writer lock to keep the failure, run B renewed the same token and
 * cleared the failures. A's failure is then older news than B's renewal
 * and not kept: 0.1.0 kept it, dated when it was noted, after B's
 * success, and status said "renewal failing" of a token just renewed. A
 * renewal the attempt itself knew of, even one of the same second, is
 * no such news: the failure is kept, dated when the attempt started. */
static void
test_store_attempt_after_renewal (void)
{
  g_autoptr (CmaStore) store = open_store ();
  const CmaInstant started = 1794000000;
  g_autoptr (CmaRenewal) renewed = cma_renewal_new (started + 30, &conns[0], "api", NULL);
  g_autoptr (GError) failure = g_error_new (CMA_ERROR, CMA_ERROR_NETWORK, "unreachable");
  const CmaMaybeInstant none = { FALSE, 0 };
  const CmaMaybeInstant knew_it = { TRUE, started + 30 };
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GError) error = NULL;
  gboolean damaged = TRUE;
  const CmaFailure *f;

  append_ok (store, renewed);
  /* A knew of no renewal; B's came in meanwhile. */
  g_assert_true (cma_store_note_attempt (store, &conns[0], started, none, failure, &error));
  g_assert_no_error (error);
  failures = cma_store_load_failures (store, &damaged, &error);
  g_assert_no_error (error);
  g_assert_null (cma_attempts_find (failures, &conns[0]));
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* Failed before reading the ledger (seen: when it began): a renewal
   * after that is news. */
  g_assert_true (cma_store_note_attempt (store, &conns[0], started,
                                         (CmaMaybeInstant){ TRUE, started }, failure, &error));
  failures = cma_store_load_failures (store, &damaged, &error);
  g_assert_null (cma_attempts_find (failures, &conns[0]));
  g_clear_pointer (&failures, g_ptr_array_unref);

  /* The attempt read that very renewal, in the same second: kept. */
  g_assert_true (cma_store_note_attempt (store, &conns[0], started + 30, knew_it, failure, &error));
  g_assert_no_error (error);
  failures = cma_store_load_failures (store, &damaged, &error);
  f = cma_attempts_find (failures, &conns[0]);
  g_assert_nonnull (f);
  g_assert_cmpint (f->at, ==, started + 30);
  g_assert_cmpint (f->since, ==, started + 30);
  g_assert_false (damaged);
}

/* An index an earlier release left is never read, whatever it says, and
 * the first writer removes it, its temporary files and the attempts
 * file's. */
static void
test_store_old_index (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", "real");
  g_autofree char *index = state_file (PROGRAM ".index");
  g_autofree char *index_tmp = state_file ("." PROGRAM ".index.0f3a9c");
  g_autofree char *attempts_tmp = state_file ("." PROGRAM ".attempts.Ab12Cd");
  g_autofree char *liar = NULL;
  g_autoptr (CmaLedgerLatest) latest = NULL;

  append_ok (store, r);
  /* A new run finds what the earlier release left. */
  g_clear_pointer (&store, cma_store_free);
  store = open_store ();
  liar = g_strdup_printf ("{\"version\":1,\"end\":0,\"records\":1,\"skipped\":[]}\n"
                          "{\"at\":\"2026-11-20T00:00:00Z\",\"connection\":\"c0\","
                          "\"server_url\":\"%s\",\"cloud_url\":\"%s\",\"method\":\"api\"}\n",
                          conns[0].server_url, conns[0].cloud_url);
  g_assert_true (g_file_set_contents (index, liar, -1, NULL));
  g_assert_true (g_file_set_contents (index_tmp, "x", -1, NULL));
  g_assert_true (g_file_set_contents (attempts_tmp, "x", -1, NULL));
  latest = cma_store_read_latest (store, NULL);
  g_assert_cmpstr (cma_ledger_latest_find (latest, &conns[0])->note, ==, "real");
  g_assert_true (g_file_test (index, G_FILE_TEST_EXISTS)); /* readers write nothing */
  append_ok (store, r);
  g_assert_false (g_file_test (index, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (index_tmp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (attempts_tmp, G_FILE_TEST_EXISTS));
}

/* One store reading what it and another writer (another process) append,
 * with junk and torn lines between, and edits in place. */
static void
test_store_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaStore) other = open_store ();

  for (guint round = 0; round < 30; round++)
    {
      guint n = g_rand_int_range (rand, 1, 8);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (CmaRenewal) r = random_renewal (rand);

          append_ok (g_rand_boolean (rand) ? store : other, r);
        }
      if (g_rand_boolean (rand))
        append_by_hand (store, g_rand_boolean (rand) ? "junk\n" : "{\"at\":");
      assert_agrees (store);
    }
}

/* An edit of the ledger within the run, of the same size, is seen: the
 * next read starts over. */
static void
test_store_edit_in_place (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", "aaaa");
  g_autofree char *contents = NULL;
  char *note;

  append_ok (store, r);
  assert_agrees (store);
  g_assert_true (g_file_get_contents (cma_store_get_ledger_path (store), &contents, NULL, NULL));
  note = strstr (contents, "aaaa");
  memcpy (note, "bbbb", 4);
  g_usleep (10000); /* another mtime, as any later edit has */
  g_assert_true (g_file_set_contents (cma_store_get_ledger_path (store), contents, -1, NULL));
  assert_agrees (store);
}

/* An edit in place further back than any tail a read compares, then a
 * line appended by someone else (a person who flock'ed the ledger and
 * edited it with nano, then another run): the store must read it all
 * again, not only the line added. */
static void
test_store_edit_then_append (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) first = cma_renewal_new (1794000000, &conns[0], "manual", "aaaa");
  g_autoptr (CmaRenewal) later = cma_renewal_new (1794000000 + 60, &conns[1], "manual", NULL);
  g_autofree char *line = NULL;
  g_autofree char *contents = NULL;
  char *at;
  int fd;

  append_ok (store, first);
  for (guint i = 0; i < 60; i++) /* more than 4 KiB after the first line */
    append_ok (store, later);
  assert_agrees (store);
  /* 2026-11-08 becomes 2026-11-09 in the first line, size unchanged. */
  g_assert_true (g_file_get_contents (cma_store_get_ledger_path (store), &contents, NULL, NULL));
  at = strstr (contents, "\"at\":\"");
  g_assert_nonnull (at);
  fd = open (cma_store_get_ledger_path (store), O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "1", 1, (at - contents) + 6 + 3), ==, 1);
  close (fd);
  g_usleep (10000);
  line = g_strdup_printf ("{\"at\":\"2026-11-10T00:00:00Z\",\"connection\":\"c2\","
                          "\"server_url\":\"%s\",\"cloud_url\":\"%s\",\"method\":\"manual\","
                          "\"user\":\"x\"}\n",
                          conns[2].server_url, conns[2].cloud_url);
  append_by_hand (store, line);
  assert_agrees (store);
}

typedef struct {
  CmaStore *store;
  guint seed;
} Worker;

static gpointer
worker (gpointer data)
{
  Worker *w = data;
  g_autoptr (GRand) rand = g_rand_new_with_seed (w->seed);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (CmaRenewal) r = random_renewal (rand);
      CmaConnection conn = { .server_url = r->server_url, .cloud_url = r->cloud_url };
      gboolean known;
      CmaInstant at;

      append_ok (w->store, r);
      /* A thread sees its own write, and perhaps a later one of another. */
      g_assert_true (cma_store_last_renewed (w->store, &conn, &known, &at, NULL));
      g_assert_true (known);
      g_assert_cmpint (at, >=, r->at);
    }
  return NULL;
}

/* The run's threads share one store, as renew's workers do. */
static void
test_store_threads (void)
{
  g_autoptr (CmaStore) store = open_store ();
  Worker workers[4];
  GThread *threads[4];
  g_autoptr (CmaLedger) ledger = NULL;
  g_autoptr (GPtrArray) all = NULL;

  for (guint i = 0; i < 4; i++)
    {
      workers[i] = (Worker){ store, i + 1 };
      threads[i] = g_thread_new ("store", worker, &workers[i]);
    }
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  ledger = cma_ledger_new (cma_store_get_dir (store), PROGRAM);
  all = cma_ledger_load (ledger, NULL);
  g_assert_cmpuint (all->len, ==, 80);
  assert_agrees (store);
}

static void
collect_warning (const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* Renewal threads read quietly; the reader that reports (status) still
 * reports each skipped line, once. */
static void
test_store_reports_once (void)
{
  g_autoptr (CmaStore) store = open_store ();
  g_autoptr (CmaRenewal) r = cma_renewal_new (1794000000, &conns[0], "manual", NULL);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (CmaLedgerLatest) first = NULL;
  g_autoptr (CmaLedgerLatest) second = NULL;
  gboolean known;
  CmaInstant at;

  append_ok (store, r);
  append_by_hand (store, "junk\n");
  append_ok (store, r);
  cma_store_set_warn_func (store, collect_warning, warnings);
  g_assert_true (cma_store_last_renewed (store, &conns[0], &known, &at, NULL));
  g_assert_cmpuint (warnings->len, ==, 0);
  first = cma_store_read_latest (store, NULL);
  second = cma_store_read_latest (store, NULL);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], PROGRAM ".ledger:2: not a valid record"));
  g_assert_true (g_str_has_suffix (warnings->pdata[0], "; line ignored"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  init_conns ();
  cma_clock_set_func (test_clock, NULL);

  g_test_add_func ("/store/default-dir", test_store_default_dir);
  g_test_add_func ("/store/creates", test_store_creates);
  g_test_add_func ("/store/group", test_store_group);
  g_test_add_func ("/store/old-index", test_store_old_index);
  g_test_add_func ("/store/attempt-after-renewal", test_store_attempt_after_renewal);
  g_test_add_func ("/store/far-mtime", test_store_far_mtime);
  g_test_add_func ("/store/random", test_store_random);
  g_test_add_func ("/store/edit-in-place", test_store_edit_in_place);
  g_test_add_func ("/store/edit-then-append", test_store_edit_then_append);
  g_test_add_func ("/store/threads", test_store_threads);
  g_test_add_func ("/store/reports-once", test_store_reports_once);
  return g_test_run ();
}
