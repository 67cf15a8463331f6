/* SPDX-License-Identifier: MIT */
/* test-redact.c: what -vv traces may show of a request or an answer. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "cma-http.h"
#include "cma-redact.h"

static const struct {
  const char *line;
  const char *expected;
} header_cases[] = {
  { "> Authorization: Basic YWRtaW46c2VjcmV0", "> Authorization: Basic [REDACTED]" },
  { "> Authorization: Bearer NjQ0OTc2ODk4", "> Authorization: Bearer [REDACTED]" },
  { "> authorization: bearer x", "> authorization: bearer [REDACTED]" },
  /* No known scheme: the whole value goes. */
  { "> Authorization: NjQ0OTc2ODk4", "> Authorization: [REDACTED]" },
  { "> Proxy-Authorization: Basic Zm9vOmJhcg==", "> Proxy-Authorization: Basic [REDACTED]" },
  { "< Set-Cookie: JSESSIONID=ABC123; Path=/", "< Set-Cookie: [REDACTED]" },
  { "> Cookie: seraph.rememberme.cookie=1", "> Cookie: [REDACTED]" },
  /* Everything else passes, control characters and invalid UTF-8 escaped
   * (the UTF-8 regexes once read past the end of such a line). */
  { "> POST /migrations/public/v1/token HTTP/1.1", "> POST /migrations/public/v1/token HTTP/1.1" },
  { "< X-AUSERNAME: admin", "< X-AUSERNAME: admin" },
  { "< Content-Type: \033]0;pwned\007", "< Content-Type: \\x1B]0;pwned\\x07" },
  { "< X: {\"token\":\"\xff", "< X: {\"token\":\"\\xFF" },
  { "> Authorization: Basic \xff\xfe", "> Authorization: Basic [REDACTED]" },
};

static void
test_redact_header (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (header_cases); i++)
    {
      g_autofree char *got = cma_redact_header_line (header_cases[i].line);

      g_assert_cmpstr (got, ==, header_cases[i].expected);
    }
}

/* Every way the token leaked from -vv traces (issue 12): each body must
 * trace without SECRET anywhere. */
#define SECRET "eyJhbGciOiJIUzI1"
static const struct {
  const char *body;
  const char *expected; /* the one trace line, or NULL: any without SECRET */
} body_cases[] = {
  { "{\"cloudUrl\":\"https://acme.atlassian.net\",\"token\":\"" SECRET "\"}",
    "<< {\"cloudUrl\":\"https://acme.atlassian.net\",\"token\":\"[REDACTED]\"}" },
  { "{\"uri\":\"u\", \"token\" : \"" SECRET "\", \"cloudUrl\":\"c\"}",
    "<< {\"uri\":\"u\",\"token\":\"[REDACTED]\",\"cloudUrl\":\"c\"}" },
  /* Pretty-printed. */
  { "{\n  \"token\" :\n    \"" SECRET "\"\n}\n", "<< {\"token\":\"[REDACTED]\"}" },
  /* An escaped quote inside the value. */
  { "{\"token\":\"ab\\\"" SECRET "\"}", "<< {\"token\":\"[REDACTED]\"}" },
  /* An escaped key. */
  { "{\"\\u0074oken\":\"" SECRET "\"}", "<< {\"token\":\"[REDACTED]\"}" },
  /* Not a string, nested, or any case. */
  { "{\"a\":[{\"Token\":{\"v\":\"" SECRET "\"}}]}", "<< {\"a\":[{\"Token\":\"[REDACTED]\"}]}" },
  /* Cut or malformed JSON that may hold a token is withheld. */
  { "{\"uri\":\"u\",\"token\":\"" SECRET, NULL },
  { "{\"\\u0074oken\":\"" SECRET, NULL },
  { "{\"token\":\"\xff" SECRET "\"", NULL },
  /* Everything else is shown. */
  { "<html><body>Forbidden</body></html>\n", "<< <html><body>Forbidden</body></html>" },
  { "{\"message\":\"Token saved successfully.\"}",
    "<< {\"message\":\"Token saved successfully.\"}" },
};

static void
test_redact_body (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (body_cases); i++)
    {
      g_auto (GStrv) lines =
          cma_redact_body ("<< ", body_cases[i].body, strlen (body_cases[i].body));
      g_autofree char *all = g_strjoinv ("\n", lines);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, all);
      g_assert_null (strstr (all, SECRET));
      if (body_cases[i].expected != NULL)
        g_assert_cmpstr (all, ==, body_cases[i].expected);
    }
}

/* A 900 KB token, which libcurl hands over in many chunks: the body is
 * redacted whole, so no chunk shows a piece of it. */
static void
test_redact_huge_token (void)
{
  g_autofree char *token = g_strnfill (900 * 1024, 'Q');
  g_autofree char *body = g_strdup_printf ("{\"cloudUrl\":\"c\",\"token\":\"%s\"}", token);
  g_auto (GStrv) lines = cma_redact_body ("<< ", body, strlen (body));
  g_autofree char *all = g_strjoinv ("\n", lines);

  g_assert_cmpstr (all, ==, "<< {\"cloudUrl\":\"c\",\"token\":\"[REDACTED]\"}");
}

static void
test_redact_long_body (void)
{
  g_autofree char *page = g_strnfill (100000, 'x');
  g_auto (GStrv) lines = cma_redact_body ("<< ", page, strlen (page));

  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpuint (strlen (lines[0]), <=, 3 + CMA_REDACT_MAX_BODY + 3);
}

