/* SPDX-License-Identifier: MIT */
/* cma-api-marketplace.c: the Marketplace's latest version of an app. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-api-answer.h"
#include "cma-api-marketplace.h"
#include "cma-error.h"
#include "cma-json.h"
#include "cma-text.h"
#include "cma-url.h"

/* A version string or date, never longer in a real answer. */
#define MAX_FIELD 40

void
cma_marketplace_latest_clear (CmaMarketplaceLatest *latest)
{
  g_clear_pointer (&latest->version, g_free);
  g_clear_pointer (&latest->released, g_free);
}

/* "release": {"date": "2026-11-20", ...}, where the listing has one. */
static char *
release_date (JsonObject *version)
{
  JsonNode *release = json_object_get_member (version, "release");
  const char *date;

  if (release == NULL || !JSON_NODE_HOLDS_OBJECT (release))
    return NULL;
  date = cma_json_string_member (json_node_get_object (release), "date");
  return date != NULL ? cma_text_sanitize (date, MAX_FIELD) : NULL;
}

gboolean
cma_marketplace_get_latest (CmaHttp *http, const char *app_key, CmaMarketplaceLatest *latest,
                            GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (app_key, NULL, FALSE);
  g_autofree char *path = g_strconcat ("rest/2/addons/", escaped, "/versions/latest", NULL);
  g_autofree char *url = cma_url_join (CMA_MARKETPLACE_URL, path);
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *data, *name = NULL;
  gsize len = 0;

  /* The cloud side: Atlassian's CA settings (cloud-ca-file), not the server's. */
  r = cma_http_request (http, CMA_SIDE_CLOUD, "GET", url, NULL, NULL, error);
  if (r == NULL)
    return FALSE;
  data = r->body != NULL ? g_bytes_get_data (r->body, &len) : NULL;
  if (r->status == 200 && cma_http_response_is_json (r) && data != NULL &&
      (root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root))
    name = cma_json_string_member (json_node_get_object (root), "name");
  if (name == NULL || *name == '\0')
    {
      g_autofree char *said = cma_answer_suffix (r);

      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "the Marketplace %s answered HTTP %ld without a version%s", url, r->status,
                   said);
      return FALSE;
    }
  latest->version = cma_text_sanitize (name, MAX_FIELD);
  latest->released = release_date (json_node_get_object (root));
  return TRUE;
}
