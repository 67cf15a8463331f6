/* SPDX-License-Identifier: MIT */
/* test-json.c: bounded parsing of untrusted JSON. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "cma-error.h"
#include "cma-json.h"

/* "[[[ ... ]]]" @depth levels deep. */
static char *
nested (gsize depth)
{
  char *text = g_malloc (2 * depth + 1);

  memset (text, '[', depth);
  memset (text + depth, ']', depth);
  text[2 * depth] = '\0';
  return text;
}

static void
test_json_depth (void)
{
  g_autofree char *deep = nested (100000);
  g_autofree char *fine = nested (CMA_JSON_MAX_DEPTH);
  g_autofree char *over = nested (CMA_JSON_MAX_DEPTH + 1);

  g_assert_cmpuint (cma_json_depth ("{\"a\":[1,{\"b\":2}]}", 17, 64), ==, 3);
  /* Brackets in strings are text, escaped quotes do not end strings. */
  g_assert_cmpuint (cma_json_depth ("[\"[[[\\\"[[\"]", 11, 64), ==, 1);
  /* Counting stops past the limit. */
  g_assert_cmpuint (cma_json_depth (deep, strlen (deep), 10), ==, 11);
  g_assert_cmpuint (cma_json_depth (fine, strlen (fine), 64), ==, CMA_JSON_MAX_DEPTH);
  g_assert_cmpuint (cma_json_depth (over, strlen (over), 64), ==, CMA_JSON_MAX_DEPTH + 1);
}

static void
test_json_too_deep (void)
{
  g_autofree char *deep = nested (100000);
  g_autofree char *fine = nested (CMA_JSON_MAX_DEPTH);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;

  /* 100,000 levels overflowed json-glib's recursive parser (SIGSEGV). */
  root = cma_json_parse_bounded (deep, strlen (deep), CMA_JSON_MAX_DEPTH, &error);
  g_assert_null (root);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "nested deeper than 64 levels"));
  g_clear_error (&error);

  root = cma_json_parse_bounded (fine, strlen (fine), CMA_JSON_MAX_DEPTH, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
}

/* Each of these used to "parse" to no root: json-glib then criticals on
 * every accessor (fatal in a test). */
static void
test_json_empty (void)
{
  static const char *const empty[] = { "", "   \n\t", "/* nothing */", " /* a */\n/**/" };

  for (gsize i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root =
          cma_json_parse_bounded (empty[i], strlen (empty[i]), CMA_JSON_MAX_DEPTH, &error);

      g_assert_null (root);
      g_assert_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL);
      g_assert_cmpstr (error->message, ==, "empty document");
    }
}

static void
test_json_valid (void)
{
  static const char text[] = "{\"token\":\"abc\",\"n\":[1,2]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root =
      cma_json_parse_bounded (text, strlen (text), CMA_JSON_MAX_DEPTH, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "token"), ==, "abc");
  /* Malformed (json-glib knows no // comments): json-glib's own message. */
  g_assert_null (cma_json_parse_bounded ("// x\n", 5, CMA_JSON_MAX_DEPTH, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (cma_json_parse_bounded ("{\"a\":", 5, CMA_JSON_MAX_DEPTH, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/too-deep", test_json_too_deep);
  g_test_add_func ("/json/empty", test_json_empty);
  g_test_add_func ("/json/valid", test_json_valid);
  return g_test_run ();
}
