/* SPDX-License-Identifier: MIT */
/* fuzz-redact.c: the redaction of -vv traces (cma-redact.h): the input as
 * a whole body (cma_redact_body, as the trace shows a completed transfer)
 * with a leak oracle, the value of any "token" member of a JSON input must
 * not survive; and each of its lines as a header line. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "cma-redact.h"
#include "fuzz.h"

/* json-glib's parser recurses: keep the oracle itself off deep input. */
#define ORACLE_MAX_BRACKETS 512

/* Occurrences of @needle in @haystack, overlapping ones included. */
static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

/* Each run of 4+ letters and digits of @value that occurs once in @input
 * occurs only inside the value: seeing it in @output is a leak. */
static void
check_value (const char *value, const char *input, const char *output)
{
  const char *p = value;

  while (*p != '\0')
    {
      gsize len = 0;

      while (g_ascii_isalnum (p[len]))
        len++;
      if (len >= 4)
        {
          g_autofree char *run = g_strndup (p, len);

          if (count (input, run) == 1 && strstr (output, run) != NULL)
            abort ();
        }
      p += len > 0 ? len : 1;
    }
}

static void check_node (JsonNode *node, const char *input, const char *output);

static void
check_member (JsonObject *obj, const char *name, JsonNode *node, gpointer user_data)
{
  const char *const *io = user_data;

  if (strcmp (name, "token") == 0 && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    check_value (json_node_get_string (node), io[0], io[1]);
  check_node (node, io[0], io[1]);
}

static void
check_node (JsonNode *node, const char *input, const char *output)
{
  const char *io[] = { input, output };

  if (JSON_NODE_HOLDS_OBJECT (node))
    json_object_foreach_member (json_node_get_object (node), check_member, io);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      check_node (json_array_get_element (json_node_get_array (node), i), input, output);
}

static guint
brackets (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '[' || *p == '{';
  return n;
}

/* Redact @data as the trace does: the body whole, then every line of it
 * as a header line too (those have no oracle: crashes only). */
static char *
redact (const uint8_t *data, size_t size, const char *text)
{
  g_auto (GStrv) body = cma_redact_body ("< ", (const char *) data, size);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; body != NULL && body[i] != NULL; i++)
    {
      g_string_append (out, body[i]);
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *redacted = cma_redact_header_line (lines[i]);

      if (redacted == NULL)
        abort ();
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The trace copies what libcurl hands it with g_strndup, as here. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *output = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GString) bare = NULL;
  JsonNode *root;

  fuzz_make_logs_fatal ();
  output = redact (data, size, text);
  if (brackets (text) > ORACLE_MAX_BRACKETS ||
      !json_parser_load_from_data (parser, text, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return 0;
  /* The marker itself is not a leak. */
  bare = g_string_new (output);
  g_string_replace (bare, "[REDACTED]", "", 0);
  check_node (root, text, bare->str);
  return 0;
}
