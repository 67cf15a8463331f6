/* SPDX-License-Identifier: MIT */
/* cma-redact.h: what an HTTP trace (-vv) may show.
 *
 * Traces see raw network bytes: invalid UTF-8, control characters, a
 * token split across chunks. So nothing here runs a regular expression
 * over them; header lines are matched on their name, and bodies are
 * redacted whole, after the transfer, by parsing them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Most of a body a trace shows: enough for any error page's gist. */
#define CMA_REDACT_MAX_BODY 2048

/* A header line ("> Authorization: Basic ...") with the credential of
 * Authorization, Proxy-Authorization, Cookie and Set-Cookie replaced by
 * [REDACTED] (an auth scheme stays visible); control characters and
 * invalid UTF-8 escaped. */
char *cma_redact_header_line (const char *line);

/* The trace lines (NULL-terminated, each starting with @prefix) of a
 * complete body. JSON is parsed and every "token" member's value, however
 * spelt or escaped, replaced by [REDACTED]; a body that does not parse
 * but could hold a token ("oken" or any \u escape) is withheld; anything
 * else is shown escaped and cut to CMA_REDACT_MAX_BODY bytes. */
char **cma_redact_body (const char *prefix, const char *data, gsize len);

/* The exact secrets of a run (the cloud API token, the server's password
 * or personal access token, the auth token the cloud issues) in every form
 * a peer or libcurl may quote them: as they are, Base64-encoded, as the
 * value of a Basic or Bearer Authorization header, and with "/" escaped
 * as JSON encoders may. Matching by value, not by where a secret stands,
 * is what catches a 401 page echoing the Authorization header, or
 * libcurl's HTTP/2 lines ("* h2h3 [authorization: Basic ...]").
 *
 * Each form belongs to scopes (a bitmask): a text is redacted of the forms
 * in the scopes asked for, so the cloud's answer that issues an auth token
 * is not redacted of an earlier token it may repeat. Not thread-safe: one
 * per CmaHttp, used by one thread at a time. */
typedef struct _CmaSecrets CmaSecrets;

#define CMA_SECRETS_ALL_SCOPES G_MAXUINT

CmaSecrets *cma_secrets_new (void);
CmaSecrets *cma_secrets_ref (CmaSecrets *secrets);
/* Wipes the forms held when the last reference goes. */
void cma_secrets_unref (CmaSecrets *secrets);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaSecrets, cma_secrets_unref)

/* Add @secret (NULL or "" ignored) and its forms to @scopes. */
void cma_secrets_add (CmaSecrets *secrets, guint scopes, const char *secret);
/* Add an Authorization header value: the whole value, and for "Basic B"
 * B, the "user:password" it decodes to and the password; for "Bearer T"
 * T. */
void cma_secrets_add_authorization (CmaSecrets *secrets, guint scopes, const char *value);

/* @data with every form of a secret in @scopes replaced by [REDACTED]
 * (longest first, one pass: a replacement is never matched again); NUL
 * bytes pass as they are. @secrets may be NULL: a copy. */
GBytes *cma_secrets_redact_bytes (const CmaSecrets *secrets, guint scopes, const void *data,
                                  gsize len);
/* The same for a string; NULL for NULL. */
char *cma_secrets_redact (const CmaSecrets *secrets, guint scopes, const char *text);

G_END_DECLS
