/* SPDX-License-Identifier: MIT */
/* test-ledger-index.c: the latest renewal per token, from the index or a
 * read of the ledger, always answers as a full read (cma_ledger_load and
 * cma_ledger_find_last) does, whatever happened to the index. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-ledger-latest.h"

#define PROGRAM "tcma-token"
#define N_CONNS 5

static CmaConnection conns[N_CONNS];

/* The tests' clock: after every random renewal (random_renewal), so
 * none is dated in the future unless a test moves it. */
static CmaInstant now = 1794000000 + 30 * 86400;

static CmaInstant
test_clock (gpointer data)
{
  return now;
}

/* Set: pread() reads one byte less than asked, as when the ledger is
 * cut short between a scan's reads. Defined here, it replaces libc's for
 * libcma, which the tests link statically. */
static gboolean short_preads;

ssize_t
pread (int fd, void *buf, size_t count, off_t offset)
{
  ssize_t n = syscall (SYS_pread64, fd, buf, count, offset);

  return short_preads && n > 0 ? n - 1 : n;
}

/* With _FORTIFY_SOURCE (distribution builds), a pread() whose length is
 * not a constant goes to glibc's checking variant, which calls its own
 * pread: replace that too. */
ssize_t __pread_chk (int fd, void *buf, size_t count, off_t offset, size_t buflen);

ssize_t
__pread_chk (int fd, void *buf, size_t count, off_t offset, size_t buflen)
{
  g_assert_cmpuint (count, <=, buflen);
  return pread (fd, buf, count, offset);
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

static CmaLedger *
open_ledger (const char *sub)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), sub, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return cma_ledger_new (dir, PROGRAM);
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
append_random (CmaLedger *ledger, GRand *rand, guint n)
{
  g_assert_true (cma_ledger_lock (ledger, 0, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CmaRenewal) r = random_renewal (rand);
      g_autoptr (GError) error = NULL;

      g_assert_true (cma_ledger_append (ledger, r, &error));
      g_assert_no_error (error);
    }
  cma_ledger_unlock (ledger);
}

/* Append @text to the ledger as another program (or a person) would. */
static void
append_by_hand (CmaLedger *ledger, const char *text)
{
  int fd = open (cma_ledger_get_path (ledger), O_WRONLY | O_APPEND);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  close (fd);
}

static void
assert_same_renewal (const CmaRenewal *a, const CmaRenewal *b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a == NULL)
    return;
  g_assert_cmpint (a->at, ==, b->at);
  g_assert_cmpstr (a->connection, ==, b->connection);
  g_assert_cmpstr (a->note, ==, b->note);
}

/* The index (or the read that replaces it) agrees with a full read, for
 * every connection, through a fresh ledger object and the shared cache. */
static void
assert_agrees (const char *sub)
{
  g_autoptr (CmaLedger) ledger = open_ledger (sub);
  g_autoptr (GPtrArray) all = cma_ledger_load (ledger, NULL);
  g_autoptr (CmaLedgerLatest) latest = cma_ledger_read_latest (ledger, NULL);

  g_assert_nonnull (all);
  g_assert_nonnull (latest);
  for (guint i = 0; i < N_CONNS; i++)
    {
      const CmaRenewal *expected = cma_ledger_find_last (all, &conns[i]);
      gboolean known;
      CmaInstant at;

      assert_same_renewal (cma_ledger_latest_find (latest, &conns[i]), expected);
      g_assert_true (cma_ledger_last_renewed (ledger, &conns[i], &known, &at, NULL));
      g_assert_true (known == (expected != NULL));
      g_assert_cmpint (at, ==, expected != NULL ? expected->at : 0);
    }
}

static char *
index_path (const char *sub)
{
  g_autoptr (CmaLedger) ledger = open_ledger (sub);

  return cma_ledger_index_path (ledger);
}

static void
test_index_written (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autofree char *index = cma_ledger_index_path (ledger);
  GStatBuf ledger_st, index_st;

  append_random (ledger, rand, 60);
  g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (cma_ledger_get_path (ledger), &ledger_st), ==, 0);
  g_assert_cmpint (g_stat (index, &index_st), ==, 0);
  /* It says what the ledger says, so it is as private. */
  g_assert_cmpint (index_st.st_mode & 07777, ==, ledger_st.st_mode & 07777);
  assert_agrees ("a");
}

