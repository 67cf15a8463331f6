/* SPDX-License-Identifier: MIT */
/* cma-renew.h: one unattended renewal of one connection, end to end. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-trace.h"
#include "cma-policy.h"
#include "cma-product.h"
#include "cma-store.h"

G_BEGIN_DECLS

typedef enum {
  CMA_RENEW_RENEWED,
  CMA_RENEW_NOT_DUE,
  CMA_RENEW_WOULD_RENEW, /* --dry-run: both sides accepted the credentials; nothing saved */
} CmaRenewOutcome;

/* What a run did about the cloud site's attach (attach = yes). */
typedef enum {
  CMA_ATTACH_OFF,         /* attach = no: nothing to do */
  CMA_ATTACH_NOT_DUE,     /* the last attach is younger than attach-margin */
  CMA_ATTACH_ATTACHED,    /* attached, and recorded in the facts */
  CMA_ATTACH_WOULD_ATTACH /* --dry-run: due; the server accepted its credentials */
} CmaAttachOutcome;

typedef struct {
  gboolean force;
  gboolean dry_run;
  double renew_within; /* days; NAN: the connection's setting */
  guint attempts;      /* for 429/503; 0: default */
  guint max_retry_wait;
  CmaTraceFunc trace;
  gpointer trace_data;
  /* A run's shared sessions and connections (the fleet's), or NULL;
   * opaque here, so the CLI never sees the network layer. */
  struct _CmaHttpShare *share;
} CmaRenewOptions;

typedef struct {
  CmaRenewOutcome outcome;
  /* When the attempt began: a failure is kept as made then, and not at
   * all when a renewal was recorded since (cma_store_note_attempt). */
  CmaInstant started;
  gboolean evaluated; /* @before is the ledger's verdict (FALSE: failed before reading it) */
  CmaVerdict before;
  CmaVerdict after;        /* RENEWED: the new countdown */
  CmaInstant due_at;       /* NOT_DUE: first instant it will be due */
  char *fingerprint;       /* RENEWED */
  char *assistant_version; /* WOULD_RENEW */
  char *secret_origins;    /* where the credentials came from, for -v */
  char *warning;           /* RENEWED, but the server named another cloud site; or NULL */
  /* job-id: the assistant's verdict when not SUCCESS, or why it was not
   * asked or read; NULL when there is nothing to say. */
  char *check_note;
  char *learnt; /* RENEWED: for -v, what was learnt of the server's token, or NULL */
  /* What it learnt of the server (its token list, when RENEWED) and the
   * assistant's verdict (job-id), or NULL. */
  CmaFacts *facts;
  CmaAttachOutcome attach;
  CmaAttachFact attach_before; /* the last attach recorded before the run (known FALSE: none) */
  CmaAttachFact attach_after;  /* ATTACHED: the new one */
  guint requests;
  guint connects;
} CmaRenewResult;

void cma_renew_result_clear (CmaRenewResult *result);

/* What the attempt did about the attach, as renew -o json and hooks
 * (CMA_ATTACH) name it: "attached", "not-due", "would-attach", or
 * "not-attached" when it was due (or unknown) and the attempt failed
 * (@failed); NULL for attach = no. */
const char *cma_renew_attach_action (const CmaConnection *conn, const CmaRenewResult *result,
                                     gboolean failed);

/* The attach in effect after the attempt: the one it made, else the
 * last recorded; NULL when none is known. */
const CmaAttachFact *cma_renew_attach_in_effect (const CmaRenewResult *result);

/* Renew @conn's container token if due (or forced), and record it in
 * @store, which threads renewing side by side share. On any failure the
 * ledger is left exactly as it was. With attach = yes, then attach the
 * cloud site when its last attach is attach-margin hours old or unknown
 * (or forced), after the renewal if both are due (an attach needs a
 * valid token), and record it in the store's facts, never the ledger. A
 * failed attach after a renewal fails the attempt; the renewal stays
 * recorded (@result says RENEWED). */
gboolean cma_renew (const CmaProduct *product, const CmaPolicy *policy, CmaStore *store,
                    const CmaConnection *conn, const CmaRenewOptions *options,
                    CmaRenewResult *result, GError **error);

G_END_DECLS
