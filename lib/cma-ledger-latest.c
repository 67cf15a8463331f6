/* SPDX-License-Identifier: MIT */
/* cma-ledger-latest.c: the latest renewal per token (see the header). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"
#include "cma-ledger-latest.h"

/* A later read checks this much of the ledger before the end it read
 * byte for byte: a different file, or an edit there, differs. (Compared
 * as it is: a SHA-256 of it cost more than the rest of a renew run that
 * finds 1,000 connections not due.) */
#define TAIL_BYTES 4096

struct _CmaLedgerLatest {
  GHashTable *entries; /* "server_url\ncloud_url" -> CmaRenewal */
  CmaInstant at;       /* renewals after it are left out */
  CmaInstant newest;   /* the latest renewal's time, of any token */
  CmaLedgerScan scan;  /* how far the ledger was read */
  /* The file read, to tell whether the ledger is still that file. */
  guint64 dev, ino;
  gint64 size, mtime_ns;
  /* The file as this run's own appends left it since it was read, or
   * expect_size -1: growth by anyone else means a whole read. */
  gint64 expect_size, expect_mtime_ns;
  gsize tail_len;
  char tail[TAIL_BYTES];
};

static void
skip_clear (CmaLedgerSkip *skip)
{
  g_free (skip->why);
}

CmaLedgerLatest *
cma_ledger_latest_new (CmaInstant at)
{
  CmaLedgerLatest *latest = g_new0 (CmaLedgerLatest, 1);

  latest->entries =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cma_renewal_free);
  latest->at = at;
  latest->newest = G_MININT64;
  latest->scan.recheck_after = G_MAXINT64;
  latest->expect_size = -1;
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

/* Forget what was read: the ledger is read again from its start. */
static void
forget (CmaLedgerLatest *latest)
{
  g_hash_table_remove_all (latest->entries);
  g_array_set_size (latest->scan.skipped, 0);
  latest->newest = G_MININT64;
  latest->scan.end = 0;
  latest->scan.lines = 0;
  latest->scan.recheck_after = G_MAXINT64;
  latest->expect_size = -1;
}

CmaLedgerLatest *
cma_ledger_latest_copy (const CmaLedgerLatest *latest)
{
  CmaLedgerLatest *copy = cma_ledger_latest_new (latest->at);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, latest->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->entries, g_strdup (key), cma_renewal_copy (value));
  copy->newest = latest->newest;
  return copy;
}

/* A token is one server's token for one cloud site, whatever the
 * connection is called (cma_renewal_matches). */
static char *
token_key (const char *server_url, const char *cloud_url)
{
  return g_strconcat (server_url, "\n", cloud_url, NULL);
}

/* Keep @r if it is the newest so far; at the same second the later line
 * wins. Takes @r. */
static void
offer (CmaRenewal *r, const GString *line, guint64 offset, gpointer user_data)
{
  CmaLedgerLatest *latest = user_data;
  g_autofree char *key = token_key (r->server_url, r->cloud_url);
  const CmaRenewal *old = g_hash_table_lookup (latest->entries, key);

  if (r->at > latest->at || (old != NULL && r->at < old->at))
    {
      cma_renewal_free (r);
      return;
    }
  latest->newest = MAX (latest->newest, r->at);
  g_hash_table_replace (latest->entries, g_steal_pointer (&key), r);
}

const CmaRenewal *
cma_ledger_latest_find (CmaLedgerLatest *latest, const CmaConnection *conn)
{
  g_autofree char *key = token_key (conn->server_url, conn->cloud_url);

  return g_hash_table_lookup (latest->entries, key);
}

/* The TAIL_BYTES of @fd before @end (fewer at its start), in @out. */
static gboolean
read_tail (int fd, guint64 end, char out[TAIL_BYTES], gsize *len)
{
  guint64 start = end > TAIL_BYTES ? end - TAIL_BYTES : 0;
  gssize n = cma_file_pread (fd, out, end - start, start);

  if (n != (gssize) (end - start))
    {
      if (n >= 0)
        errno = 0; /* cut short, which sets no errno: see read_gained() */
      return FALSE;
    }
  *len = (gsize) n;
  return TRUE;
}

/* The modification time as one number, compared for equality only. In
 * unsigned arithmetic, which wraps where signed overflows: anyone may
 * touch -d 2300-01-01 a file, and 2^63 ns end in 2262. */
static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) ((guint64) st->st_mtim.tv_sec * G_GUINT64_CONSTANT (1000000000) +
                   (guint64) st->st_mtim.tv_nsec);
}