/* Lines another program added after the index was written are read. */
static void
test_index_grown (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");

  append_random (ledger, rand, 30);
  append_by_hand (ledger, "{\"at\":\"2026-11-10T08:30:00Z\",\"connection\":\"by hand\","
                          "\"server_url\":\"https://jira0.example.com/\","
                          "\"cloud_url\":\"https://site3.atlassian.net/\",\"method\":\"manual\"}\n"
                          "garbage\n");
  assert_agrees ("a");
  /* A torn line at the end, then a record of ours after it. */
  append_by_hand (ledger, "{\"at\":\"2026-11-10T09:30:00Z\",\"conne");
  assert_agrees ("a");
  append_random (ledger, rand, 3);
  assert_agrees ("a");
}

static void
test_index_missing (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autofree char *index = cma_ledger_index_path (ledger);

  append_random (ledger, rand, 30);
  g_assert_cmpint (g_unlink (index), ==, 0);
  assert_agrees ("a");
  /* The next writer builds it again. */
  append_random (ledger, rand, 1);
  g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  assert_agrees ("a");
}

/* Overwrite the ledger at @path from @offset with @text, keeping its size
 * and inode, as an editor writing in place does. The clock may not tick
 * between two writes in a test, as it does between a run and a person's
 * edit: the edit's time is set a second after the file's. */
static void
edit_in_place (const char *path, off_t offset, const char *text)
{
  struct timespec times[2];
  struct stat st;
  int fd;

  g_assert_cmpint (stat (path, &st), ==, 0);
  fd = open (path, O_WRONLY);
  g_assert_cmpint (pwrite (fd, text, strlen (text), offset), ==, (gssize) strlen (text));
  times[0] = times[1] = st.st_mtim;
  times[1].tv_sec++;
  g_assert_cmpint (futimens (fd, times), ==, 0);
  close (fd);
}

/* The ledger replaced by another file (as release 0.1.0 wrote it, or an
 * editor), cut short, or edited in place: the index no longer applies. */
static void
test_index_stale (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  const char *path = cma_ledger_get_path (ledger);
  g_autofree char *contents = NULL;
  gsize len;

  append_random (ledger, rand, 40);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  /* A new inode holding all but the last record. */
  contents[len - 1] = '\0';
  *(strrchr (contents, '\n') + 1) = '\0';
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  assert_agrees ("a");

  append_random (ledger, rand, 5);
  g_assert_cmpint (truncate (path, (off_t) strlen (contents)), ==, 0);
  assert_agrees ("a");

  append_random (ledger, rand, 5);
  /* Same size, same inode: a different note in the first record. */
  edit_in_place (path, strstr (contents, "\"note\"") - contents, "\"note\":\"x");
  assert_agrees ("a");
}

/* An edit in place that keeps the size, then a record: the append grows
 * the ledger past the edit, which the index must not take for growth
 * alone, or it would hide the edit for good. */
static void
test_index_edit_then_record (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  const char *path = cma_ledger_get_path (ledger);
  g_autofree char *contents = NULL;

  append_random (ledger, rand, 40);
  assert_agrees ("a");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  /* The first record (more than 4 KiB before the end) becomes the
   * latest of its token: its day, the 6th or 7th, becomes the 20th. */
  g_assert_true (g_str_has_prefix (contents, "{\"at\":\"2026-11-0"));
  edit_in_place (path, strlen ("{\"at\":\"2026-11-"), "20");
  append_random (ledger, rand, 1);
  assert_agrees ("a");
}

static void
test_index_corrupt (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autofree char *index = cma_ledger_index_path (ledger);
  g_autofree char *contents = NULL;
  gsize len;

  append_random (ledger, rand, 40);
  g_assert_true (g_file_get_contents (index, &contents, &len, NULL));
  /* Cut short after its header and a record. */
  g_assert_true (g_file_set_contents (
      index, contents, strchr (strchr (contents, '\n') + 1, '\n') - contents + 1, NULL));
  assert_agrees ("a");
  g_assert_true (g_file_set_contents (index, "garbage\n", -1, NULL));
  assert_agrees ("a");
  /* The last record line cut short. */
  g_assert_true (g_file_set_contents (index, contents, len - 2, NULL));
  assert_agrees ("a");
}

/* A header member of another type (a hand edit, another program's file)
 * makes the index unused, as any damage does: json-glib's typed getters
 * answer a wrong type with a critical, or a NULL string. */
static void
test_index_wrong_types (void)
{
  static const char *const members[] = { "version", "dev", "end", "tail", "records", "skipped" };
  static const char *const values[] = {
    "1", "\"1\"", "{}", "[]", "[[{},\"x\"]]", "[[\"1\",\"x\"]]"
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (10);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autofree char *index = cma_ledger_index_path (ledger);
  g_autofree char *contents = NULL;
  const char *records;

  append_random (ledger, rand, 20);
  g_assert_true (g_file_get_contents (index, &contents, NULL, NULL));
  records = strchr (contents, '\n') + 1;
  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++)
      {
        g_autofree char *header = g_strndup (contents, records - contents - 1);
        g_autoptr (JsonNode) root = json_from_string (header, NULL);
        g_autofree char *text = NULL;
        g_autofree char *edited = NULL;

        json_object_set_member (json_node_get_object (root), members[m],
                                json_from_string (values[v], NULL));
        text = json_to_string (root, FALSE);
        edited = g_strconcat (text, "\n", records, NULL);
        g_assert_true (g_file_set_contents (index, edited, -1, NULL));
        assert_agrees ("a");
      }
}

