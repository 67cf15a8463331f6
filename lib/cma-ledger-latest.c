/* SPDX-License-Identifier: MIT */
/* cma-ledger-latest.c: the latest renewal per token, and the index that
 * keeps it between runs (see the header for the why). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"
#include "cma-json.h"
#include "cma-ledger-latest.h"
#include "cma-text.h"

#define INDEX_VERSION        1
/* The index is checked against this much of the ledger before the end
 * it covers: an edit there, or a different file, changes the sum. */
#define TAIL_BYTES           4096
/* A ledger this damaged is read whole each time, rather than carry its
 * reports in the index. */
#define MAX_SKIPPED_IN_INDEX 100
/* A header line or record line longer than this is not ours. */
#define MAX_INDEX_LINE       (64 * 1024)

typedef struct {
  CmaRenewal *renewal;
  char *line; /* the ledger's line, byte for byte */
} Entry;

struct _CmaLedgerLatest {
  GHashTable *entries; /* "server_url\ncloud_url" -> Entry */
  CmaInstant at;       /* renewals after it are left out */
  CmaInstant newest;   /* the latest renewal's time, of any token */
  CmaLedgerScan scan;  /* how far the ledger was read */
  /* The file read, to tell whether the ledger is still that file. */
  guint64 dev, ino;
  gint64 size, mtime_ns;
  char tail[65];
};

static void
entry_free (Entry *e)
{
  cma_renewal_free (e->renewal);
  g_free (e->line);
  g_free (e);
}

static void
skip_clear (CmaLedgerSkip *skip)
{
  g_free (skip->why);
}

static CmaLedgerLatest *
latest_new (CmaInstant at)
{
  CmaLedgerLatest *latest = g_new0 (CmaLedgerLatest, 1);

  latest->entries =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  latest->at = at;
  latest->newest = G_MININT64;
  latest->scan.recheck_after = G_MAXINT64;
  latest->scan.skipped = g_array_new (FALSE, FALSE, sizeof (CmaLedgerSkip));
  g_array_set_clear_func (latest->scan.skipped, (GDestroyNotify) skip_clear);
  return latest;
}

void
cma_ledger_latest_free (CmaLedgerLatest *latest)
{
  if (latest == NULL)
    return;
  g_hash_table_unref (latest->entries);
  g_array_unref (latest->scan.skipped);
  g_free (latest);
}

/* A token is one server's token for one cloud site, whatever the
 * connection is called (cma_renewal_matches). */
static char *
token_key (const char *server_url, const char *cloud_url)
{
  return g_strconcat (server_url, "\n", cloud_url, NULL);
}

/* Keep @r if it is the newest so far; at the same second the later line
 * wins, as in cma_ledger_find_last_at(). Takes @r. */
static void
offer (CmaRenewal *r, const GString *line, guint64 offset, gpointer user_data)
{
  CmaLedgerLatest *latest = user_data;
  g_autofree char *key = token_key (r->server_url, r->cloud_url);
  Entry *old = g_hash_table_lookup (latest->entries, key);
  Entry *e;

  if (r->at > latest->at || (old != NULL && r->at < old->renewal->at))
    {
      cma_renewal_free (r);
      return;
    }
  latest->newest = MAX (latest->newest, r->at);
  e = g_new (Entry, 1);
  e->renewal = r;
  e->line = g_strndup (line->str, line->len);
  g_hash_table_replace (latest->entries, g_steal_pointer (&key), e);
}

const CmaRenewal *
cma_ledger_latest_find (CmaLedgerLatest *latest, const CmaConnection *conn)
{
  g_autofree char *key = token_key (conn->server_url, conn->cloud_url);
  Entry *e = g_hash_table_lookup (latest->entries, key);

  return e != NULL ? e->renewal : NULL;
}

char *
cma_ledger_index_path (CmaLedger *ledger)
{
  return cma_ledger_sibling_path (ledger, "index");
}

