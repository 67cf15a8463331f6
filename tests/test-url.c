/* SPDX-License-Identifier: MIT */
/* test-url.c: normalising, checking and joining server and cloud URLs. */
#include "config.h"

#include <string.h>

#include "cma-error.h"
#include "cma-url.h"

static const struct {
  const char *input;
  const char *expected;
} normalized[] = {
  /* scheme and host in lower case, the path left alone */
  { "https://acme.atlassian.net", "https://acme.atlassian.net/" },
  { "https://Acme.Atlassian.NET/", "https://acme.atlassian.net/" },
  { "HTTPS://ACME.ATLASSIAN.NET", "https://acme.atlassian.net/" },
  { "HtTp://Jira.Example.com/Jira/Sub", "http://jira.example.com/Jira/Sub/" },
  /* default ports dropped, others kept */
  { "http://jira.example.com:80/", "http://jira.example.com/" },
  { "https://jira.example.com:443", "https://jira.example.com/" },
  { "http://jira.example.com:443/", "http://jira.example.com:443/" },
  { "https://jira.example.com:80/", "https://jira.example.com:80/" },
  { "https://jira.example.com:8443/", "https://jira.example.com:8443/" },
  { "http://localhost:8080", "http://localhost:8080/" },
  /* exactly one trailing slash */
  { "https://jira.example.com///", "https://jira.example.com/" },
  { "https://example.com/jira", "https://example.com/jira/" },
  { "https://example.com/jira/", "https://example.com/jira/" },
  /* Percent-encoding stays: decoded, %3F would turn into a query. */
  { "https://j.example/a%20b/%3F", "https://j.example/a%20b/%3F/" },
  { "https://j.example/a%2Fb", "https://j.example/a%2Fb/" },
  { "https://example.com/jira//", "https://example.com/jira/" },
  { "http://127.0.0.1:8090/confluence", "http://127.0.0.1:8090/confluence/" },
  { "https://example.com:8443/a/b/c///", "https://example.com:8443/a/b/c/" },
  /* IPv6 literals keep their brackets */
  { "http://[::1]:8080", "http://[::1]:8080/" },
  { "https://[2001:DB8::1]/", "https://[2001:db8::1]/" },
  { "https://[2001:db8::1]:443/jira", "https://[2001:db8::1]/jira/" },
};

static void
test_url_normalize (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (normalized); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *again = NULL;

      g_test_message ("'%s'", normalized[i].input);
      url = cma_url_normalize (normalized[i].input, "server URL", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, normalized[i].expected);

      /* Idempotent: the ledger stores normalised URLs and compares them. */
      again = cma_url_normalize (url, "server URL", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, url);
    }
}

static const struct {
  const char *input;
  const char *fragment; /* expected in the message */
} invalid[] = {
  { "ftp://example.com/", "only http:// and https://" },
  { "https://exa mple.com/", "invalid character in host name" },
  { "https://jira<x>.example.com/", "invalid character in host name" },
  { "file:///etc/passwd", "only http:// and https://" },
  { "mailto:admin@example.com", "only http:// and https://" },
  { "https://", "no host" },
  { "http:///jira", "no host" },
  { "https://admin@example.com/", "user or password" },
  { "https://admin:secret@example.com/", "user or password" },
  { "https://example.com/?os_authType=basic", "no query or fragment" },
  { "https://example.com/?", "no query or fragment" },
  { "https://example.com/#top", "no query or fragment" },
  { "https://example.com/jira#", "no query or fragment" },
  { "jira.acme.test", "no scheme: add https://" },
  { "jira.acme.test:8080/jira", "no scheme: add https://" },
  { "/jira/", "no scheme: add https://" },
  { "jira/rest", "no scheme: add https://" },
  { "https://acme.atlassian.net # prod", "a # comment must be on a line of its own" },
  { "https://acme.atlassian.net\t# prod", "a # comment must be on a line of its own" },
  { "https://[::1", "not an absolute URL" },
  { "", "empty cloud URL" },
  { NULL, "empty cloud URL" },
};

static void
test_url_normalize_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = NULL;

      g_test_message ("'%s'", invalid[i].input ? invalid[i].input : "(null)");
      url = cma_url_normalize (invalid[i].input, "cloud URL", &error);
      g_assert_null (url);
      g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, invalid[i].fragment));
      if (invalid[i].input != NULL && *invalid[i].input != '\0')
        {
          /* Names what it checked, never the value: it may come from a
           * file the caller cannot read. */
          g_assert_true (g_str_has_prefix (error->message, "invalid cloud URL: "));
          g_assert_null (strstr (error->message, invalid[i].input));
        }
    }
}

/* Credentials never go into URLs, whichever part of them is present. */
static void
test_url_userinfo_any_case (void)
{
  static const char *const urls[] = {
    "HTTPS://u:p@Example.com/",
    "http://u@localhost:8080/",
    "https://:p@example.com/",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = cma_url_normalize (urls[i], "server URL", &error);

      g_assert_null (url);
      g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
    }
}

