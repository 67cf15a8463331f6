/* SPDX-License-Identifier: MIT */
/* cma-json-pretty.c: json-glib 1.6 writes every double with "%.17g",
 * which turns the 3.2 a rounding produced into 3.2000000000000002. The
 * values are fine; only their text is noisy, so this writes the text. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cma-json-pretty.h"

static void append_node (GString *out, JsonNode *node, guint depth);

/* A control character (never NUL): the five with a short escape, the
 * rest as \u00xx in lower case. */
static void
append_control (GString *out, char c)
{
  static const char controls[] = "\b\f\n\r\t";
  const char *hit = strchr (controls, c);

  if (hit != NULL)
    {
      g_string_append_c (out, '\\');
      g_string_append_c (out, "bfnrt"[hit - controls]);
    }
  else
    g_string_append_printf (out, "\\u00%.2x", (guint) (guchar) c);
}

/* The shortest "%.Ng" that reads back as @d (17 digits always do) and
 * writes a number of days or seconds as people do: "%.1g" reads 20.0
 * back exactly, as "2e+01", which a reader of days_left should never see.
 * Below 1e17 a precision above the exponent gives the plain form; "%g"
 * keeps exponents only for the very small or very large. */
static void
append_double (GString *out, double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (d))
    {
      g_string_append (out, "null");
      return;
    }
  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, d);
      if (g_ascii_strtod (buf, NULL) == d &&
          (strpbrk (buf, "eE") == NULL || fabs (d) < 1.0 || fabs (d) >= 1e17))
        break;
    }
  g_string_append (out, buf);
  /* Still a double for readers that look at the text: 4.0, not 4. */
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

/* Strings, escaped byte for byte as json-glib 1.6's generator does
 * (tests/test-json-pretty.c compares every byte with it): a generator per
 * string cost history most of its time. Its quirks are kept, so output
 * stays what it was: 0x1F is not escaped, DEL is. */
void
cma_json_pretty_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if ((c > 0 && c < 0x1f) || c == 0x7f)
        append_control (out, c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static void
append_value (GString *out, JsonNode *node)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      append_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
    default:
      cma_json_pretty_append_string (out, json_node_get_string (node));
      break;
    }
}

static void
indent (GString *out, guint depth)
{
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
append_object (GString *out, JsonObject *object, guint depth)
{
  g_autoptr (GList) members = json_object_get_members (object);

  if (members == NULL)
    {
      g_string_append (out, "{}");
      return;
    }
  g_string_append (out, "{\n");
  for (GList *l = members; l != NULL; l = l->next)
    {
      indent (out, depth + 1);
      cma_json_pretty_append_string (out, l->data);
      g_string_append (out, " : ");
      append_node (out, json_object_get_member (object, l->data), depth + 1);
      g_string_append (out, l->next != NULL ? ",\n" : "\n");
    }
  indent (out, depth);
  g_string_append_c (out, '}');
}

static void
append_array (GString *out, JsonArray *array, guint depth)
{
  guint n = json_array_get_length (array);

  if (n == 0)
    {
      g_string_append (out, "[]");
      return;
    }
  g_string_append (out, "[\n");
  for (guint i = 0; i < n; i++)
    {
      indent (out, depth + 1);
      append_node (out, json_array_get_element (array, i), depth + 1);
      g_string_append (out, i + 1 < n ? ",\n" : "\n");
    }
  indent (out, depth);
  g_string_append_c (out, ']');
}

static void
append_node (GString *out, JsonNode *node, guint depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node), depth);
      break;
    case JSON_NODE_ARRAY:
      append_array (out, json_node_get_array (node), depth);
      break;
    case JSON_NODE_VALUE:
      append_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
cma_json_pretty_at (JsonNode *root, guint depth)
{
  GString *out = g_string_new (NULL);

  append_node (out, root, depth);
  return g_string_free (out, FALSE);
}

char *
cma_json_pretty (JsonNode *root)
{
  return cma_json_pretty_at (root, 0);
}
