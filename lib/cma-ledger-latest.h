/* SPDX-License-Identifier: MIT */
/* cma-ledger-latest.h: the latest renewal of every token, from one read
 * of the ledger.
 *
 * status and renew need only the newest record per token, so a read keeps
 * just that, and a later read of the same ledger reads only the lines it
 * gained since (a run over many connections reads the ledger once, yet
 * sees a renewal another process recorded meanwhile). The ledger is the
 * only truth: nothing of this is kept between runs.
 */
#pragma once

#include <sys/stat.h>

#include "cma-ledger.h"

G_BEGIN_DECLS

typedef struct _CmaLedgerLatest CmaLedgerLatest;

/* Nothing read yet; renewals recorded after @at will be left out
 * (G_MAXINT64: none). */
CmaLedgerLatest *cma_ledger_latest_new (CmaInstant at);
void cma_ledger_latest_free (CmaLedgerLatest *latest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLedgerLatest, cma_ledger_latest_free)
/* A copy, which owns its renewals. */
CmaLedgerLatest *cma_ledger_latest_copy (const CmaLedgerLatest *latest);

/* The newest renewal of the token @conn's server holds for its cloud
 * site (matched on both URLs, so renaming a connection keeps its
 * history); at the same second the later line wins. NULL: never. */
const CmaRenewal *cma_ledger_latest_find (CmaLedgerLatest *latest, const CmaConnection *conn);

/* Bring @latest up to date with @ledger: read the lines it gained, or
 * all of it again when it is no longer the file read (replaced, cut
 * short, edited). Unusable lines are reported through the ledger's warn
 * function, unless @quiet: then they are kept, and a later read that is
 * not quiet reports them. An absent ledger is empty. */
gboolean cma_ledger_latest_catch_up (CmaLedgerLatest *latest, CmaLedger *ledger, gboolean quiet,
                                     GError **error);

/* A writer holding the ledger's lock appended to it: the file was
 * @before (NULL: none, or unknown) and is now @after. When @before is the
 * file as @latest last saw it, the next catch-up reads only the lines
 * added; any other growth makes it read the whole ledger again. */
void cma_ledger_latest_note_append (CmaLedgerLatest *latest, const struct stat *before,
                                    const struct stat *after);

/* A whole read of @ledger keeping renewals recorded at or before @at. */
CmaLedgerLatest *cma_ledger_read_latest_at (CmaLedger *ledger, CmaInstant at, GError **error);

G_END_DECLS