/* SHA-256 of the TAIL_BYTES of @fd before @end, in @out. */
static gboolean
tail_sum (int fd, guint64 end, char out[65])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint64 start = end > TAIL_BYTES ? end - TAIL_BYTES : 0;
  char buf[TAIL_BYTES];
  gssize n;

  n = cma_file_pread (fd, buf, end - start, start);
  if (n != (gssize) (end - start))
    {
      if (n >= 0)
        errno = 0; /* cut short, which sets no errno: see catch_up() */
      return FALSE;
    }
  g_checksum_update (sum, (const guchar *) buf, n);
  g_strlcpy (out, g_checksum_get_string (sum), 65);
  return TRUE;
}

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

/* Whether @st is the file @latest was read from (not one put in its place). */
static gboolean
same_file (const CmaLedgerLatest *latest, const struct stat *st)
{
  return latest->dev == (guint64) st->st_dev && latest->ino == (guint64) st->st_ino;
}

/* Whether @latest, read from the ledger once, holds all of its first
 * scan.end bytes as the ledger (@fd, @st) now is: the same file, grown
 * or untouched, whose bytes before that end are those read. An edit in
 * place that keeps the size and mtime, or the last 4 KiB, is not seen;
 * tools that edit files change one or the other. */
static gboolean
still_covers (const CmaLedgerLatest *latest, int fd, const struct stat *st)
{
  char tail[65];

  if (!same_file (latest, st) || (guint64) st->st_size < latest->scan.end ||
      (st->st_size == latest->size && mtime_ns (st) != latest->mtime_ns))
    return FALSE;
  /* A record skipped for its future date counts once that day comes;
   * one accepted when written by a clock set ahead is skipped again by a
   * full read once the clock is right, and must not hide later ones. */
  if (cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS >= latest->scan.recheck_after ||
      latest->newest > cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS)
    return FALSE;
  return tail_sum (fd, latest->scan.end, tail) && strcmp (tail, latest->tail) == 0;
}

/* Whether @latest covers the ledger as it is (@fd, @st) and, for a
 * writer, was read from it exactly as it was before the append
 * (@before, or NULL): still_covers() alone takes a ledger edited in place
 * and then grown by the append for one only grown, and the index written
 * then would make that edit invisible for good. */
static gboolean
covers (const CmaLedgerLatest *latest, int fd, const struct stat *st, const struct stat *before)
{
  if (before != NULL && (!same_file (latest, before) || latest->size != before->st_size ||
                         latest->mtime_ns != mtime_ns (before)))
    return FALSE;
  return still_covers (latest, fd, st);
}

/* Read what the ledger gained since @latest was read, and note the file. */
static gboolean
catch_up (CmaLedger *ledger, CmaLedgerLatest *latest, int fd, GError **error)
{
  struct stat st;

  if (!cma_ledger_scan (ledger, fd, &latest->scan, offer, latest, error))
    return FALSE;
  if (fstat (fd, &st) != 0 || !tail_sum (fd, latest->scan.end, latest->tail))
    {
      /* A short read leaves errno as it was: "Success", or worse. */
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot read %s: %s",
                   cma_ledger_get_path (ledger),
                   errno != 0 ? g_strerror (errno) : "it was cut short while being read");
      return FALSE;
    }
  latest->dev = st.st_dev;
  latest->ino = st.st_ino;
  latest->size = st.st_size;
  latest->mtime_ns = mtime_ns (&st);
  return TRUE;
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* The first line of the index: what it covers, and the lines skipped
 * there, whose reports a reader of the index must still give. */
