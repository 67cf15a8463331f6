/* SPDX-License-Identifier: MIT */
/* cma-api-answer.c: what a peer said in an error answer, made safe to print.
 *
 * Jira, Confluence and api.atlassian.com explain a refusal in the body
 * ("Basic Authentication has been disabled on this instance.") and that
 * sentence is often the whole diagnosis; but the body is the peer's, so it
 * is cut short and anything a terminal or log would interpret is escaped,
 * by the same cma_text_sanitize() as every other server text. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cma-api-answer.h"
#include "cma-json.h"
#include "cma-text.h"

/* The first string of a JSON "message", "errorMessages" (Jira's REST
 * errors) or "error" member; NULL when none. */
static char *
json_message (const char *data, gsize len)
{
  /* Bounded: an error page is as untrusted as any other answer. */
  g_autoptr (JsonNode) root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL);
  static const char *const names[] = { "message", "errorMessages", "error" };
  JsonObject *obj;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (obj, names[i]);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) &&
          json_array_get_length (json_node_get_array (node)) > 0)
        node = json_array_get_element (json_node_get_array (node), 0);
      if (cma_json_holds (node, G_TYPE_STRING))
        return g_strdup (json_node_get_string (node));
    }
  return NULL;
}

char *
cma_answer_message (const CmaHttpResponse *r)
{
  gsize len = 0;
  const char *data = r->body ? g_bytes_get_data (r->body, &len) : NULL;
  g_autofree char *text = NULL;

  if (data == NULL || len == 0 || memchr (data, '\0', len) != NULL)
    return NULL;
  if (cma_http_response_is_json (r))
    text = json_message (data, len);
  /* An HTML page is a login or proxy page, never a short explanation. */
  else if (g_strcmp0 (r->content_type, "text/plain") == 0)
    text = g_strndup (data, MIN (len, 4096));
  /* The line break that ends a text/plain body is not part of what the
   * peer said; one inside it is, and is shown escaped like any other. */
  if (text == NULL || *g_strstrip (text) == '\0')
    return NULL;
  return cma_answer_text (r, text, CMA_ANSWER_MAX);
}

char *
cma_answer_text (const CmaHttpResponse *r, const char *text, gsize max)
{
  /* The body came redacted, but a JSON string may spell a secret in
   * escapes the raw bytes do not match. */
  g_autofree char *redacted = cma_http_redact (r, text);

  return cma_text_sanitize (redacted, max);
}

char *
cma_answer_suffix (const CmaHttpResponse *r)
{
  g_autofree char *message = cma_answer_message (r);

  return message ? g_strdup_printf ("; it said \"%s\"", message) : g_strdup ("");
}
