/* SPDX-License-Identifier: MIT */
/* cma-ledger-history.c: history, reading each row once.
 *
 * Newest first is not file order (a record may be backdated), so every
 * row shown is kept until the last is read, then sorted. It is kept
 * small: what one connection's rows repeat (connection, URLs, method,
 * user) is stored once and shared, so a row is its time, a pointer to
 * that and its note and fingerprint: about 50 bytes for a typical row,
 * 5 MB for 100,000, where a parsed record each would take ten times as
 * much. The ledger is read once, front to back, by cma_ledger_scan(),
 * and never again, so a write meanwhile cannot make history fail.
 */
#include "config.h"

#include <unistd.h>

#include "cma-file.h"
#include "cma-ledger-history.h"

/* What the rows of one connection have in common. */
typedef struct {
  const char *connection;
  const char *server_url;
  const char *cloud_url;
  const char *method;
  const char *user; /* or NULL */
} Who;

typedef struct {
  CmaInstant at;
  const Who *who;
  const char *note;        /* or NULL */
  const char *fingerprint; /* or NULL */
} Row;

typedef struct {
  CmaLedgerShowFunc show;
  gpointer user_data;
  GArray *rows;       /* of Row, in file order */
  GHashTable *whos;   /* Who set: each distinct one once */
  GStringChunk *text; /* every string the rows point to */
} Rows;

static guint
who_hash (gconstpointer p)
{
  const Who *w = p;

  return g_str_hash (w->connection) ^ (g_str_hash (w->server_url) * 31) ^
         (g_str_hash (w->cloud_url) * 961) ^ g_str_hash (w->method) ^
         (w->user ? g_str_hash (w->user) * 7 : 0);
}

static gboolean
who_equal (gconstpointer a, gconstpointer b)
{
  const Who *x = a, *y = b;

  return g_str_equal (x->connection, y->connection) && g_str_equal (x->server_url, y->server_url) &&
         g_str_equal (x->cloud_url, y->cloud_url) && g_str_equal (x->method, y->method) &&
         g_strcmp0 (x->user, y->user) == 0;
}

/* @r's shared part, stored on first sight. */
static const Who *
intern_who (Rows *rows, const CmaRenewal *r)
{
  Who key = { r->connection, r->server_url, r->cloud_url, r->method, r->user };
  Who *who = g_hash_table_lookup (rows->whos, &key);

  if (who != NULL)
    return who;
  who = g_new (Who, 1);
  who->connection = g_string_chunk_insert_const (rows->text, r->connection);
  who->server_url = g_string_chunk_insert_const (rows->text, r->server_url);
  who->cloud_url = g_string_chunk_insert_const (rows->text, r->cloud_url);
  who->method = g_string_chunk_insert_const (rows->text, r->method);
  who->user = r->user ? g_string_chunk_insert_const (rows->text, r->user) : NULL;
  g_hash_table_add (rows->whos, who);
  return who;
}

static const char *
keep_text (Rows *rows, const char *text)
{
  return text != NULL ? g_string_chunk_insert (rows->text, text) : NULL;
}

static void
keep_row (CmaRenewal *r, const GString *line, guint64 offset, gpointer data)
{
  Rows *rows = data;

  (void) line;
  (void) offset;
  if (rows->show (r, rows->user_data))
    {
      Row row = { r->at, intern_who (rows, r), keep_text (rows, r->note),
                  keep_text (rows, r->fingerprint) };

      g_array_append_val (rows->rows, row);
    }
  cma_renewal_free (r);
}

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const Row *ra = a, *rb = b;

  return (ra->at < rb->at) - (ra->at > rb->at);
}

/* Reverse the file order, then sort stably by time (g_array_sort is
 * stable): newest first, and within one second the later line first. */
static void
order_rows (GArray *rows)
{
  for (guint i = 0, j = rows->len; i + 1 < j; i++, j--)
    {
      Row tmp = g_array_index (rows, Row, i);

      g_array_index (rows, Row, i) = g_array_index (rows, Row, j - 1);
      g_array_index (rows, Row, j - 1) = tmp;
    }
  g_array_sort (rows, compare_newest_first);
}

static void
emit_rows (GArray *rows, CmaLedgerRowFunc row, gpointer user_data)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *kept = &g_array_index (rows, Row, i);
      /* A view of the row: the strings stay in the chunk. */
      CmaRenewal r = {
        .at = kept->at,
        .connection = (char *) kept->who->connection,
        .server_url = (char *) kept->who->server_url,
        .cloud_url = (char *) kept->who->cloud_url,
        .method = (char *) kept->who->method,
        .user = (char *) kept->who->user,
        .note = (char *) kept->note,
        .fingerprint = (char *) kept->fingerprint,
      };

      row (&r, user_data);
    }
}

gboolean
cma_ledger_read_history (CmaLedger *ledger, CmaLedgerShowFunc show, CmaLedgerRowFunc row,
                         gpointer user_data, GError **error)
{
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (Row));
  g_autoptr (GHashTable) whos = g_hash_table_new_full (who_hash, who_equal, g_free, NULL);
  GStringChunk *text = g_string_chunk_new (64 * 1024);
  Rows rows = { show, user_data, kept, whos, text };
  CmaLedgerScan scan = CMA_LEDGER_SCAN_WHOLE;
  gboolean ok;
  int fd;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, NULL, error))
    ok = FALSE;
  else if (fd < 0)
    ok = TRUE;
  else
    {
      ok = cma_ledger_scan (ledger, fd, &scan, keep_row, &rows, error);
      cma_ledger_reported (ledger);
      close (fd);
    }
  if (ok)
    {
      order_rows (kept);
      emit_rows (kept, row, user_data);
    }
  g_string_chunk_free (text);
  return ok;
}
