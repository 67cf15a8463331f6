/* SPDX-License-Identifier: MIT */
/* test-answer.c: a peer's message in an error, cut and made safe. */
#include "config.h"

#include <string.h>

#include "cma-answer.h"

static CmaHttpResponse *
response (long status, const char *content_type, const char *body)
{
  CmaHttpResponse *r = g_new0 (CmaHttpResponse, 1);

  r->status = status;
  r->content_type = g_strdup (content_type);
  r->body = g_bytes_new (body, strlen (body));
  r->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return r;
}

static char *
message_of (const char *content_type, const char *body)
{
  g_autoptr (CmaHttpResponse) r = response (403, content_type, body);

  return cma_answer_message (r);
}

static void
test_answer_sources (void)
{
  g_autofree char *basic =
      message_of ("application/json",
                  "{\"message\":\"Basic Authentication has been disabled on this instance.\"}");
  g_autofree char *jira = message_of (
      "application/json", "{\"errorMessages\":[\"You are not an admin\"],\"errors\":{}}");
  g_autofree char *cloud =
      message_of ("application/json", "{\"code\":401,\"error\":\"Unauthorized\"}");
  g_autofree char *text = message_of ("text/plain", "Exception in saving token.\n");
  g_autofree char *html = message_of ("text/html", "<html><body>Log in</body></html>");
  g_autofree char *none = message_of ("application/json", "{\"status\":403}");
  g_autofree char *binary = message_of ("text/plain", "");

  g_assert_cmpstr (basic, ==, "Basic Authentication has been disabled on this instance.");
  g_assert_cmpstr (jira, ==, "You are not an admin");
  g_assert_cmpstr (cloud, ==, "Unauthorized");
  g_assert_cmpstr (text, ==, "Exception in saving token.");
  g_assert_null (html);
  g_assert_null (none);
  g_assert_null (binary);
}

static void
test_answer_clean (void)
{
  g_autofree char *forged = cma_answer_clean ("ok\n\033[31mjcma-token: renewed\r\n", 160);
  g_autofree char *long_text = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *exact = cma_answer_clean ("abcde", 5);
  g_autofree char *invalid = cma_answer_clean ("caf\xc3", 160);
  g_autofree char *blank = cma_answer_clean (" \t\n ", 160);

  /* Line breaks and escapes become spaces: no forged log line, no colour. */
  g_assert_cmpstr (forged, ==, "ok [31mjcma-token: renewed");
  long_text = g_strnfill (500, 'x');
  cut = cma_answer_clean (long_text, 160);
  g_assert_cmpuint (strlen (cut), ==, 160 + 3);
  g_assert_true (g_str_has_suffix (cut, "x..."));
  g_assert_cmpstr (exact, ==, "abcde");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_true (g_str_has_prefix (invalid, "caf"));
  g_assert_null (blank);
}

static void
test_answer_suffix (void)
{
  g_autoptr (CmaHttpResponse) said = response (500, "text/plain", "Boom");
  g_autoptr (CmaHttpResponse) quiet = response (500, "text/html", "<p>Boom</p>");
  g_autofree char *a = cma_answer_suffix (said);
  g_autofree char *b = cma_answer_suffix (quiet);

  g_assert_cmpstr (a, ==, "; it said \"Boom\"");
  g_assert_cmpstr (b, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/answer/sources", test_answer_sources);
  g_test_add_func ("/answer/clean", test_answer_clean);
  g_test_add_func ("/answer/suffix", test_answer_suffix);
  return g_test_run ();
}
