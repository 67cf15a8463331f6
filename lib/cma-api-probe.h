/* SPDX-License-Identifier: MIT */
/* cma-api-probe.h: is a Jira/Confluence server at this base URL at all? */
#pragma once

#include <glib.h>

#include "cma-api-answer.h"
#include "cma-http.h"

G_BEGIN_DECLS

/* GET {server_url}status without credentials. The server's state
 * ("RUNNING", "STARTING", ...) when it answers as Jira and Confluence do
 * (200, JSON with "state"), else NULL: nothing there, or something else. */
char *cma_probe_server_state (CmaHttp *http, const char *server_url);

G_END_DECLS
