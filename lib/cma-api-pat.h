/* SPDX-License-Identifier: MIT */
/* cma-api-pat.h: when the server's personal access token used for renewals
 * expires, from the server's own list (Jira 8.14+, Confluence 7.9+). */
#pragma once

#include <glib.h>

#include "cma-api.h"
#include "cma-facts.h"
#include "cma-time.h"

G_BEGIN_DECLS

typedef struct {
  char *name;       /* the token's name on the server, made safe to print */
  gboolean expires; /* FALSE: the server says it never expires */
  CmaInstant expires_at;
  guint n_tokens; /* how many tokens the user has */
} CmaPatInfo;

void cma_pat_info_clear (CmaPatInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmaPatInfo, cma_pat_info_clear)

/* GET {server-url}rest/pat/latest/tokens with the connection's token.
 * The list never shows a token's secret, so the one in use is matched as
 * the most recently used: this very request has just used it. Fails with
 * CMA_ERROR_NOT_SUPPORTED when the server has no such list (404), and for
 * Basic authentication (server-user), which uses no token. */
gboolean cma_pat_get_info (CmaHttp *http, const CmaApiContext *ctx, CmaPatInfo *info,
                           GError **error);

/* "the only token of this user" or "the most recently used of N tokens". */
char *cma_pat_match_phrase (const CmaPatInfo *info);

/* @info as read at @read_at, for the facts kept beside the ledger. */
void cma_pat_info_to_fact (const CmaPatInfo *info, CmaInstant read_at, CmaServerTokenFact *fact);

G_END_DECLS
