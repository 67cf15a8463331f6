/* SPDX-License-Identifier: MIT */
/* cma-probe.h: is a Jira/Confluence server at this base URL at all? */
#pragma once

#include <glib.h>

#include "cma-answer.h"
#include "cma-http.h"

G_BEGIN_DECLS

/* GET {server_url}status without credentials. The server's state
 * ("RUNNING", "STARTING", ...) when it answers as Jira and Confluence do
 * (200, JSON with "state"), else NULL: nothing there, or something else. */
char *cma_probe_server_state (CmaHttp *http, const char *server_url);

/* GET {server_url}status without credentials, only to open a connection
 * to the server for the requests that follow; the answer is not read.
 * FALSE, with the error, only when the server was not reached at all
 * (cma_http_reach()): any request to it would fail the same way. */
gboolean cma_probe_server_reach (CmaHttp *http, const char *server_url, GError **error);

G_END_DECLS
