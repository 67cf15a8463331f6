/* SPDX-License-Identifier: MIT */
/* cma-api-probe.c: does a Jira or Confluence answer at the configured URL?
 *
 * A 404 from the assistant's endpoints means either "no assistant here" or
 * "no server here" (a wrong host or context path); the fixes differ, so the
 * unauthenticated status resource, which every Jira and Confluence serves
 * under its base URL, tells them apart. It answers with the server's
 * state whatever it is, and an HTTP status that follows it: a 503 or 500
 * with a state is still a server, only not running. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-api-answer.h"
#include "cma-json.h"
#include "cma-api-probe.h"
#include "cma-text.h"
#include "cma-url.h"

char *
cma_probe_server_state (CmaHttp *http, const char *server_url)
{
  g_autofree char *url = cma_url_join (server_url, "status");
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  const char *data;
  const char *state;

  /* No credentials: the resource needs none, and a wrong URL may point at
   * a host that should not get them. Any failure simply means "no". */
  r = cma_http_request_once (http, CMA_SIDE_SERVER, "GET", url, NULL, NULL, NULL);
  if (r == NULL || (r->status != 200 && r->status != 500 && r->status != 503) ||
      !cma_http_response_is_json (r))
    return NULL;
  data = g_bytes_get_data (r->body, &len);
  if (data == NULL ||
      (root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  state = cma_json_string_member (json_node_get_object (root), "state");
  if (state == NULL)
    return NULL;
  /* Redacted too: this server was sent the credential by the save. */
  return cma_answer_text (r, state, 32);
}

/* The states Jira and Confluence document besides RUNNING. */
typedef struct {
  const char *state;
  const char *phrase;
  const char *fix;
} ServerState;

static const ServerState states[] = {
  { "MAINTENANCE", "in maintenance (re-indexing or upgrading)", "try again when it is done" },
  { "STARTING", "still starting", "try again in a few minutes" },
  { "STOPPING", "stopping", "try again once it is back" },
  { "ERROR", "in error (it did not start)", "see its log and its status page, then try again" },
  { "FIRST_RUN", "not set up yet (first run)", "finish its setup, then try again" },
};

/* @state's entry, or NULL for one not documented. */
static const ServerState *
find_state (const char *state)
{
  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    if (g_str_equal (state, states[i].state))
      return &states[i];
  return NULL;
}

const char *
cma_probe_state_phrase (const char *state)
{
  const ServerState *s = find_state (state);

  return s != NULL ? s->phrase : "not running";
}

const char *
cma_probe_state_fix (const char *state)
{
  const ServerState *s = find_state (state);

  return s != NULL ? s->fix : "try again later";
}
