/* SPDX-License-Identifier: MIT */
/* cma-api-sites.c: the assistant's list of connected cloud sites. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-json.h"
#include "cma-api-sites.h"
#include "cma-text.h"
#include "cma-url.h"

/* The array the resource answers with, or NULL with *@detail set. */
static JsonArray *
fetch_list (CmaHttp *http, const CmaApiContext *ctx, JsonNode **root, char **detail)
{
  g_autofree char *url = cma_url_join (ctx->conn->server_url, "rest/migration/latest/cloud/");
  g_auto (CmaWiped) auth = cma_api_server_authorization (ctx);
  g_autoptr (GError) error = NULL;
  g_autoptr (CmaHttpResponse) r = NULL;
  gsize len = 0;
  const char *data;

  r = cma_http_request (http, CMA_SIDE_SERVER, "GET", url, auth, NULL, &error);
  if (r == NULL)
    {
      *detail = g_strdup (error->message);
      return NULL;
    }
  data = r->body ? g_bytes_get_data (r->body, &len) : NULL;
  if (r->status != 200 || !cma_http_response_is_json (r) || data == NULL ||
      (*root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (*root))
    {
      *detail = g_strdup_printf ("the %s offers no list of connected sites at %s (HTTP %ld)",
                                 ctx->product->assistant_abbrev, url, r->status);
      return NULL;
    }
  return json_node_get_array (*root);
}

/* Sites named in the message when ours is not listed: enough to spot a
 * typo in cloud-url, never a line of 620 KB (an assistant listing 20,000). */
#define SITES_SHOWN 5

/* "a, b, c, d, e and 19995 more" of the sites @sites lists. */
static char *
others_phrase (JsonArray *sites)
{
  GString *others = g_string_new (NULL);
  guint shown = 0, listed = 0;

  for (guint i = 0; i < json_array_get_length (sites); i++)
    {
      JsonNode *node = json_array_get_element (sites, i);
      const char *url = JSON_NODE_HOLDS_OBJECT (node)
                            ? cma_json_string_member (json_node_get_object (node), "cloudUrl")
                            : NULL;
      g_autofree char *clean = NULL;

      if (url == NULL)
        continue;
      listed++;
      if (shown == SITES_SHOWN)
        continue;
      clean = cma_text_sanitize (url, 80);
      g_string_append_printf (others, "%s%s", shown ? ", " : "", *clean ? clean : "?");
      shown++;
    }
  if (listed > shown)
    g_string_append_printf (others, " and %u more", listed - shown);
  return g_string_free (others, FALSE);
}

CmaSiteVerdict
cma_sites_check (CmaHttp *http, const CmaApiContext *ctx, char **detail)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *others = NULL;
  JsonArray *sites = fetch_list (http, ctx, &root, detail);

  if (sites == NULL)
    return CMA_SITE_NO_LIST;
  for (guint i = 0; i < json_array_get_length (sites); i++)
    {
      JsonNode *node = json_array_get_element (sites, i);
      const char *url = JSON_NODE_HOLDS_OBJECT (node)
                            ? cma_json_string_member (json_node_get_object (node), "cloudUrl")
                            : NULL;

      if (url != NULL && cma_api_same_site (url, ctx->conn->cloud_url))
        {
          *detail = g_strdup_printf ("%s is listed as connected", ctx->conn->cloud_url);
          return CMA_SITE_LISTED;
        }
    }
  others = others_phrase (sites);
  *detail = g_strdup_printf ("%s is not among the %u site(s) the %s lists as connected%s%s%s",
                             ctx->conn->cloud_url, json_array_get_length (sites),
                             ctx->product->assistant_abbrev, *others ? " (" : "", others,
                             *others ? ")" : "");
  return CMA_SITE_NOT_LISTED;
}
