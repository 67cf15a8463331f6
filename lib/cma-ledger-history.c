/* SPDX-License-Identifier: MIT */
/* cma-ledger-history.c: history without holding the history.
 *
 * Newest first is not file order (a record may be backdated), so the
 * ledger is read twice: once keeping where each row shown is and when it
 * was renewed (Row: 24 bytes, so 100,000 rows take 2.4 MB, not the
 * hundreds a parsed record each would), then, once sorted, each row read
 * again at its offset and handed on. The ledger only grows and the
 * descriptor stays open, so the offsets stay valid between the passes
 * (a release that rewrote the file renames a new one in; ours is kept).
 * Only a ledger cut short or edited in place between the passes fails
 * the second, after rows were handed on: the man page says so, rather
 * than hold every row to make that case whole.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"
#include "cma-ledger-history.h"

typedef struct {
  CmaInstant at;
  guint64 offset;
  guint32 length;
} Row;

typedef struct {
  CmaLedgerShowFunc show;
  gpointer user_data;
  GArray *rows;
} FirstPass;

static void
note_row (CmaRenewal *r, const GString *line, guint64 offset, gpointer data)
{
  FirstPass *pass = data;
  Row row = { r->at, offset, (guint32) line->len };

  if (pass->show (r, pass->user_data))
    g_array_append_val (pass->rows, row);
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

/* The record at @row, as the first pass read it. */
static CmaRenewal *
read_row (CmaLedger *ledger, int fd, const Row *row, GString *buf, GError **error)
{
  g_autofree char *why = NULL;
  CmaRenewal *r;
  gssize n;

  g_string_set_size (buf, row->length);
  n = cma_file_pread (fd, buf->str, row->length, row->offset);
  if (n == (gssize) row->length && (r = cma_ledger_parse_line (buf->str, n, &why)) != NULL)
    return r;
  g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot read %s: %s",
               cma_ledger_get_path (ledger), n < 0 ? g_strerror (errno) : "it changed while read");
  return NULL;
}

static gboolean
emit_rows (CmaLedger *ledger, int fd, GArray *rows, CmaLedgerRowFunc row, gpointer user_data,
           GError **error)
{
  g_autoptr (GString) buf = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      CmaRenewal *r = read_row (ledger, fd, &g_array_index (rows, Row, i), buf, error);

      if (r == NULL)
        return FALSE;
      row (r, user_data);
    }
  return TRUE;
}

gboolean
cma_ledger_read_history (CmaLedger *ledger, CmaLedgerShowFunc show, CmaLedgerRowFunc row,
                         gpointer user_data, GError **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  FirstPass pass = { show, user_data, rows };
  CmaLedgerScan scan = CMA_LEDGER_SCAN_WHOLE;
  gboolean ok;
  int fd;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, NULL, error))
    return FALSE;
  if (fd < 0)
    return TRUE;
  ok = cma_ledger_scan (ledger, fd, &scan, note_row, &pass, error);
  cma_ledger_reported (ledger);
  if (ok)
    {
      order_rows (rows);
      ok = emit_rows (ledger, fd, rows, row, user_data, error);
    }
  close (fd);
  return ok;
}
