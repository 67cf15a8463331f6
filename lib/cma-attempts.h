/* SPDX-License-Identifier: MIT */
/* cma-attempts.h: failed renewal attempts, kept apart from the ledger.
 *
 * The ledger records renewals only and must stay readable by earlier
 * releases, so failures live in a small file of their own beside it
 * (PROG.attempts, JSON): per connection, the first and last failure
 * since the last success, how many, and the last error's class and
 * message (library messages never hold a secret). A success removes the
 * connection's entry. Writers hold the ledger's lock (the store,
 * cma-store.h, keeps the file); it is replaced by rename, so readers need
 * none.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cma-connection.h"
#include "cma-policy.h"

G_BEGIN_DECLS

typedef struct {
  char *connection;
  char *server_url;
  char *cloud_url;
  CmaInstant since; /* first failed attempt since the last success */
  CmaInstant at;    /* the last failed attempt */
  guint attempts;
  char *error_class; /* "network", "auth" ... (cma_attempts_error_class) */
  char *message;
} CmaFailure;

void cma_failure_free (CmaFailure *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaFailure, cma_failure_free)

/* The members status shows of @failure (at, since, attempts, class,
 * message), into the object @builder has open: the attempts file and
 * status -o json write the same members the same way. */
void cma_failure_add_members (JsonBuilder *builder, const CmaFailure *failure);

/* Messages are kept to one line of at most this many bytes. */
#define CMA_ATTEMPTS_MAX_MESSAGE 400

/* "network", "auth" ...: a name for the kind of @error. */
const char *cma_attempts_error_class (const GError *error);

/* All failures (CmaFailure*); an absent file is empty. A file that is
 * not all valid (cut short, edited) is *@damaged: the entries that could
 * be read are returned, and the next write replaces it whole. NULL (and
 * @error) only when it cannot be read at all. */
GPtrArray *cma_attempts_load (const char *path, gboolean *damaged, GError **error);

/* The failure of the token @conn uses (same server and cloud site), or NULL. */
const CmaFailure *cma_attempts_find (GPtrArray *failures, const CmaConnection *conn);

/* Count one more failed attempt of @conn at @at with @failure; requires
 * the ledger's lock. The file is written with @mode. */
gboolean cma_attempts_record_failure (const char *path, const CmaConnection *conn, CmaInstant at,
                                      const GError *failure, int mode, GError **error);

/* Forget @conn's failures after a successful renewal (repairing a
 * damaged file); requires the lock. */
gboolean cma_attempts_clear (const char *path, const CmaConnection *conn, int mode, GError **error);

/* Policy, pure. Current: made at or before @now and after the last
 * renewal @verdict knows of (a renewal recorded later, by hand or by API,
 * supersedes it). */
gboolean cma_failure_is_current (const CmaFailure *failure, const CmaVerdict *verdict,
                                 CmaInstant now);

/* TRUE when the failure must raise the state to at least WARNING: it is
 * current and the connection is due, as 'renew' sees it (nothing
 * recorded, or fewer than @renew_within days left at @now). So a daily
 * timer's failures alarm on the first due day, not when the assistant
 * starts warning. */
gboolean cma_failure_escalates (const CmaFailure *failure, const CmaVerdict *verdict,
                                double renew_within, CmaInstant now);

G_END_DECLS
