/* SPDX-License-Identifier: MIT */
/* test-text.c: escaping and bounding server-provided text. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "cma-text.h"

static const struct {
  const char *in;
  gsize max;
  const char *out;
} cases[] = {
  { "https://acme.atlassian.net/", 200, "https://acme.atlassian.net/" },
  { "caf\xc3\xa9", 200, "caf\xc3\xa9" },
  /* Clear screen, set title, forge a line. */
  { "\033[2J\033]0;pwned\007\rprod: renewed\n", 200,
    "\\x1B[2J\\x1B]0;pwned\\x07\\x0Dprod: renewed\\x0A" },
  { "a\x7f"
    "b",
    200, "a\\x7Fb" },
  /* U+009B is CSI for some terminals. */
  { "a\xc2\x9b"
    "b",
    200, "a\\xC2\\x9Bb" },
  /* Invalid UTF-8, byte by byte. */
  { "\xff\xfe"
    "ok",
    200, "\\xFF\\xFEok" },
  { "\xe2\x82", 200, "\\xE2\\x82" },
  /* Cut, never inside a character or an escape, and marked in ASCII. */
  { "abcdef", 4, "abcd..." },
  { "ab\033cd", 4, "ab..." },
  { "ab\xc3\xa9", 3, "ab..." },
};

static void
test_text_sanitize (void)
{
  g_assert_null (cma_text_sanitize (NULL, 10));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = cma_text_sanitize (cases[i].in, cases[i].max);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpstr (got, ==, cases[i].out);
      g_assert_false (cma_text_has_control (got));
    }
}

static void
test_text_long (void)
{
  g_autofree char *huge = g_strnfill (128 * 1024, 'x');
  g_autofree char *got = cma_text_sanitize (huge, CMA_TEXT_SHORT);

  g_assert_cmpuint (strlen (got), ==, CMA_TEXT_SHORT + strlen ("..."));
}

static void
test_text_has_control (void)
{
  g_assert_false (cma_text_has_control ("plain token-._~"));
  g_assert_true (cma_text_has_control ("tab\there"));
  g_assert_true (cma_text_has_control ("esc\033"));
  g_assert_true (cma_text_has_control ("\xff"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text/sanitize", test_text_sanitize);
  g_test_add_func ("/text/long", test_text_long);
  g_test_add_func ("/text/has-control", test_text_has_control);
  return g_test_run ();
}
