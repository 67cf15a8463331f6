/* SPDX-License-Identifier: MIT */
/* cma-facts.h: what the server and the assistant told us, and when.
 *
 * The ledger records what this tool did; an online command also learns
 * things only the other side knows: when the server's personal access
 * token expires, which version of the assistant runs, the assistant's
 * own verdict of the container token, until when the cloud site is
 * attached. They are kept in a file of their own beside the ledger
 * (PROG.facts, JSON; earlier releases never read it), one entry per
 * token (server and cloud site, the ledger's identity), each fact with
 * the instant it was read, so the offline commands can say "as of".
 *
 * Writers hold the ledger's lock (the store, cma-store.h, keeps the
 * file) and merge: a connection's entry gets the facts a caller learnt,
 * the others are left as they were, and members this release does not
 * know (a newer one's) are kept. The file is replaced by rename, so
 * readers need none. A damaged file is an error for readers, never a
 * reason to stop a renewal: the next writer writes it anew.
 */
#pragma once

#include <glib.h>

#include "cma-connection.h"

G_BEGIN_DECLS

/* The server's personal access token, from its token list. */
typedef struct {
  gboolean known;
  CmaInstant read_at;
  gboolean expires; /* FALSE: the server says it never expires */
  CmaInstant expires_at;
  char *name;  /* the token's name on the server (printable), or NULL */
  char *match; /* how it was told from the user's others, or NULL */
} CmaServerTokenFact;

/* The assistant installed on the server. */
typedef struct {
  gboolean known;
  CmaInstant read_at;
  char *version;
} CmaAssistantFact;

/* The assistant's verdict of the container token (a Check task). */
typedef struct {
  gboolean known;
  CmaInstant at; /* when the verdict was read */
  char *task_id;
  char *status;  /* "FINISHED" ... */
  char *outcome; /* "SUCCESS", "FAILED" ... or NULL */
  char *message; /* or NULL */
} CmaTokenCheckFact;

/* The cloud site's attachment for API-driven migrations. */
typedef struct {
  gboolean known;
  CmaInstant read_at;
  CmaInstant attached_at; /* the successful attach call */
  CmaInstant until;       /* attached_at + 24 h, or the server's expiryTime */
} CmaAttachFact;

typedef struct {
  char *connection; /* the name it was last written under */
  char *server_url;
  char *cloud_url;
  CmaServerTokenFact server_token;
  /* When the token list was last asked for, answered or not: a server
   * without one is not asked again within the day either. */
  CmaMaybeInstant server_token_asked;
  CmaAssistantFact assistant;
  CmaTokenCheckFact token_check;
  CmaAttachFact attach;
} CmaFacts;

/* A new, empty record of @conn's token, for a caller to fill. */
CmaFacts *cma_facts_new (const CmaConnection *conn);
void cma_facts_free (CmaFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaFacts, cma_facts_free)

/* Forget a fact, its strings freed (known FALSE). */
void cma_server_token_fact_clear (CmaServerTokenFact *fact);
void cma_assistant_fact_clear (CmaAssistantFact *fact);
void cma_token_check_fact_clear (CmaTokenCheckFact *fact);

/* How often an unattended run asks the server for its token list. */
#define CMA_FACTS_SERVER_TOKEN_INTERVAL_SECONDS (24 * 3600)

/* Policy, pure: whether a run at @now should ask for the server's token
 * list again, given what @facts (NULL: nothing) remembers: when it was
 * never read or asked for, or the last time is CMA_FACTS_SERVER_TOKEN_-
 * INTERVAL_SECONDS or more before @now (or after it: a clock set back). */
gboolean cma_facts_server_token_due (const CmaFacts *facts, CmaInstant now);
/* The same rule for the assistant's verdict: due when none was read, or
 * the last one is a day old or more (or dated after @now). */
gboolean cma_facts_token_check_due (const CmaFacts *facts, CmaInstant now);

/* Every entry (CmaFacts*) of the file at @path; an absent file is empty.
 * A damaged one is CMA_ERROR_STATE, naming the file, never its content. */
GPtrArray *cma_facts_load (const char *path, GError **error);

/* The entry of the token @conn uses (same server and cloud site), or NULL. */
const CmaFacts *cma_facts_find (GPtrArray *facts, const CmaConnection *conn);

/* Merge into @conn's entry the facts @learnt knows (the others are left
 * as they were), written with @mode; requires the ledger's lock. A
 * damaged file is replaced by one holding this entry only. */
gboolean cma_facts_note (const char *path, const CmaConnection *conn, const CmaFacts *learnt,
                         int mode, GError **error);

G_END_DECLS