/* An index copied from another ledger does not describe this one. */
static void
test_index_other_ledger (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (6);
  g_autoptr (CmaLedger) a = open_ledger ("a");
  g_autoptr (CmaLedger) b = open_ledger ("b");
  g_autofree char *index_a = index_path ("a");
  g_autofree char *index_b = index_path ("b");
  g_autofree char *contents = NULL;

  append_random (a, rand, 20);
  append_random (b, rand, 20);
  g_assert_true (g_file_get_contents (index_b, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (index_a, contents, -1, NULL));
  assert_agrees ("a");
}

static void
collect_warning (const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* The lines the index header lists as skipped, as "LINE: why". */
static GPtrArray *
index_skipped (const char *sub)
{
  g_autofree char *path = index_path (sub);
  g_autofree char *contents = NULL;
  g_autoptr (JsonNode) header = NULL;
  GPtrArray *skipped = g_ptr_array_new_with_free_func (g_free);
  JsonArray *list;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  *strchr (contents, '\n') = '\0';
  header = json_from_string (contents, NULL);
  g_assert_nonnull (header);
  list = json_object_get_array_member (json_node_get_object (header), "skipped");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonArray *pair = json_array_get_array_element (list, i);

      g_ptr_array_add (skipped, g_strdup_printf ("%" G_GINT64_FORMAT ": %s",
                                                 json_array_get_int_element (pair, 0),
                                                 json_array_get_string_element (pair, 1)));
    }
  return skipped;
}

/* A torn last line is read again by every read until an append ends it:
 * it must be listed once, for what it then is, not once per read. */
static void
test_index_torn_line_once (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (10);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autoptr (CmaLedger) reader = open_ledger ("a");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) skipped = NULL;
  g_autoptr (CmaLedgerLatest) latest = NULL;
  gboolean known;
  CmaInstant at;

  append_random (ledger, rand, 5);
  append_by_hand (ledger, "{\"at\":");
  for (guint i = 0; i < 3; i++)
    g_assert_true (cma_ledger_last_renewed (ledger, &conns[0], &known, &at, NULL));
  append_random (ledger, rand, 1);
  skipped = index_skipped ("a");
  g_assert_cmpuint (skipped->len, ==, 1);
  g_assert_true (g_str_has_prefix (skipped->pdata[0], "6: not a valid record"));
  cma_ledger_set_warn_func (reader, collect_warning, warnings);
  latest = cma_ledger_read_latest (reader, NULL);
  g_assert_nonnull (latest);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":6: not a valid record"));
  assert_agrees ("a");
}

/* The header's reasons are printed as they are: one with control
 * characters (an ESC sequence for the terminal of whoever runs status)
 * is not one we wrote, and the index is not used. */
static void
test_index_control_in_skipped (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autoptr (CmaLedger) reader = open_ledger ("a");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (CmaLedgerLatest) latest = NULL;
  g_autofree char *index = cma_ledger_index_path (ledger);
  g_autofree char *contents = NULL;
  g_autofree char *edited = NULL;
  const char *why;

  append_random (ledger, rand, 5);
  append_by_hand (ledger, "junk\n");
  append_random (ledger, rand, 1);
  g_assert_true (g_file_get_contents (index, &contents, NULL, NULL));
  why = strstr (contents, "not a valid record");
  g_assert_nonnull (why);
  edited = g_strdup_printf ("%.*s\\u001b]0;owned\\u0007%s", (int) (why - contents), contents, why);
  g_assert_true (g_file_set_contents (index, edited, -1, NULL));
  cma_ledger_set_warn_func (reader, collect_warning, warnings);
  latest = cma_ledger_read_latest (reader, NULL);
  g_assert_nonnull (latest);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_null (strchr (warnings->pdata[0], '\033'));
  g_assert_nonnull (strstr (warnings->pdata[0], ":6: not a valid record"));
  assert_agrees ("a");
}

/* A last line without its newline while another writer holds the lock
 * may be its record being written: no warning then, one once it is not. */
