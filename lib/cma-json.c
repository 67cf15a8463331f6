/* SPDX-License-Identifier: MIT */
/* cma-json.c: bounded parsing of untrusted JSON. */
#include "config.h"

#include "cma-error.h"
#include "cma-json.h"
#include "cma-time.h"

guint
cma_json_depth (const char *data, gsize len, guint limit)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  guint depth = 0;
  guint deepest = 0;

  /* A bracket inside a string is text, and a quote after a backslash
   * does not end the string: otherwise "\"[[[" would hide real nesting. */
  for (gsize i = 0; i < len && deepest <= limit; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

JsonNode *
cma_json_parse_bounded (const char *data, gsize len, guint max_depth, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (cma_json_depth (data, len, max_depth) > max_depth)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "nested deeper than %u levels", max_depth);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) len, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "%s", local_error->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL)
    g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "empty document");
  return root;
}

gboolean
cma_json_holds (JsonNode *node, GType type)
{
  return node != NULL && json_node_get_value_type (node) == type;
}

/* @name's node if it holds a value of @type. */
static JsonNode *
member_of_type (JsonObject *object, const char *name, GType type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return cma_json_holds (node, type) ? node : NULL;
}

const char *
cma_json_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = member_of_type (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gboolean
cma_json_int_member (JsonObject *object, const char *name, gint64 *out)
{
  JsonNode *node = member_of_type (object, name, G_TYPE_INT64);

  if (node == NULL)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

JsonArray *
cma_json_array_member (JsonObject *object, const char *name)
{
  JsonNode *node = member_of_type (object, name, JSON_TYPE_ARRAY);

  return node != NULL ? json_node_get_array (node) : NULL;
}

void
cma_json_add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
cma_json_add_instant (JsonBuilder *b, const char *name, gboolean known, CmaInstant instant)
{
  g_autofree char *iso = known ? cma_time_format_iso (instant) : NULL;

  cma_json_add_string (b, name, iso);
}