/* Whether @latest holds all of the first scan.end bytes of the ledger as
 * it now is (@fd, @st): the same file, grown or untouched, whose bytes
 * before that end are those read. Only within a run: every run reads the
 * ledger afresh. */
static gboolean
still_covers (const CmaLedgerLatest *latest, int fd, const struct stat *st)
{
  char tail[TAIL_BYTES];
  gsize len;

  if (latest->scan.end == 0)
    return TRUE; /* nothing read yet */
  if (latest->dev != (guint64) st->st_dev || latest->ino != (guint64) st->st_ino ||
      (guint64) st->st_size < latest->scan.end ||
      (st->st_size == latest->size && mtime_ns (st) != latest->mtime_ns))
    return FALSE;
  /* Grown: by this run's own appends alone, which change nothing before
   * the end read. Growth by anyone else (another run, or an edit in place
   * followed by an append, further back than the tail compared below)
   * means a whole read: the record, not this copy, is the answer. */
  if (st->st_size > latest->size &&
      (st->st_size != latest->expect_size || mtime_ns (st) != latest->expect_mtime_ns))
    return FALSE;
  /* A record skipped for its future date counts once that day comes. */
  if (cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS >= latest->scan.recheck_after)
    return FALSE;
  /* One accepted while the clock was set ahead is skipped by a whole read
   * once the clock is right, and must not hide later ones. */
  if (latest->newest > cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS)
    return FALSE;
  return read_tail (fd, latest->scan.end, tail, &len) && len == latest->tail_len &&
         memcmp (tail, latest->tail, len) == 0;
}

/* Read what the ledger gained since @latest was read, and note the file. */
static gboolean
read_gained (CmaLedgerLatest *latest, CmaLedger *ledger, int fd, GError **error)
{
  struct stat st;
  guint64 before = latest->scan.end;

  if (!cma_ledger_scan (ledger, fd, &latest->scan, offer, latest, error))
    return FALSE;
  /* The tail still_covers() just compared is the same when nothing was
   * gained. */
  if (fstat (fd, &st) != 0 || ((before == 0 || latest->scan.end != before) &&
                               !read_tail (fd, latest->scan.end, latest->tail, &latest->tail_len)))
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
  latest->expect_size = -1;
  return TRUE;
}

void
cma_ledger_latest_note_append (CmaLedgerLatest *latest, const struct stat *before,
                               const struct stat *after)
{
  gboolean chained = latest->expect_size >= 0;
  gint64 size = chained ? latest->expect_size : latest->size;
  gint64 mtime = chained ? latest->expect_mtime_ns : latest->mtime_ns;

  if (before != NULL && after != NULL && latest->dev == (guint64) before->st_dev &&
      latest->ino == (guint64) before->st_ino && before->st_size == size &&
      mtime_ns (before) == mtime)
    {
      latest->expect_size = after->st_size;
      latest->expect_mtime_ns = mtime_ns (after);
    }
  else
    latest->expect_size = -1;
}

/* Give the reports of the lines a quiet read skipped, as a read of the
 * whole ledger would (once per ledger object: cma_ledger_report_line). */
static void
report_skipped (CmaLedger *ledger, const CmaLedgerLatest *latest)
{
  for (guint i = 0; i < latest->scan.skipped->len; i++)
    {
      const CmaLedgerSkip *skip = &g_array_index (latest->scan.skipped, CmaLedgerSkip, i);

      cma_ledger_report_line (ledger, skip->line, skip->why);
    }
}

gboolean
cma_ledger_latest_catch_up (CmaLedgerLatest *latest, CmaLedger *ledger, gboolean quiet,
                            GError **error)
{
  struct stat st;
  int fd;
  gboolean ok;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, &st, error))
    return FALSE;
  if (fd < 0)
    {
      forget (latest); /* no ledger (any more): nothing renewed */
      return TRUE;
    }
  if (!still_covers (latest, fd, &st))
    forget (latest);
  if (!quiet)
    report_skipped (ledger, latest);
  latest->scan.quiet = quiet;
  ok = read_gained (latest, ledger, fd, error);
  close (fd);
  if (!ok)
    forget (latest); /* half read: the next read starts over */
  if (!quiet)
    cma_ledger_reported (ledger);
  return ok;
}

CmaLedgerLatest *
cma_ledger_read_latest_at (CmaLedger *ledger, CmaInstant at, GError **error)
{
  g_autoptr (CmaLedgerLatest) latest = cma_ledger_latest_new (at);

  if (!cma_ledger_latest_catch_up (latest, ledger, FALSE, error))
    return NULL;
  return g_steal_pointer (&latest);
}
