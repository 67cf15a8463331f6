/* SPDX-License-Identifier: MIT */
/* cma-status.h: the state of a connection at an instant, and every rule
 * that makes it: the container token's expiry (cma-policy), renewals
 * that keep failing (cma-attempts), the expiry of the credentials the
 * renewals need (cma-credentials), the assistant's own verdict (facts). Every consumer (status in
 * each format, guide, the check plugin, doctor) asks here, so none can disagree. Pure: the caller
 * reads the ledger, the attempts file and the clock, and passes what it found. */
#pragma once

#include <glib.h>

#include "cma-attempts.h"
#include "cma-connection.h"
#include "cma-credentials.h"
#include "cma-facts.h"
#include "cma-ledger.h"
#include "cma-policy.h"

G_BEGIN_DECLS

/* WARNING once fewer than this many seconds of an attach remain. */
#define CMA_ATTACH_WARNING_SECONDS (4 * 3600)

/* The cloud site's attachment for Migration API jobs, at an instant. */
typedef struct {
  gboolean watched;       /* attach = yes; otherwise the rest is unset */
  gboolean known;         /* attached at or before the instant */
  CmaInstant attached_at; /* known: the last attach */
  CmaInstant until;       /* known: when it lapses */
  gint64 seconds_left;    /* known: until - the instant; <= 0: lapsed */
  CmaState state;         /* OK, WARNING (4 h left), CRITICAL (lapsed, never) */
} CmaAttachVerdict;

/* What is known of one connection at one instant. */
typedef struct {
  const CmaPolicy *policy;
  const CmaConnection *conn;
  /* The latest renewal at or before @at, or NULL; one after @at is not
   * known yet, and counts as recorded later. */
  const CmaRenewal *last;
  gboolean recorded_later;   /* nothing at or before @at, but something after */
  const CmaFailure *failure; /* @conn's failure record, current or not, or NULL */
  gboolean attempts_damaged; /* the attempts file is damaged: failures may be missing */
  const CmaFacts *facts;     /* what the server told us of @conn's token, or NULL */
  CmaInstant at;
} CmaStatusInput;

/* The connection's state and what made it; points into the input. */
typedef struct {
  const CmaConnection *conn;
  const CmaRenewal *last;    /* NULL: nothing recorded by the instant */
  gboolean recorded_later;   /* nothing at or before the instant, but after it */
  CmaVerdict verdict;        /* the container token's own, by the policy */
  const CmaFailure *failure; /* failed attempts since the last renewal, or NULL */
  gboolean failing;          /* due, and the last attempt failed: at least WARNING */
  gboolean attempts_damaged; /* failures unknown (a damaged attempts file): WARNING */
  /* Credentials with a known expiry; one not OK raises the state to its own. */
  CmaCredentialExpiry credentials[CMA_MAX_CREDENTIALS];
  guint n_credentials;
  CmaAttachVerdict attach; /* the attach clock, when the connection keeps it */
  /* The assistant's verdict that counts (read at or before the instant,
   * not before the last renewal, with an outcome), or NULL. */
  const CmaTokenCheckFact *token_check;
  CmaState token_check_state; /* what it makes the connection: OK, WARNING, CRITICAL */
  CmaState state;             /* the connection's: the worst every rule found */
} CmaStatusEntry;

void cma_status_evaluate (const CmaStatusInput *in, CmaStatusEntry *out);

/* The state a renew attempt leaves @conn in at @at, as status will then
 * show it: @token is its token's verdict from the renewal the attempt
 * knew of (NULL: the ledger was never read, UNKNOWN), @failure the
 * attempt's error (NULL: it did not fail), which counts as a failing
 * renewal, and @facts what the server told us of the token (NULL:
 * nothing). For renew's report and its hooks' CMA_STATE. */
CmaState cma_status_after_attempt (const CmaPolicy *policy, const CmaConnection *conn,
                                   const CmaVerdict *token, const GError *failure,
                                   const CmaFacts *facts, CmaInstant at);

/* @conn's attach clock at @at from its last recorded attach @fact (NULL
 * or not known: never attached). Pure; status's rule, and renew's due
 * check read the same verdict. */
void cma_status_attach (const CmaConnection *conn, const CmaAttachFact *fact, CmaInstant at,
                        CmaAttachVerdict *out);

/* What the assistant's token check @outcome makes a connection: FAILED
 * CRITICAL, WARNING (and an outcome Atlassian does not document)
 * WARNING, SUCCESS and SKIPPED OK. status and doctor both judge by it. */
CmaState cma_status_token_check_state (const char *outcome);

/* The worst state of @entries; UNKNOWN when there is none. */
CmaState cma_status_entries_worst (const CmaStatusEntry *entries, guint n);

/* The credentials a renewal needs whose expiry may be known. */
typedef enum {
  CMA_CREDENTIAL_CLOUD_TOKEN,  /* cloud-token-expires */
  CMA_CREDENTIAL_SERVER_TOKEN, /* server-token-expires */
} CmaCredentialKind;

/* @kind's expiry as @conn configures it, judged at @at; FALSE (and @out
 * unset) when the configuration gives no date. */
gboolean cma_status_credential (const CmaConnection *conn, CmaCredentialKind kind, CmaInstant at,
                                CmaCredentialExpiry *out);

/* Where cma_status_credential_from() says the server's own token list
 * gave a date. */
#define CMA_STATUS_SERVER_TOKEN_LIST "the server's token list"

/* @kind's expiry learnt elsewhere (@source: CMA_STATUS_SERVER_TOKEN_LIST),
 * judged at @at by @conn's rule. @source must outlive @out. */
void cma_status_credential_from (const CmaConnection *conn, CmaCredentialKind kind,
                                 const char *source, CmaInstant expires, CmaInstant at,
                                 CmaCredentialExpiry *out);

G_END_DECLS