static void
test_index_torn_line_writer_busy (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (CmaLedger) writer = open_ledger ("a");
  g_autoptr (CmaLedger) busy_reader = open_ledger ("a");
  g_autoptr (CmaLedger) reader = open_ledger ("a");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (CmaLedgerLatest) during = NULL;
  g_autoptr (CmaLedgerLatest) after = NULL;

  append_random (writer, rand, 3);
  append_by_hand (writer, "{\"at\":");
  g_assert_true (cma_ledger_lock (writer, 0, NULL));
  cma_ledger_set_warn_func (busy_reader, collect_warning, warnings);
  during = cma_ledger_read_latest (busy_reader, NULL);
  g_assert_nonnull (during);
  g_assert_cmpuint (warnings->len, ==, 0);
  cma_ledger_unlock (writer);
  cma_ledger_set_warn_func (reader, collect_warning, warnings);
  after = cma_ledger_read_latest (reader, NULL);
  g_assert_nonnull (after);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":4: truncated record (no end of line)"));
}

/* Whether libcma's reads would meet the replacement above: a read made
 * as libcma's are (a length known only at run time) is cut short. */
static gboolean
pread_replaced (CmaLedger *ledger)
{
  char buf[64];
  volatile size_t len = sizeof buf;
  int fd = open (cma_ledger_get_path (ledger), O_RDONLY | O_CLOEXEC);
  ssize_t n;

  g_assert_cmpint (fd, >=, 0);
  short_preads = TRUE;
  n = pread (fd, buf, len, 0);
  short_preads = FALSE;
  close (fd);
  return n == (ssize_t) len - 1;
}

/* A ledger cut short while read fails with that said, not with the
 * text of whatever errno a call before left ("Success"). */
static void
test_index_cut_short (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  g_autoptr (CmaLedgerLatest) latest = NULL;
  g_autoptr (GError) error = NULL;

  append_random (ledger, rand, 3);
  if (!pread_replaced (ledger))
    {
      g_test_skip ("this build's pread() cannot be replaced by the test's");
      return;
    }
  short_preads = TRUE;
  latest = cma_ledger_read_latest (ledger, &error);
  short_preads = FALSE;
  g_assert_null (latest);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
  g_assert_true (g_str_has_suffix (error->message, ": it was cut short while being read"));
}

/* A machine whose clock was a year ahead recorded a renewal then, which
 * a full read skips once the clock is right: the index must not keep it
 * as the latest, nor let it hide the renewals recorded after. */
static void
test_index_clock_was_ahead (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");
  CmaInstant right = now;
  g_autoptr (CmaRenewal) ahead = cma_renewal_new (right + 365 * 86400, &conns[0], "manual", NULL);
  g_autoptr (CmaRenewal) later = cma_renewal_new (right, &conns[0], "manual", "later");

  append_random (ledger, rand, 10);
  now = ahead->at;
  g_assert_true (cma_ledger_lock (ledger, 0, NULL));
  g_assert_true (cma_ledger_append (ledger, ahead, NULL));
  assert_agrees ("a");
  now = right;
  assert_agrees ("a");
  g_assert_true (cma_ledger_append (ledger, later, NULL));
  cma_ledger_unlock (ledger);
  assert_agrees ("a");
}

/* Random ledgers, random damage: the answers never differ. */
static void
test_index_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (CmaLedger) ledger = open_ledger ("a");

  for (guint round = 0; round < 30; round++)
    {
      append_random (ledger, rand, g_rand_int_range (rand, 1, 8));
      if (g_rand_boolean (rand))
        append_by_hand (ledger, g_rand_boolean (rand) ? "junk\n" : "{\"at\":");
      assert_agrees ("a");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  init_conns ();
  cma_clock_set_func (test_clock, NULL);

  g_test_add_func ("/ledger-index/written", test_index_written);
  g_test_add_func ("/ledger-index/grown", test_index_grown);
  g_test_add_func ("/ledger-index/missing", test_index_missing);
  g_test_add_func ("/ledger-index/stale", test_index_stale);
  g_test_add_func ("/ledger-index/edit-then-record", test_index_edit_then_record);
  g_test_add_func ("/ledger-index/corrupt", test_index_corrupt);
  g_test_add_func ("/ledger-index/wrong-types", test_index_wrong_types);
  g_test_add_func ("/ledger-index/other-ledger", test_index_other_ledger);
  g_test_add_func ("/ledger-index/torn-line-once", test_index_torn_line_once);
  g_test_add_func ("/ledger-index/control-in-skipped", test_index_control_in_skipped);
  g_test_add_func ("/ledger-index/torn-line-writer-busy", test_index_torn_line_writer_busy);
  g_test_add_func ("/ledger-index/cut-short", test_index_cut_short);
  g_test_add_func ("/ledger-index/clock-was-ahead", test_index_clock_was_ahead);
  g_test_add_func ("/ledger-index/random", test_index_random);

  return g_test_run ();
}
