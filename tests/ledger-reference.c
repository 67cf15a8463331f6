/* SPDX-License-Identifier: MIT */
/* ledger-reference.c: the tests' whole-ledger reading (see the header). */
#include "config.h"

#include <unistd.h>

#include "cma-file.h"
#include "ledger-reference.h"

static void
collect (CmaRenewal *r, const GString *line, guint64 offset, gpointer user_data)
{
  g_ptr_array_add (user_data, r);
}

GPtrArray *
cma_ledger_load (CmaLedger *ledger, GError **error)
{
  g_autoptr (GPtrArray) renewals =
      g_ptr_array_new_with_free_func ((GDestroyNotify) cma_renewal_free);
  CmaLedgerScan scan = CMA_LEDGER_SCAN_WHOLE;
  int fd;
  gboolean ok;

  if (!cma_file_open_regular (cma_ledger_get_path (ledger), &fd, NULL, error))
    return NULL;
  if (fd < 0)
    return g_steal_pointer (&renewals);
  ok = cma_ledger_scan (ledger, fd, &scan, collect, renewals, error);
  close (fd);
  cma_ledger_reported (ledger);
  return ok ? g_steal_pointer (&renewals) : NULL;
}

const CmaRenewal *
cma_ledger_find_last (GPtrArray *renewals, const CmaConnection *conn)
{
  return cma_ledger_find_last_at (renewals, conn, G_MAXINT64);
}

const CmaRenewal *
cma_ledger_find_last_at (GPtrArray *renewals, const CmaConnection *conn, CmaInstant at)
{
  const CmaRenewal *last = NULL;

  for (guint i = 0; i < renewals->len; i++)
    {
      const CmaRenewal *r = renewals->pdata[i];

      if (r->at <= at && cma_renewal_matches (r, conn) && (last == NULL || r->at >= last->at))
        last = r;
    }
  return last;
}
