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

G_END_DECLS
