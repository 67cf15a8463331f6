/* SPDX-License-Identifier: MIT */
/* cma-store.h: the state directory of one run, and its one owner.
 *
 * The CLI makes one store per run and hands it to every command and
 * every renewal thread: the ledger (PROG.ledger, the only truth), the
 * failed attempts beside it (PROG.attempts), what the server told us
 * (PROG.facts), the writer lock and the
 * per-connection locks, the modes and group every file gets
 * (--state-group), and the latest renewal per token, read once per run
 * and then only what the ledger gained since. Two mutexes of its own (the
 * run's writers; what it read) make it safe to share between threads;
 * nothing is kept process-wide.
 *
 * Readers create nothing: status run by a monitoring agent leaves no
 * directory behind. Writers create the directory (0700, or 2750 with a
 * group) and refuse one others may write.
 */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-facts.h"
#include "cma-ledger-latest.h"
#include "cma-ledger.h"

G_BEGIN_DECLS

typedef struct _CmaStore CmaStore;

/* $XDG_STATE_HOME/cma-token or @localstatedir/lib/cma-token for root. */
char *cma_store_default_dir (gboolean system, const char *localstatedir);

/* Nothing is read or created yet, so nothing can fail. */
CmaStore *cma_store_new (const char *dir, const char *program);
void cma_store_free (CmaStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaStore, cma_store_free)

/* Let group @gid read the state, so monitoring needs no sudo: writers
 * then make the directory setgid @gid, mode 2750, and write every file
 * 0640 and the group's. Needs ownership of the directory (or root). -1
 * (the default): leave the modes alone. */
void cma_store_set_group (CmaStore *store, gint64 gid);
/* Where skipped ledger lines are reported ("FILE:LINE: why; line
 * ignored"), once per run, and only by the readers that report. */
void cma_store_set_warn_func (CmaStore *store, CmaLedgerWarnFunc func, gpointer user_data);

const char *cma_store_get_dir (CmaStore *store);
const char *cma_store_get_ledger_path (CmaStore *store);
/* The ledger itself, for readers of every record (history); not for
 * writing. */
CmaLedger *cma_store_get_ledger (CmaStore *store);

/* CMA_ERROR_STATE unless @dir is writable by its owner only: whoever may
 * write it may replace the ledger, and so decide when we renew. */
gboolean cma_store_check_dir (const char *dir, GError **error);

/* Append @renewal to the ledger, durably, under the writer lock (created
 * with the directory if need be; waiting up to
 * CMA_LEDGER_LOCK_TIMEOUT_SECONDS for another run). */
gboolean cma_store_append (CmaStore *store, const CmaRenewal *renewal, GError **error);

/* When @conn's token was last renewed (*@known FALSE: never). The first
 * call reads the ledger; later ones read only what it gained, so a
 * renewal another process recorded meanwhile is seen. Reports nothing. */
gboolean cma_store_last_renewed (CmaStore *store, const CmaConnection *conn, gboolean *known,
                                 CmaInstant *at, GError **error);
/* The latest usable renewal per token (the caller's copy), reporting the
 * lines skipped through the warn function. */
CmaLedgerLatest *cma_store_read_latest (CmaStore *store, GError **error);
/* The same among renewals recorded at or before @at (a read of its own). */
CmaLedgerLatest *cma_store_read_latest_at (CmaStore *store, CmaInstant at, GError **error);

/* The failed attempts (CmaFailure*) of PROG.attempts; none when absent;
 * *@damaged when part of it could not be read (cma_attempts_load). */
GPtrArray *cma_store_load_failures (CmaStore *store, gboolean *damaged, GError **error);
/* Keep @conn's failed attempt @failure, made at @started (when the
 * attempt began, not now), or forget its failures after a renewal
 * (@failure NULL), under the writer lock. @seen is the latest renewal of
 * the token the attempt knew of, its own included (unknown: none). A
 * failure is not kept when the ledger now holds a later one: another run
 * renewed while this one waited for the lock, and cleared the failures.
 * An attempt that failed before reading the ledger passes @started as
 * @seen: only a renewal after it began is news then. */
gboolean cma_store_note_attempt (CmaStore *store, const CmaConnection *conn, CmaInstant started,
                                 CmaMaybeInstant seen, const GError *failure, GError **error);

/* What the server and the assistant told us (CmaFacts*), from
 * PROG.facts; none when absent, CMA_ERROR_STATE when damaged. */
GPtrArray *cma_store_load_facts (CmaStore *store, GError **error);
/* Merge the facts @learnt knows into @conn's entry, under the writer
 * lock; a damaged file is written anew. */
gboolean cma_store_note_facts (CmaStore *store, const CmaConnection *conn, const CmaFacts *learnt,
                               GError **error);

/* One connection's renewal lock. */
typedef struct _CmaLock CmaLock;

/* Take the lock for the token @conn renews (its server and cloud site,
 * the ledger's identity of a token), waiting up to @timeout_seconds (0:
 * not at all), else CMA_ERROR_LOCKED; creates the directory as writers
 * do. Runs renewing other connections never wait for it; a lock taken
 * through another CmaLock, in this process or another, excludes it. */
CmaLock *cma_store_lock_connection (CmaStore *store, const CmaConnection *conn,
                                    guint timeout_seconds, GError **error);
void cma_lock_release (CmaLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLock, cma_lock_release)

G_END_DECLS
