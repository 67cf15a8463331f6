/* SPDX-License-Identifier: MIT */
/* cma-redact.c: redacting HTTP traces. */
#include "config.h"

#include <string.h>

#include "cma-json.h"
#include "cma-redact.h"
#include "cma-text.h"

#define REDACTED "[REDACTED]"

/* Headers whose whole value is a credential. */
static const char *const secret_headers[] = { "authorization", "proxy-authorization", "cookie",
                                              "set-cookie", NULL };
/* Auth schemes kept visible: they help debugging and reveal nothing. */
static const char *const auth_schemes[] = { "basic", "bearer", "digest", "negotiate", NULL };

static gboolean
is_secret_header (const char *name, gsize len)
{
  for (guint i = 0; secret_headers[i] != NULL; i++)
    if (strlen (secret_headers[i]) == len &&
        g_ascii_strncasecmp (name, secret_headers[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* The length of a known scheme word at @value followed by a blank, or 0. */
static gsize
scheme_length (const char *value)
{
  for (guint i = 0; auth_schemes[i] != NULL; i++)
    {
      gsize n = strlen (auth_schemes[i]);

      if (g_ascii_strncasecmp (value, auth_schemes[i], n) == 0 &&
          (value[n] == ' ' || value[n] == '\t' || value[n] == '\0'))
        return n;
    }
  return 0;
}

char *
cma_redact_header_line (const char *line)
{
  const char *name = line;
  const char *colon = strchr (line, ':');
  const char *value;
  g_autofree char *kept = NULL;

  /* Skip the trace's direction marker ("> ", "< "). */
  while (*name != '\0' && !g_ascii_isalpha (*name))
    name++;
  if (colon == NULL || colon < name || !is_secret_header (name, colon - name))
    return cma_text_sanitize (line, G_MAXSIZE);
  value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  kept = g_strndup (line, colon + 1 - line);
  {
    g_autofree char *scheme = g_strndup (value, scheme_length (value));
    g_autofree char *safe = cma_text_sanitize (kept, G_MAXSIZE);

    return g_strdup_printf ("%s %s%s" REDACTED, safe, scheme, *scheme ? " " : "");
  }
}

static void redact_node (JsonNode *node);

/* Members are replaced, not changed in place: json_node_init_string()
 * on a value node uses the value it has just freed (json-glib 1.6). */
static void
redact_object (JsonObject *object)
{
  g_autoptr (GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      /* Replacing a member frees its old name. */
      g_autofree char *name = g_strdup (l->data);

      if (g_ascii_strcasecmp (name, "token") == 0)
        json_object_set_string_member (object, name, REDACTED);
      else
        redact_node (json_object_get_member (object, name));
    }
}

static void
redact_element (JsonArray *array, guint index, JsonNode *node, gpointer user_data)
{
  redact_node (node);
}

/* Depth is bounded: the node came from cma_json_parse_bounded(). */
static void
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    redact_object (json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    json_array_foreach_element (json_node_get_array (node), redact_element, NULL);
}

/* @data as redacted compact JSON, or NULL when it does not parse. */
static char *
redact_json (const char *data, gsize len)
{
  g_autoptr (JsonNode) root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL);
  g_autoptr (JsonGenerator) gen = NULL;

  if (root == NULL)
    return NULL;
  redact_node (root);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Whether text that is not JSON may still spell a "token" key. */
static gboolean
may_hold_token (const char *data, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    if ((data[i] == '\\' && (data[i + 1] == 'u' || data[i + 1] == 'U')) ||
        (i + 4 <= len && g_ascii_strncasecmp (data + i, "oken", 4) == 0))
      return TRUE;
  return FALSE;
}

static char *
body_text (const char *data, gsize len)
{
  g_autofree char *json = redact_json (data, len);
  g_autofree char *raw = NULL;

  if (json != NULL)
    return cma_text_sanitize (json, CMA_REDACT_MAX_BODY);
  if (may_hold_token (data, len))
    return g_strdup_printf ("[%" G_GSIZE_FORMAT " bytes withheld: not JSON, may hold a token]",
                            len);
  /* NUL ends the text here; the body is shown for its gist only. */
  raw = g_strndup (data, MIN (len, 4 * CMA_REDACT_MAX_BODY));
  return g_strdup (raw);
}

char **
cma_redact_body (const char *prefix, const char *data, gsize len)
{
  g_autofree char *text = body_text (data, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  gsize shown = 0;

  for (guint i = 0; lines[i] != NULL && shown < CMA_REDACT_MAX_BODY; i++)
    {
      g_autofree char *safe = NULL;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      safe = cma_text_sanitize (lines[i], CMA_REDACT_MAX_BODY - shown);
      shown += strlen (safe);
      g_ptr_array_add (out, g_strconcat (prefix, safe, NULL));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
