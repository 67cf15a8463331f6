/* SPDX-License-Identifier: MIT */
/* cma-lock.h: one connection's renewal lock, so runs renewing different
 * connections never wait for each other while two runs renewing the same
 * token still save it once.
 */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-ledger.h"

G_BEGIN_DECLS

typedef struct _CmaLock CmaLock;

/* Take the lock for the token @conn renews (its server and cloud site,
 * the ledger's identity of a token), beside @ledger, waiting up to
 * @timeout_seconds (0: not at all), else CMA_ERROR_LOCKED. Creates the
 * state directory like cma_ledger_lock(). A lock taken through another
 * CmaLock, in this process or another, excludes this one. */
CmaLock *cma_lock_connection (CmaLedger *ledger, const CmaConnection *conn, guint timeout_seconds,
                              GError **error);
void cma_lock_release (CmaLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLock, cma_lock_release)

G_END_DECLS
