/* SPDX-License-Identifier: MIT */
/* cma-api-pat.c: the server's personal access token and its expiry. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-api-answer.h"
#include "cma-error.h"
#include "cma-json.h"
#include "cma-api-pat.h"
#include "cma-text.h"
#include "cma-url.h"

void
cma_pat_info_clear (CmaPatInfo *info)
{
  g_clear_pointer (&info->name, g_free);
}

/* Jira and Confluence write "2027-01-31T10:00:00.000+0000", which
 * GDateTime reads; 0 when absent or unreadable. */
static CmaInstant
member_instant (JsonObject *obj, const char *name)
{
  const char *text = cma_json_string_member (obj, name);
  g_autoptr (GDateTime) t = NULL;

  if (text == NULL)
    return 0;
  t = g_date_time_new_from_iso8601 (text, NULL);
  return t ? g_date_time_to_unix (t) : 0;
}

static gboolean
fail_list (const CmaApiContext *ctx, const char *url, const CmaHttpResponse *r, GError **error)
{
  g_autofree char *said = cma_answer_suffix (r);

  if (r->status == 404)
    g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                 "server %s lists no personal access tokens (HTTP 404); %s before 8.14/7.9 has "
                 "none",
                 ctx->conn->server_url, ctx->product->product_name);
  else
    g_set_error (error, CMA_ERROR,
                 r->status == 401 || r->status == 403 ? CMA_ERROR_AUTH : CMA_ERROR_PROTOCOL,
                 "server %s answered HTTP %ld%s", url, r->status, said);
  return FALSE;
}

/* The most recently used object of @tokens (the answer @r's) into @info. */
static gboolean
pick_token (const CmaHttpResponse *r, JsonArray *tokens, CmaPatInfo *info)
{
  JsonObject *best = NULL;
  CmaInstant best_used = -1;
  const char *name;

  for (guint i = 0; i < json_array_get_length (tokens); i++)
    {
      JsonNode *node = json_array_get_element (tokens, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      if (member_instant (json_node_get_object (node), "lastAccessedAt") > best_used)
        {
          best = json_node_get_object (node);
          best_used = member_instant (best, "lastAccessedAt");
        }
    }
  if (best == NULL)
    return FALSE;
  name = cma_json_string_member (best, "name");
  /* The name is the server's text: redacted as every answer's. */
  info->name = name != NULL ? cma_answer_text (r, name, 80) : NULL;
  info->expires_at = member_instant (best, "expiringAt");
  info->expires = info->expires_at != 0;
  info->n_tokens = json_array_get_length (tokens);
  return TRUE;
}

gboolean
cma_pat_get_info (CmaHttp *http, const CmaApiContext *ctx, CmaPatInfo *info, GError **error)
{
  g_autofree char *url = cma_url_join (ctx->conn->server_url, "rest/pat/latest/tokens");
  g_auto (CmaWiped) auth = NULL;
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  const char *data;

  if (ctx->conn->server_user != NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                   "server-user is set: renewals use a password, not a personal access token");
      return FALSE;
    }
  auth = cma_api_server_authorization (ctx); /* Bearer: no server-user */
  r = cma_http_request (http, CMA_SIDE_SERVER, "GET", url, auth, NULL, error);
  if (r == NULL || (r->status != 200 && !fail_list (ctx, url, r, error)))
    return FALSE;
  data = g_bytes_get_data (r->body, &len);
  if (!cma_http_response_is_json (r) || data == NULL ||
      (root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root) || !pick_token (r, json_node_get_array (root), info))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "server %s answered without a list of tokens", url);
      return FALSE;
    }
  return TRUE;
}

char *
cma_pat_match_phrase (const CmaPatInfo *info)
{
  if (info->n_tokens == 1)
    return g_strdup ("the only token of this user");
  return g_strdup_printf ("the most recently used of %u tokens, as this request used it",
                          info->n_tokens);
}

void
cma_pat_info_to_fact (const CmaPatInfo *info, CmaInstant read_at, CmaServerTokenFact *fact)
{
  cma_server_token_fact_clear (fact);
  fact->known = TRUE;
  fact->read_at = read_at;
  fact->expires = info->expires;
  fact->expires_at = info->expires_at;
  fact->name = g_strdup (info->name);
  fact->match = cma_pat_match_phrase (info);
}
