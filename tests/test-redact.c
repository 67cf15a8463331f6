/* test-redact.c: what -vv traces may show of a request or an answer. */
#include "config.h"

#include <glib.h>

#include "cma-http.h"

static const struct {
  const char *line;
  const char *expected;
} cases[] = {
  { "> Authorization: Basic YWRtaW46c2VjcmV0", "> Authorization: Basic [REDACTED]" },
  { "> Authorization: Bearer NjQ0OTc2ODk4", "> Authorization: Bearer [REDACTED]" },
  { "> authorization: bearer x", "> authorization: bearer [REDACTED]" },
  /* No known scheme: the whole value goes. */
  { "> Authorization: NjQ0OTc2ODk4", "> Authorization: [REDACTED]" },
  { "> Proxy-Authorization: Basic Zm9vOmJhcg==", "> Proxy-Authorization: Basic [REDACTED]" },
  { "< Set-Cookie: JSESSIONID=ABC123; Path=/", "< Set-Cookie: [REDACTED]" },
  { "> Cookie: seraph.rememberme.cookie=1", "> Cookie: [REDACTED]" },
  { ">> {\"cloudUrl\":\"https://acme.atlassian.net\",\"token\":\"eyJhbGci\"}",
    ">> {\"cloudUrl\":\"https://acme.atlassian.net\",\"token\":\"[REDACTED]\"}" },
  { "<< {\"uri\":\"u\", \"token\" : \"abc\", \"cloudUrl\":\"c\"}",
    "<< {\"uri\":\"u\", \"token\" : \"[REDACTED]\", \"cloudUrl\":\"c\"}" },
  /* Cut by the trace's length limit inside the value. */
  { "<< {\"uri\":\"u\",\"token\":\"eyJhbGciOiJIUzI1", "<< {\"uri\":\"u\",\"token\":\"[REDACTED]" },
  /* Everything else passes unchanged. */
  { "> POST /migrations/public/v1/token HTTP/1.1", "> POST /migrations/public/v1/token HTTP/1.1" },
  { "< X-AUSERNAME: admin", "< X-AUSERNAME: admin" },
  { "<< {\"message\":\"Token saved successfully.\"}",
    "<< {\"message\":\"Token saved successfully.\"}" },
};

static void
test_redact (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = cma_http_redact (cases[i].line);

      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

static void
test_basic_auth (void)
{
  g_autofree char *header = cma_http_basic_auth ("admin@example.com", "s3cret");

  /* base64("admin@example.com:s3cret") */
  g_assert_cmpstr (header, ==, "Basic YWRtaW5AZXhhbXBsZS5jb206czNjcmV0");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/redact", test_redact);
  g_test_add_func ("/http/basic-auth", test_basic_auth);
  return g_test_run ();
}
