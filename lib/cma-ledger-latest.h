/* SPDX-License-Identifier: MIT */
/* cma-ledger-latest.h: the latest renewal of every token, without reading
 * the whole ledger each time.
 *
 * status and renew need only the newest record per token, so their cost
 * must follow the number of connections, not the length of the history.
 * Writers keep PROG.index beside the ledger: the latest record of each
 * (server_url, cloud_url), byte for byte as the ledger holds it, and which
 * state of the ledger it covers (device, inode, size, mtime and a SHA-256
 * of the last 4 KiB it covers). A reader uses the index when the ledger
 * is that file, grown or not, and reads only the lines added since; any
 * other index (missing, unreadable, from an older ledger or another file)
 * is ignored and the ledger read once, keeping only the latest per token.
 * Readers never write it: status leaves nothing behind.
 */
#pragma once

#include <sys/stat.h>

#include "cma-ledger.h"

G_BEGIN_DECLS

typedef struct _CmaLedgerLatest CmaLedgerLatest;

/* The latest usable renewal per token, as cma_ledger_find_last() would
 * pick it from cma_ledger_load(), with the same reports of skipped lines. */
CmaLedgerLatest *cma_ledger_read_latest (CmaLedger *ledger, GError **error);
/* The same among renewals recorded at or before @at (a full read: for
 * the past, which the index does not hold). */
CmaLedgerLatest *cma_ledger_read_latest_at (CmaLedger *ledger, CmaInstant at, GError **error);
void cma_ledger_latest_free (CmaLedgerLatest *latest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLedgerLatest, cma_ledger_latest_free)

/* What cma_ledger_find_last() would return for @conn, or NULL. */
const CmaRenewal *cma_ledger_latest_find (CmaLedgerLatest *latest, const CmaConnection *conn);

/* When @conn's token was last renewed (*@known FALSE: never). Threads of
 * one process share what they read, and re-read only what the ledger
 * gained since, so a run over many connections reads the ledger once,
 * yet sees a renewal another process recorded meanwhile. */
gboolean cma_ledger_last_renewed (CmaLedger *ledger, const CmaConnection *conn, gboolean *known,
                                  CmaInstant *at, GError **error);

/* Under the ledger lock: bring the index up to date. After an append,
 * @before is the ledger's fstat() just before it: what was read before is
 * used only if it covers exactly that ledger, else the ledger is read
 * whole; NULL when nothing was appended (what was read is used while it
 * still covers the ledger). Failing to is not an error (the record is
 * safe; readers then read the lines the index lacks), so nothing is
 * returned. */
void cma_ledger_latest_update_index (CmaLedger *ledger, const struct stat *before);

/* For a writer that wrote nothing (a renew run with nothing due): write
 * the index when it is missing or behind the ledger, so that later runs
 * read it rather than the ledger, as after an upgrade from a release
 * without it. Only if the ledger lock is free at once: a writer holding
 * it updates the index itself. Failing to is not an error. */
void cma_ledger_latest_refresh_index (CmaLedger *ledger);

/* PROG.index beside the ledger. */
char *cma_ledger_index_path (CmaLedger *ledger);

G_END_DECLS
