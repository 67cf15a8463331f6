/* SPDX-License-Identifier: MIT */
/* cma-api-probe.h: is a Jira/Confluence server at this base URL at all? */
#pragma once

#include <glib.h>

#include "cma-api-answer.h"
#include "cma-http.h"

G_BEGIN_DECLS

/* GET {server_url}status without credentials. The server's state
 * ("RUNNING", "MAINTENANCE", ...) when it answers as Jira and Confluence
 * do (JSON with "state": 200 running or in its first run, 503 starting,
 * stopping or in maintenance, 500 in error), else NULL: nothing there,
 * or something else. */
char *cma_probe_server_state (CmaHttp *http, const char *server_url);

/* A state that is not "RUNNING", in words for "the server is there but
 * ...", and what to do about it. */
const char *cma_probe_state_phrase (const char *state);
const char *cma_probe_state_fix (const char *state);

G_END_DECLS