static char *
index_header (const CmaLedgerLatest *latest)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  add_int (b, "version", INDEX_VERSION);
  add_int (b, "dev", (gint64) latest->dev);
  add_int (b, "ino", (gint64) latest->ino);
  add_int (b, "size", latest->size);
  add_int (b, "mtime_ns", latest->mtime_ns);
  add_int (b, "end", (gint64) latest->scan.end);
  add_int (b, "lines", latest->scan.lines);
  add_int (b, "recheck_after", latest->scan.recheck_after);
  json_builder_set_member_name (b, "tail");
  json_builder_add_string_value (b, latest->tail);
  add_int (b, "records", g_hash_table_size (latest->entries));
  json_builder_set_member_name (b, "skipped");
  json_builder_begin_array (b);
  for (guint i = 0; i < latest->scan.skipped->len; i++)
    {
      const CmaLedgerSkip *skip = &g_array_index (latest->scan.skipped, CmaLedgerSkip, i);

      json_builder_begin_array (b);
      json_builder_add_int_value (b, skip->line);
      json_builder_add_string_value (b, skip->why);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The header, then each token's latest line, in key order so the same
 * state gives the same file. */
static GString *
index_text (const CmaLedgerLatest *latest)
{
  g_autofree char *header = index_header (latest);
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  GString *text = g_string_new (header);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, latest->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_string_append_c (text, '\n');
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      const Entry *e = g_hash_table_lookup (latest->entries, keys->pdata[i]);

      g_string_append (text, e->line);
      g_string_append_c (text, '\n');
    }
  return text;
}

/* Replace the index, with the ledger's owner, group and mode (it says
 * as much as the ledger does). No fsync: after a crash it is at worst
 * stale or cut short, which readers notice and read the ledger instead. */
static gboolean
index_write (CmaLedger *ledger, const CmaLedgerLatest *latest, GError **error)
{
  g_autofree char *path = cma_ledger_index_path (ledger);
  g_autofree char *tmp_path = NULL;
  g_autoptr (GString) text = index_text (latest);
  struct stat ledger_st;
  gboolean ok;
  int fd;

  if (stat (cma_ledger_get_path (ledger), &ledger_st) != 0)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot examine %s: %s",
                   cma_ledger_get_path (ledger), g_strerror (errno));
      return FALSE;
    }
  if ((fd = cma_file_create_replacement (path, &tmp_path, error)) < 0)
    return FALSE;
  ok = cma_file_write_all (fd, text->str, text->len, path, error) &&
       cma_file_commit_cache (fd, tmp_path, path, &ledger_st, error);
  close (fd);
  if (!ok && tmp_path != NULL)
    unlink (tmp_path);
  return ok;
}

/* Member @name if it is an integer, else -1, which no check accepts. */
static gint64
int_member (JsonObject *obj, const char *name)
{
  gint64 value;

  return cma_json_int_member (obj, name, &value) ? value : -1;
}

/* The skipped lines the header lists; FALSE if malformed. */
static gboolean
header_skipped (JsonObject *obj, GArray *skipped)
{
  JsonArray *list = cma_json_array_member (obj, "skipped");

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (item) ? json_node_get_array (item) : NULL;
      CmaLedgerSkip skip;

      /* The reasons are shown as they are: ours never hold a control
       * character (json-glib escapes what it quotes of a bad line). */
      if (pair == NULL || json_array_get_length (pair) != 2 ||
          !cma_json_holds (json_array_get_element (pair, 0), G_TYPE_INT64) ||
          !cma_json_holds (json_array_get_element (pair, 1), G_TYPE_STRING) ||
          cma_text_has_control (json_array_get_string_element (pair, 1)))
        return FALSE;
      skip.line = (guint) json_array_get_int_element (pair, 0);
      skip.why = g_strdup (json_array_get_string_element (pair, 1));
      g_array_append_val (skipped, skip);
    }
  return list != NULL;
}

/* The state the header says the index covers, or NULL; *@records gets
 * the number of record lines that must follow. */
