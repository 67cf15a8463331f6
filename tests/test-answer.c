/* SPDX-License-Identifier: MIT */
/* test-answer.c: a peer's message in an error, cut and made safe. */
#include "config.h"

#include <string.h>

#include "cma-api-answer.h"
#include "cma-api-check.h"
#include "cma-json.h"

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

/* A peer's message is escaped as every other server text is
 * (cma_text_sanitize), not flattened into spaces: the man page promises
 * \xNN. */
static void
test_answer_escaped (void)
{
  g_autofree char *forged = message_of ("text/plain", "ok\n\033[31mjcma-token: renewed\r\n");
  g_autofree char *json =
      message_of ("application/json", "{\"message\":\"a\\u001b]0;pwned\\u0007 b\\\\c\"}");
  g_autofree char *invalid = message_of ("text/plain", "caf\xc3");
  g_autofree char *blank = message_of ("text/plain", " \t\n ");

  /* No forged log line, no colour; the final line break is not shown. */
  g_assert_cmpstr (forged, ==, "ok\\x0A\\x1B[31mjcma-token: renewed");
  g_assert_cmpstr (json, ==, "a\\x1B]0;pwned\\x07 b\\\\c");
  g_assert_cmpstr (invalid, ==, "caf\\xC3");
  g_assert_null (blank);
}

/* Cut at CMA_ANSWER_MAX bytes, never inside a character, then "...". */
static void
test_answer_cut (void)
{
  g_autofree char *ascii = g_strnfill (500, 'x');
  g_autoptr (GString) accents = g_string_new (NULL);
  g_autofree char *cut = message_of ("text/plain", ascii);
  g_autofree char *cut_accents = NULL;

  g_assert_cmpuint (strlen (cut), ==, CMA_ANSWER_MAX + strlen ("..."));
  g_assert_true (g_str_has_suffix (cut, "x..."));
  for (guint i = 0; i < 101; i++)
    g_string_append (accents, "\xc3\xa9");
  cut_accents = message_of ("text/plain", accents->str);
  g_assert_cmpuint (strlen (cut_accents), ==, CMA_ANSWER_MAX + strlen ("..."));
  g_assert_true (g_str_has_suffix (cut_accents, "\xc3\xa9..."));
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

/* A JSON string may spell a secret in escapes the raw body does not
 * match: the decoded message is redacted too. */
static void
test_answer_redacted (void)
{
  g_autoptr (CmaHttpResponse) r = response (
      401, "application/json", "{\"message\":\"bad Bearer \\u0073ecret-PAT-42 for you\"}");
  g_autofree char *said = NULL;

  r->side = CMA_SIDE_SERVER;
  r->secrets = cma_secrets_new ();
  cma_secrets_add_authorization (r->secrets, CMA_SECRETS_ALL_SCOPES, "Bearer secret-PAT-42");
  said = cma_answer_message (r);
  g_assert_cmpstr (said, ==, "bad [REDACTED] for you");
}

/* The assistant's verdict is kept in the facts and shown by status: a
 * message or task id spelling a secret in JSON escapes is redacted too. */
static void
test_answer_check_redacted (void)
{
  static const char body[] =
      "{\"data\":{\"status\":\"FINISHED\",\"outcome\":\"FAILED\",\"message\":\"m\","
      "\"children\":{\"K\":{\"outcome\":\"FAILED\","
      "\"message\":\"bad Basic \\u0061dmin-b64 for \\u0073ecret-token\"}}}}";
  g_autoptr (CmaHttpResponse) r = response (200, "application/json", body);
  g_autoptr (JsonNode) root = cma_json_parse_bounded (body, strlen (body), 8, NULL);
  g_auto (CmaTokenCheck) check = { NULL };

  r->side = CMA_SIDE_CLOUD;
  r->secrets = cma_secrets_new ();
  cma_secrets_add_authorization (r->secrets, CMA_SECRETS_ALL_SCOPES, "Basic admin-b64");
  cma_secrets_add (r->secrets, CMA_SECRETS_ALL_SCOPES, "secret-token");
  g_assert_nonnull (root);
  g_assert_true (cma_token_check_read (r, json_node_get_object (root), "K", &check));
  g_assert_cmpstr (check.outcome, ==, "FAILED");
  g_assert_cmpstr (check.message, ==, "bad [REDACTED] for [REDACTED]");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/answer/sources", test_answer_sources);
  g_test_add_func ("/answer/escaped", test_answer_escaped);
  g_test_add_func ("/answer/cut", test_answer_cut);
  g_test_add_func ("/answer/suffix", test_answer_suffix);
  g_test_add_func ("/answer/check-redacted", test_answer_check_redacted);
  g_test_add_func ("/answer/redacted", test_answer_redacted);
  return g_test_run ();
}
