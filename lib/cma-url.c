/* SPDX-License-Identifier: MIT */
/* cma-url.c: URL validation and normalisation.
 *
 * Normalising once means the ledger, the JSON output and the API calls all
 * see the same string for the same site, so "https://Acme.atlassian.net"
 * and "https://acme.atlassian.net/" are one connection, not two.
 */
#include "config.h"

#include <string.h>

#include "cma-error.h"
#include "cma-url.h"

/* The URL itself is not repeated: it may come from a file the caller
 * cannot read (a configuration named with -c under sudo). */
static gboolean
fail (GError **error, const char *what, const char *why)
{
  g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "invalid %s: %s", what, why);
  return FALSE;
}

/* "mailto:x" has a scheme (to refuse as such); "jira.example.com:8080/x"
 * and "jira/rest" have none, though GUri reads the first as one. */
static gboolean
has_scheme (const char *url)
{
  const char *colon = strchr (url, ':');

  if (colon == NULL || colon == url || !g_ascii_isalpha (*url) || g_ascii_isdigit (colon[1]))
    return FALSE;
  for (const char *p = url; p < colon; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Mistakes people make that GUri would report in its own terms:
 * "jira.example.com:8080/jira" parses with the scheme "jira.example.com". */
static gboolean
check_text (const char *url, const char *what, gboolean https_only, GError **error)
{
  if (strstr (url, " #") != NULL || strstr (url, "\t#") != NULL)
    return fail (error, what,
                 "a # comment must be on a line of its own; after a value it is part of it");
  /* A cloud site refuses http://: do not suggest it there. */
  if (!has_scheme (url))
    return fail (error, what,
                 https_only
                     ? "no scheme: add https:// in front"
                     : "no scheme: add https:// in front (or http:// for a plain-HTTP server)");
  return TRUE;
}

static gboolean
check_parts (GUri *uri, const char *what, GError **error)
{
  const char *scheme = g_uri_get_scheme (uri);

  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return fail (error, what, "only http:// and https:// are supported");
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return fail (error, what, "no host name");
  /* GUri does not vet host characters; catch "exa mple.com" here rather
   * than as a confusing DNS failure at renewal time. */
  for (const char *h = g_uri_get_host (uri); *h != '\0'; h++)
    if (!g_ascii_isalnum (*h) && *h != '-' && *h != '.' && *h != ':' && *h != '_')
      return fail (error, what, "invalid character in host name");
  if (g_uri_get_userinfo (uri) != NULL)
    return fail (error, what,
                 "user or password in the URL; credentials belong in the "
                 "configuration's token files");
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return fail (error, what, "a base URL has no query or fragment");
  return TRUE;
}

static char *
normalize (const char *url, const char *what, gboolean https_only, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  gsize len;
  int port;

  if (url == NULL || *url == '\0')
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "empty %s", what);
      return NULL;
    }
  if (!check_text (url, what, https_only, error))
    return NULL;
  /* The path stays as written: decoded, "%3F" would become a real '?' and
   * "%2F" a '/', and the URL we build would name another resource. */
  uri = g_uri_parse (url, G_URI_FLAGS_SCHEME_NORMALIZE | G_URI_FLAGS_ENCODED_PATH, &local_error);
  if (uri == NULL)
    {
      fail (error, what, "not an absolute URL such as https://jira.example.com/");
      return NULL;
    }
  if (!check_parts (uri, what, error))
    return NULL;

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if ((port == 80 && strcmp (scheme, "http") == 0) ||
      (port == 443 && strcmp (scheme, "https") == 0))
    port = -1;

  /* Collapse trailing slashes to exactly one so joining "rest/..." works. */
  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  if (strchr (host, ':') != NULL) /* IPv6 literal */
    return port > 0 ? g_strdup_printf ("%s://[%s]:%d%s/", scheme, host, port, path)
                    : g_strdup_printf ("%s://[%s]%s/", scheme, host, path);
  return port > 0 ? g_strdup_printf ("%s://%s:%d%s/", scheme, host, port, path)
                  : g_strdup_printf ("%s://%s%s/", scheme, host, path);
}

char *
cma_url_normalize (const char *url, const char *what, GError **error)
{
  return normalize (url, what, FALSE, error);
}

char *
cma_url_normalize_cloud (const char *url, const char *what, GError **error)
{
  g_autofree char *normalized = normalize (url, what, TRUE, error);

  if (normalized == NULL)
    return NULL;
  if (g_str_has_prefix (normalized, "http://"))
    {
      fail (error, what, "Atlassian cloud sites are served over https only: use https://");
      return NULL;
    }
  return g_steal_pointer (&normalized);
}

gboolean
cma_url_is_loopback (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  /* An address, not any name that starts like one ("127.example.com"). */
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         (g_str_has_prefix (host, "127.") && g_hostname_is_ip_address (host)) ||
         strcmp (host, "::1") == 0;
}

char *
cma_url_join (const char *base, const char *relative)
{
  g_return_val_if_fail (g_str_has_suffix (base, "/"), NULL);
  while (*relative == '/')
    relative++;
  return g_strconcat (base, relative, NULL);
}

char *
cma_url_cloud_site (const char *normalized_cloud_url)
{
  gsize len = strlen (normalized_cloud_url);
  const char *after_scheme = strstr (normalized_cloud_url, "://");

  /* Only a bare origin loses its slash; a path (unusual) is kept whole. */
  if (after_scheme != NULL && len > 0 &&
      strchr (after_scheme + 3, '/') == normalized_cloud_url + len - 1)
    return g_strndup (normalized_cloud_url, len - 1);
  return g_strdup (normalized_cloud_url);
}
