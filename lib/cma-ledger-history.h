/* SPDX-License-Identifier: MIT */
/* cma-ledger-history.h: the recorded renewals newest first, streamed. */
#pragma once

#include "cma-ledger.h"

G_BEGIN_DECLS

/* Whether history shows @renewal (the first pass sees every record). */
typedef gboolean (*CmaLedgerShowFunc) (const CmaRenewal *renewal, gpointer user_data);
/* Each renewal shown, in order; the function owns it. */
typedef void (*CmaLedgerRowFunc) (CmaRenewal *renewal, gpointer user_data);

/* The renewals @show accepts, newest first, and at the same second the
 * later line first (the order history always had), through @row. Memory
 * is a few bytes per row shown, never the records themselves; unusable
 * lines are reported as cma_ledger_load() does. */
gboolean cma_ledger_read_history (CmaLedger *ledger, CmaLedgerShowFunc show, CmaLedgerRowFunc row,
                                  gpointer user_data, GError **error);

G_END_DECLS