static const struct {
  const char *url;
  gboolean loopback;
} loopback[] = {
  { "http://localhost:8080/", TRUE },
  { "http://LocalHost/", TRUE },
  { "http://127.0.0.1:8090/", TRUE },
  { "http://127.1.2.3/", TRUE },
  { "http://[::1]:8080/", TRUE },
  { "https://jira.example.com/", FALSE },
  { "http://10.0.0.1/", FALSE },
  { "http://128.0.0.1/", FALSE },
  { "http://localhost.example.com/", FALSE },
  { "http://127.example.com/", FALSE }, /* a name, not an address */
  { "http://127.0.0.1.nip.io/", FALSE },
  { "http://[::2]/", FALSE },
  { "not a url", FALSE },
  { "", FALSE },
};

static void
test_url_is_loopback (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      g_test_message ("'%s'", loopback[i].url);
      g_assert_cmpint (cma_url_is_loopback (loopback[i].url), ==, loopback[i].loopback);
    }
}

static const struct {
  const char *base, *relative, *expected;
} joins[] = {
  { "https://acme.atlassian.net/", "rest/api/3/myself",
    "https://acme.atlassian.net/rest/api/3/myself" },
  { "https://example.com/jira/", "rest/x", "https://example.com/jira/rest/x" },
  { "https://example.com/jira/", "/rest/x", "https://example.com/jira/rest/x" },
  { "https://example.com/jira/", "///rest/x", "https://example.com/jira/rest/x" },
  { "http://localhost:8090/", "admin/migration.action",
    "http://localhost:8090/admin/migration.action" },
  { "https://example.com/", "", "https://example.com/" },
};

static void
test_url_join (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (joins); i++)
    {
      g_autofree char *url = cma_url_join (joins[i].base, joins[i].relative);

      g_assert_cmpstr (url, ==, joins[i].expected);
    }
}

static const struct {
  const char *normalized, *site;
} sites[] = {
  { "https://acme.atlassian.net/", "https://acme.atlassian.net" },
  { "https://acme.jira-dev.com/", "https://acme.jira-dev.com" },
  { "http://127.0.0.1:9443/", "http://127.0.0.1:9443" },
  { "https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443" },
  { "https://example.com/wiki/", "https://example.com/wiki/" }, /* path kept whole */
  { "https://example.com/a/b/", "https://example.com/a/b/" },
};

static void
test_url_cloud_site (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sites); i++)
    {
      g_autofree char *site = cma_url_cloud_site (sites[i].normalized);

      g_test_message ("'%s'", sites[i].normalized);
      g_assert_cmpstr (site, ==, sites[i].site);
    }
}

/* From what a person types to what goes into the API call. */
/* cloud-url refuses http://, so its hint for a missing scheme must not
 * suggest it; server-url's still does. */
static void
test_url_cloud_no_scheme (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) server_error = NULL;

  g_assert_null (cma_url_normalize_cloud ("acme.atlassian.net", "cloud-url", &error));
  g_assert_cmpstr (error->message, ==, "invalid cloud-url: no scheme: add https:// in front");
  g_assert_null (cma_url_normalize ("jira.example.com", "server-url", &server_error));
  g_assert_nonnull (strstr (server_error->message, "http://"));
}

static void
test_url_cloud_site_from_input (void)
{
  g_autofree char *url = cma_url_normalize ("HTTPS://Acme.Atlassian.net:443//", "cloud URL", NULL);
  g_autofree char *site = cma_url_cloud_site (url);

  g_assert_cmpstr (site, ==, "https://acme.atlassian.net");
}

/* Cloud sites are https only; a server may be plain http. */
static void
test_url_normalize_cloud (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *https =
      cma_url_normalize_cloud ("HTTPS://Acme.atlassian.net", "cloud-url", NULL);
  g_autofree char *http =
      cma_url_normalize_cloud ("http://acme.atlassian.net", "cloud-url", &error);
  g_autofree char *server = cma_url_normalize ("http://acme.atlassian.net", "server-url", NULL);

  g_assert_cmpstr (https, ==, "https://acme.atlassian.net/");
  g_assert_null (http);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "invalid cloud-url: Atlassian cloud sites are served over https only: use "
                   "https://");
  g_assert_cmpstr (server, ==, "http://acme.atlassian.net/");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/url/normalize", test_url_normalize);
  g_test_add_func ("/url/normalize/invalid", test_url_normalize_invalid);
  g_test_add_func ("/url/normalize/userinfo", test_url_userinfo_any_case);
  g_test_add_func ("/url/normalize/cloud", test_url_normalize_cloud);
  g_test_add_func ("/url/is-loopback", test_url_is_loopback);
  g_test_add_func ("/url/join", test_url_join);
  g_test_add_func ("/url/cloud-site", test_url_cloud_site);
  g_test_add_func ("/url/cloud-site/from-input", test_url_cloud_site_from_input);
  g_test_add_func ("/url/cloud-no-scheme", test_url_cloud_no_scheme);

  return g_test_run ();
}
