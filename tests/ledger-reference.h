/* SPDX-License-Identifier: MIT */
/* ledger-reference.h: the whole ledger in memory, and the newest renewal
 * of a token picked from it by a plain loop: the simplest reading, which
 * the tests and the ledger's fuzz target hold the store's answers to.
 * libcma itself never keeps every record. */
#pragma once

#include "cma-ledger.h"

G_BEGIN_DECLS

/* All usable renewals, in file order; an absent ledger is empty. Lines
 * are skipped and reported as cma_ledger_scan() does, once per ledger
 * object. */
GPtrArray *cma_ledger_load (CmaLedger *ledger, GError **error);

/* The newest renewal of the token that @conn's server holds for its cloud
 * site (matched on both URLs); at the same second the later line wins. */
const CmaRenewal *cma_ledger_find_last (GPtrArray *renewals, const CmaConnection *conn);
/* The same among renewals recorded at or before @at: what was known then. */
const CmaRenewal *cma_ledger_find_last_at (GPtrArray *renewals, const CmaConnection *conn,
                                           CmaInstant at);

G_END_DECLS