static CmaLedgerLatest *
parse_header (const GString *line, gint64 *records)
{
  g_autoptr (CmaLedgerLatest) latest = latest_new (G_MAXINT64);
  g_autoptr (JsonNode) root = cma_json_parse_bounded (line->str, line->len, 4, NULL);
  JsonObject *obj;
  const char *tail;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  tail = cma_json_string_member (obj, "tail");
  if (int_member (obj, "version") != INDEX_VERSION || tail == NULL || strlen (tail) != 64 ||
      !header_skipped (obj, latest->scan.skipped))
    return NULL;
  latest->dev = (guint64) int_member (obj, "dev");
  latest->ino = (guint64) int_member (obj, "ino");
  latest->size = int_member (obj, "size");
  latest->mtime_ns = int_member (obj, "mtime_ns");
  latest->scan.end = (guint64) MAX (int_member (obj, "end"), 0);
  latest->scan.lines = (guint) MAX (int_member (obj, "lines"), 0);
  latest->scan.recheck_after = int_member (obj, "recheck_after");
  g_strlcpy (latest->tail, tail, sizeof latest->tail);
  *records = int_member (obj, "records");
  return g_steal_pointer (&latest);
}

/* The record lines, exactly @records of them and nothing after: an
 * index cut short by a crash is not used. */
static gboolean
read_index_records (CmaLineReader *reader, CmaLedgerLatest *latest, gint64 records)
{
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gboolean terminated, overlong;
  gint64 n = 0;

  while (cma_line_reader_next (reader, line, MAX_INDEX_LINE, &terminated, &overlong, &error))
    {
      g_autofree char *why = NULL;
      CmaRenewal *r;

      if (!terminated || overlong || ++n > records ||
          (r = cma_ledger_parse_line (line->str, line->len, &why)) == NULL)
        return FALSE;
      offer (r, line, 0, latest);
    }
  /* Two lines for one token would also mean it is not ours. */
  return error == NULL && n == records && g_hash_table_size (latest->entries) == records;
}

/* The index, if it covers the ledger (@fd, @st) as it is; else NULL.
 * Its records are read first: whether it covers depends on their times. */
static CmaLedgerLatest *
index_load (CmaLedger *ledger, int ledger_fd, const struct stat *st, const struct stat *before)
{
  g_autofree char *path = cma_ledger_index_path (ledger);
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (CmaLedgerLatest) latest = NULL;
  CmaLineReader *reader = NULL;
  gboolean terminated, overlong, ok;
  gint64 records = -1;
  int fd;

  if (!cma_file_open_regular (path, &fd, NULL, NULL) || fd < 0)
    return NULL;
  reader = g_new (CmaLineReader, 1);
  cma_line_reader_init (reader, fd);
  ok = cma_line_reader_next (reader, line, MAX_INDEX_LINE, &terminated, &overlong, NULL) &&
       terminated && !overlong && (latest = parse_header (line, &records)) != NULL &&
       read_index_records (reader, latest, records) && covers (latest, ledger_fd, st, before);
  g_free (reader);
  close (fd);
  return ok ? g_steal_pointer (&latest) : NULL;
}

/* Give the reports of the lines the index says were skipped, as a read
 * of the whole ledger would. */
static void
report_skipped (CmaLedger *ledger, const CmaLedgerLatest *latest)
{
  for (guint i = 0; i < latest->scan.skipped->len; i++)
    {
      const CmaLedgerSkip *skip = &g_array_index (latest->scan.skipped, CmaLedgerSkip, i);

      cma_ledger_report_line (ledger, skip->line, skip->why);
    }
}

/* @base brought up to date with the ledger, when it still covers it
 * (and the ledger as it was before the append, @before, for a writer);
 * else the index, when it does; else a read of the whole ledger. Takes
 * @base. Only the latest of all time is in the index. */
