/* SPDX-License-Identifier: MIT */
/* cma-ledger.h: the record of every renewal, one JSON object per line.
 *
 * The file is rewritten whole through a temporary file, fsync and rename,
 * so a reader sees either the old or the new ledger and never half of one.
 * Writers serialise on a separate lock file (flock), since rename() gives
 * the ledger a new inode on every write.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cma-config.h"
#include "cma-time.h"

G_BEGIN_DECLS

typedef struct {
  CmaInstant at;
  char *connection;
  char *server_url;
  char *cloud_url;
  char *method; /* "manual" or "api" */
  char *user;
  char *note;        /* or NULL */
  char *fingerprint; /* short SHA-256 of the saved token, or NULL */
} CmaRenewal;

CmaRenewal *cma_renewal_new (CmaInstant at, const CmaConnection *conn, const char *method,
                             const char *note);
void cma_renewal_free (CmaRenewal *renewal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaRenewal, cma_renewal_free)

/* Add @renewal to @builder as one object with the ledger's members, in
 * the ledger's order. Absent members (note, fingerprint ...) are left out
 * (the ledger), or written as null when @absent_as_null (history JSON,
 * whose readers expect every key). */
void cma_renewal_build_json (const CmaRenewal *renewal, JsonBuilder *builder,
                             gboolean absent_as_null);

typedef struct _CmaLedger CmaLedger;

/* $XDG_STATE_HOME/cma-token or @localstatedir/lib/cma-token for root. */
char *cma_ledger_default_dir (gboolean system, const char *localstatedir);

/* Nothing is read or created yet, so nothing can fail; the lock creates
 * @dir (0700). */
CmaLedger *cma_ledger_new (const char *dir, const char *program);
void cma_ledger_free (CmaLedger *ledger);
/* Let group @gid read the ledger, so monitoring needs no sudo: the lock
 * then makes @dir setgid @gid, mode 2750, and the ledger is written 0640.
 * Needs ownership of @dir (or root). -1: leave the modes alone. */
void cma_ledger_set_group (CmaLedger *ledger, gint64 gid);
const char *cma_ledger_get_path (CmaLedger *ledger);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLedger, cma_ledger_free)

/* Writers wait this long for each other: a renewal takes seconds, but its
 * requests may each time out and be retried. */
#define CMA_LEDGER_LOCK_TIMEOUT_SECONDS 600

/* Create the state directory as writers do (private, or shared with
 * --state-group) and refuse one others may write; cma_ledger_lock() does
 * this itself, other locks beside the ledger call it first. */
gboolean cma_ledger_prepare_dir (CmaLedger *ledger, GError **error);

/* Create the state directory if needed and take the writer lock, waiting
 * up to @timeout_seconds for it (0: not at all), else CMA_ERROR_LOCKED.
 * Held until cma_ledger_unlock() or free. */
gboolean cma_ledger_lock (CmaLedger *ledger, guint timeout_seconds, GError **error);
void cma_ledger_unlock (CmaLedger *ledger);

/* Called with "FILE:LINE: why; line ignored" for each line a load skips. */
typedef void (*CmaLedgerWarnFunc) (const char *message, gpointer user_data);
void cma_ledger_set_warn_func (CmaLedger *ledger, CmaLedgerWarnFunc func, gpointer user_data);

/* All usable renewals, in file order; an absent ledger is empty. A line
 * that is not a usable record (malformed, truncated, longer than any we
 * write, dated in the future) is reported through the warn function, once
 * per ledger object, and skipped: one bad line must not stop every
 * command. Only a ledger that cannot be read (not a regular file, I/O
 * error) is an error. */
GPtrArray *cma_ledger_load (CmaLedger *ledger, GError **error);

/* Append @renewal atomically; requires the lock. The old ledger is copied
 * byte for byte, lines it could not use included, and the replacement
 * keeps its owner, group and mode. */
gboolean cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, GError **error);

/* CMA_ERROR_STATE unless @dir is writable by its owner only. */
gboolean cma_ledger_check_dir (const char *dir, GError **error);

/* TRUE when @renewal renewed the token @conn uses (same server and cloud site). */
gboolean cma_renewal_matches (const CmaRenewal *renewal, const CmaConnection *conn);

/* The newest renewal of the token that @conn's server holds for its cloud
 * site (matched on both URLs, so renaming a connection keeps its history). */
const CmaRenewal *cma_ledger_find_last (GPtrArray *renewals, const CmaConnection *conn);
/* The same among renewals recorded at or before @at: what was known then.
 * A renewal recorded later cannot vouch for an earlier instant. */
const CmaRenewal *cma_ledger_find_last_at (GPtrArray *renewals, const CmaConnection *conn,
                                           CmaInstant at);

G_END_DECLS
