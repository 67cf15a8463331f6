/* SPDX-License-Identifier: MIT */
/* test-json-pretty.c: JSON text without binary-fraction noise. */
#include "config.h"

#include <math.h>

#include "cma-json-pretty.h"

static char *
pretty_double (double d)
{
  g_autoptr (JsonNode) node = json_node_init_double (json_node_alloc (), d);

  return cma_json_pretty (node);
}

static void
test_json_pretty_doubles (void)
{
  static const struct {
    double value;
    const char *text;
  } cases[] = {
    { 3.2, "3.2" },
    { 3.1869, "3.1869" },
    { 0.1, "0.1" },
    { 0.30000000000000004, "0.30000000000000004" }, /* not 0.3: a different double */
    { 4.0, "4.0" },
    { 0.0, "0.0" },
    { -9.0, "-9.0" },
    { -0.9, "-0.9" },
    { 21.0, "21.0" },
    /* "%.1g" reads these back exactly, as 2e+01 and 1e+02: days_left of
     * a fresh token, in status -o json, was "2e+01". */
    { 20.0, "20.0" },
    { -20.0, "-20.0" },
    { 100.0, "100.0" },
    { 3000.0, "3000.0" },
    { 1e16, "10000000000000000.0" },
    { 1e17, "1e+17" },
    { 1e-5, "1e-05" },
    { 1e300, "1e+300" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pretty_double (cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, cases[i].value);
    }
  {
    g_autofree char *text = pretty_double (NAN);
    g_assert_cmpstr (text, ==, "null");
  }
}

/* The layout json-glib's pretty generator uses, so output does not change
 * for anything but doubles. (Not an empty object inside another: json-glib
 * 1.6 writes "{    }" there, where this writes "{}".) */
static void
test_json_pretty_layout (void)
{
  static const char *const documents[] = {
    "{\"state\":\"OK\",\"n\":3,\"ok\":true,\"no\":false,\"none\":null,"
    "\"list\":[{\"a\":\"x\\\"y\\n\\u00e9\"},[]],\"empty\":[]}",
    "[]",
    "{}",
    "[1,\"two\",[3]]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *expected = NULL;
      g_autofree char *text = NULL;

      g_assert_true (json_parser_load_from_data (parser, documents[i], -1, NULL));
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, json_parser_get_root (parser));
      expected = json_generator_to_data (gen, NULL);
      text = cma_json_pretty (json_parser_get_root (parser));
      g_assert_cmpstr (text, ==, expected);
    }
}

/* Strings are escaped as json-glib's generator escapes them, every byte
 * alike (control characters, quote, backslash, DEL, UTF-8). */
static void
test_json_pretty_strings (void)
{
  static const char *const texts[] = { "", "caf\xc3\xa9 \xe2\x98\x83", "\xe2\x80\xa8",
                                       "\\u0041 \"q\" /slash/" };

  for (guint c = 1; c < 256 + G_N_ELEMENTS (texts); c++)
    {
      char byte[] = { 'a', (char) c, 'b', '\0' };
      const char *text = c < 256 ? byte : texts[c - 256];
      g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), text);
      g_autofree char *expected = json_to_string (node, FALSE);
      g_autoptr (GString) got = g_string_new (NULL);

      cma_json_pretty_append_string (got, text);
      g_test_message ("byte 0x%02x / text %u", c, c);
      g_assert_cmpstr (got->str, ==, expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-pretty/doubles", test_json_pretty_doubles);
  g_test_add_func ("/json-pretty/layout", test_json_pretty_layout);
  g_test_add_func ("/json-pretty/strings", test_json_pretty_strings);

  return g_test_run ();
}