static CmaLedgerLatest *
refresh (CmaLedger *ledger, CmaLedgerLatest *base, CmaInstant at, gboolean quiet,
         const struct stat *before, GError **error)
{
  g_autoptr (CmaLedgerLatest) latest = base;
  struct stat st;
  int fd;
  gboolean ok;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, &st, error))
    return NULL;
  if (fd < 0)
    return latest_new (at); /* no ledger yet: nothing renewed */
  if (latest != NULL && !covers (latest, fd, &st, before))
    g_clear_pointer (&latest, cma_ledger_latest_free);
  if (latest == NULL && at == G_MAXINT64 &&
      (latest = index_load (ledger, fd, &st, before)) != NULL && !quiet)
    report_skipped (ledger, latest);
  if (latest == NULL)
    latest = latest_new (at);
  latest->scan.quiet = quiet;
  ok = catch_up (ledger, latest, fd, error);
  close (fd);
  if (!quiet)
    cma_ledger_reported (ledger);
  return ok ? g_steal_pointer (&latest) : NULL;
}

CmaLedgerLatest *
cma_ledger_read_latest (CmaLedger *ledger, GError **error)
{
  return refresh (ledger, NULL, G_MAXINT64, FALSE, NULL, error);
}

CmaLedgerLatest *
cma_ledger_read_latest_at (CmaLedger *ledger, CmaInstant at, GError **error)
{
  return refresh (ledger, NULL, at, FALSE, NULL, error);
}

/* What this process last read of the ledger at cache_path: the fleet's
 * workers each have a CmaLedger of their own (each takes the lock for
 * its own write), yet should read the ledger once between them. It is
 * only a cache: every use first checks it still covers the ledger. */
static GMutex cache_lock;
static CmaLedgerLatest *cache;
static char *cache_path;

/* With cache_lock held: the cache, brought up to date. */
static CmaLedgerLatest *
refresh_cache (CmaLedger *ledger, gboolean quiet, const struct stat *before, GError **error)
{
  CmaLedgerLatest *base = NULL;

  if (g_strcmp0 (cache_path, cma_ledger_get_path (ledger)) == 0)
    base = g_steal_pointer (&cache);
  g_clear_pointer (&cache, cma_ledger_latest_free);
  g_free (cache_path);
  cache_path = g_strdup (cma_ledger_get_path (ledger));
  cache = refresh (ledger, base, G_MAXINT64, quiet, before, error);
  return cache;
}

gboolean
cma_ledger_last_renewed (CmaLedger *ledger, const CmaConnection *conn, gboolean *known,
                         CmaInstant *at, GError **error)
{
  const CmaRenewal *last = NULL;
  CmaLedgerLatest *latest;

  g_mutex_lock (&cache_lock);
  if ((latest = refresh_cache (ledger, FALSE, NULL, error)) != NULL)
    last = cma_ledger_latest_find (latest, conn);
  *known = last != NULL;
  *at = last != NULL ? last->at : 0;
  g_mutex_unlock (&cache_lock);
  return latest != NULL;
}

void
cma_ledger_latest_update_index (CmaLedger *ledger, const struct stat *before)
{
  CmaLedgerLatest *latest;

  /* Reads just the line appended, when the cache or index was current;
   * quietly: writing is no time to report old lines. */
  g_mutex_lock (&cache_lock);
  latest = refresh_cache (ledger, TRUE, before, NULL);
  if (latest != NULL && latest->scan.skipped->len <= MAX_SKIPPED_IN_INDEX)
    index_write (ledger, latest, NULL);
  g_mutex_unlock (&cache_lock);
}

/* Whether PROG.index covers every byte of the ledger as it is now (no
 * ledger: nothing to cover). */
static gboolean
index_is_current (CmaLedger *ledger)
{
  g_autoptr (CmaLedgerLatest) indexed = NULL;
  struct stat st;
  int fd;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, &st, NULL))
    return TRUE; /* unreadable: a full read would fail as well */
  if (fd < 0)
    return TRUE;
  indexed = index_load (ledger, fd, &st, NULL);
  close (fd);
  return indexed != NULL && indexed->scan.end == (guint64) st.st_size;
}

void
cma_ledger_latest_refresh_index (CmaLedger *ledger)
{
  if (index_is_current (ledger) || !cma_ledger_lock (ledger, 0, NULL))
    return;
  cma_ledger_latest_update_index (ledger, NULL);
  cma_ledger_unlock (ledger);
}