static void
test_basic_auth (void)
{
  g_autofree char *header = cma_http_basic_auth ("admin@example.com", "s3cret");

  /* base64("admin@example.com:s3cret") */
  g_assert_cmpstr (header, ==, "Basic YWRtaW5AZXhhbXBsZS5jb206czNjcmV0");
}

/* The run's secrets, by value, in every form a peer may quote them. */
static char *
redact_with (CmaSecrets *secrets, guint scopes, const char *text)
{
  return cma_secrets_redact (secrets, scopes, text);
}

static void
test_secrets_forms (void)
{
  g_autoptr (CmaSecrets) s = cma_secrets_new ();
  g_autofree char *basic = cma_http_basic_auth ("admin", "pa/ss+word");
  /* Base64 of "admin:pa/ss+word" and of "pa/ss+word". */
  const char *pair_b64 = basic + strlen ("Basic ");
  g_autofree char *pw_b64 = g_base64_encode ((const guchar *) "pa/ss+word", 10);
  g_autofree char *quoted =
      g_strdup_printf ("[%s] [%s] [admin:pa/ss+word] [pa/ss+word] [%s]", basic, pair_b64, pw_b64);
  g_autofree char *got = NULL;
  g_autofree char *escaped = NULL;

  cma_secrets_add_authorization (s, CMA_SECRETS_ALL_SCOPES, basic);
  got = redact_with (s, 1, quoted);
  g_assert_cmpstr (got, ==, "[[REDACTED]] [[REDACTED]] [[REDACTED]] [[REDACTED]] [[REDACTED]]");
  /* JSON's "\/" for "/", and the secret inside other text. */
  escaped = redact_with (s, 1, "{\"m\":\"bad pa\\/ss+word!\"}");
  g_assert_cmpstr (escaped, ==, "{\"m\":\"bad [REDACTED]!\"}");
}

static void
test_secrets_bearer_scopes (void)
{
  g_autoptr (CmaSecrets) s = cma_secrets_new ();
  g_autofree char *bearer = NULL;
  g_autofree char *other_side = NULL;
  g_autofree char *none = NULL;
  g_autofree char *plain = NULL;

  cma_secrets_add_authorization (s, CMA_SECRETS_ALL_SCOPES, "Bearer NjQ0OTc2ODk4");
  cma_secrets_add (s, 1u << 2, "auth-token-1234");
  bearer = redact_with (s, 1u << 1, "h2h3 [authorization: Bearer NjQ0OTc2ODk4] NjQ0OTc2ODk4");
  g_assert_cmpstr (bearer, ==, "h2h3 [authorization: [REDACTED]] [REDACTED]");
  /* A secret of another scope stays: the cloud may issue a token again. */
  other_side = redact_with (s, 1u << 1, "token auth-token-1234");
  g_assert_cmpstr (other_side, ==, "token auth-token-1234");
  g_clear_pointer (&other_side, g_free);
  other_side = redact_with (s, 1u << 2, "token auth-token-1234");
  g_assert_cmpstr (other_side, ==, "token [REDACTED]");
  /* Without secrets, or nothing matching: the text as it was. */
  none = cma_secrets_redact (NULL, 1, "as it was");
  g_assert_cmpstr (none, ==, "as it was");
  plain = redact_with (s, CMA_SECRETS_ALL_SCOPES, "NjQ0OTc2ODk");
  g_assert_cmpstr (plain, ==, "NjQ0OTc2ODk");
  g_clear_pointer (&plain, g_free);
  plain = redact_with (s, CMA_SECRETS_ALL_SCOPES, "");
  g_assert_cmpstr (plain, ==, "");
}

/* Bytes with NUL pass; a replacement is never matched again. */
static void
test_secrets_bytes (void)
{
  g_autoptr (CmaSecrets) s = cma_secrets_new ();
  static const char data[] = "x\0sekrit\0y";
  g_autoptr (GBytes) out = NULL;
  gsize len;
  const char *got;

  cma_secrets_add (s, 1, "sekrit");
  cma_secrets_add (s, 1, "DACT");
  out = cma_secrets_redact_bytes (s, 1, data, sizeof data - 1);
  got = g_bytes_get_data (out, &len);
  g_assert_cmpmem (got, len, "x\0[REDACTED]\0y", 14);
  /* An empty answer, as libcurl hands it over (NULL): empty, and no
   * arithmetic on the null pointer (UBSan's "zero offset", found by the
   * api fuzz target; tests/fuzz/regress/api/empty-503-body). */
  g_clear_pointer (&out, g_bytes_unref);
  out = cma_secrets_redact_bytes (s, 1, NULL, 0);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/redact/header", test_redact_header);
  g_test_add_func ("/redact/body", test_redact_body);
  g_test_add_func ("/redact/huge-token", test_redact_huge_token);
  g_test_add_func ("/redact/long-body", test_redact_long_body);
  g_test_add_func ("/http/basic-auth", test_basic_auth);
  g_test_add_func ("/secrets/forms", test_secrets_forms);
  g_test_add_func ("/secrets/bearer-scopes", test_secrets_bearer_scopes);
  g_test_add_func ("/secrets/bytes", test_secrets_bytes);
  return g_test_run ();
}
