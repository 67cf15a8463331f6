/* SPDX-License-Identifier: MIT */
/* cma-auth-ahead.h: the cloud's auth token, created on a thread of its own
 * while the caller's thread talks to the server. */
#pragma once

#include <glib.h>

#include "cma-api.h"
#include "cma-http.h"

G_BEGIN_DECLS

typedef struct _CmaAuthAhead CmaAuthAhead;

/* Start cma_api_create_auth_token() with a CmaHttp of its own made from
 * @options (same share, same CA files). @ctx must outlive the
 * CmaAuthAhead. Where no thread can be started, the token is created
 * before this returns. */
CmaAuthAhead *cma_auth_ahead_start (const CmaHttpOptions *options, const CmaApiContext *ctx);

/* Wait for the token: it (transfer full), or NULL with @error set (which
 * may be NULL to drop the cloud's error). The thread's trace lines go to
 * the options' trace function now, after any the caller traced meanwhile.
 * Its requests and new connections are added to *@requests, *@connects. */
CmaAuthToken *cma_auth_ahead_finish (CmaAuthAhead *ahead, guint *requests, guint *connects,
                                     GError **error);

/* Joins the thread if cma_auth_ahead_finish() did not. */
void cma_auth_ahead_free (CmaAuthAhead *ahead);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaAuthAhead, cma_auth_ahead_free)

G_END_DECLS
