/* SPDX-License-Identifier: MIT */
/* cma-ledger-history.h: the recorded renewals newest first, streamed. */
#pragma once

#include "cma-ledger.h"

G_BEGIN_DECLS

/* Whether history shows @renewal, called for every record as it is read,
 * before any row is passed on. */
typedef gboolean (*CmaLedgerShowFunc) (const CmaRenewal *renewal, gpointer user_data);
/* Each renewal shown, in order; valid only during the call. */
typedef void (*CmaLedgerRowFunc) (const CmaRenewal *renewal, gpointer user_data);

/* The renewals @show accepts, newest first, and at the same second the
 * later line first (the order history always had), through @row. The
 * ledger is read once; each row shown is kept in a compact form until
 * the last is read (what a connection's rows repeat is kept once);
 * unusable lines are reported as cma_ledger_load() does. */
gboolean cma_ledger_read_history (CmaLedger *ledger, CmaLedgerShowFunc show, CmaLedgerRowFunc row,
                                  gpointer user_data, GError **error);

G_END_DECLS
