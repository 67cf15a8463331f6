/* SPDX-License-Identifier: MIT */
/* cma-tls.c: what a failed certificate verification needs fixed, read
 * from whichever TLS library libcurl was built with. */
#include "config.h"

#include <gnutls/gnutls.h>
#include <string.h>

#include "cma-curl.h"
#include "cma-tls.h"

/* OpenSSL's X509_V_ERR_* codes (openssl/x509_vfy.h), the same in
 * LibreSSL, BoringSSL and AWS-LC; by number, as libcma does not link
 * OpenSSL. */
enum {
  X509_CERT_NOT_YET_VALID = 9,
  X509_CERT_HAS_EXPIRED = 10,
  X509_HOSTNAME_MISMATCH = 62,
};

/* CURLINFO_SSL_VERIFYRESULT is the TLS library's own code: GnuTLS status
 * bits, an OpenSSL X509_V_ERR_* number, or nothing useful. The library
 * is the one libcurl uses at run time (Debian builds libcurl with GnuTLS,
 * Fedora, RHEL and Arch with OpenSSL); a libcurl built with several
 * names the one in use first, the others in parentheses. */
static CmaTlsProblem
problem_from_verify_result (const char *tls, long verify)
{
  static const char *const openssl_family[] = { "OpenSSL/", "LibreSSL/", "BoringSSL", "quictls/",
                                                "AWS-LC/" };

  if (tls == NULL || verify == 0)
    return CMA_TLS_UNTRUSTED;
  if (g_str_has_prefix (tls, "GnuTLS/"))
    {
      if (verify & GNUTLS_CERT_EXPIRED)
        return CMA_TLS_EXPIRED;
      if (verify & GNUTLS_CERT_NOT_ACTIVATED)
        return CMA_TLS_NOT_YET_VALID;
      return CMA_TLS_UNTRUSTED;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (openssl_family); i++)
    if (g_str_has_prefix (tls, openssl_family[i]))
      return verify == X509_CERT_HAS_EXPIRED     ? CMA_TLS_EXPIRED
             : verify == X509_CERT_NOT_YET_VALID ? CMA_TLS_NOT_YET_VALID
             : verify == X509_HOSTNAME_MISMATCH  ? CMA_TLS_WRONG_HOST
                                                 : CMA_TLS_UNTRUSTED;
  return CMA_TLS_UNTRUSTED;
}

/* libcurl's error text, for what the verify result does not say: curl
 * checks the host name itself with every library ("... target host
 * name"), and other libraries give no code we know. GnuTLS's text ends
 * with the CA file's path, which must not count. */
static CmaTlsProblem
problem_from_text (const char *detail)
{
  g_autofree char *text = g_ascii_strdown (detail, -1);
  char *ca_file = strstr (text, "cafile:");

  if (ca_file != NULL)
    *ca_file = '\0';
  if (strstr (text, "target host name") != NULL || strstr (text, "hostname mismatch") != NULL)
    return CMA_TLS_WRONG_HOST;
  if (strstr (text, "expired") != NULL)
    return CMA_TLS_EXPIRED;
  if (strstr (text, "not yet valid") != NULL || strstr (text, "not activated") != NULL)
    return CMA_TLS_NOT_YET_VALID;
  return CMA_TLS_UNTRUSTED;
}

CmaTlsProblem
cma_tls_problem (const char *ssl_version, long verify, const char *detail)
{
  CmaTlsProblem problem = problem_from_verify_result (ssl_version, verify);

  return problem != CMA_TLS_UNTRUSTED ? problem : problem_from_text (detail);
}

/* libcurl says "verification failed" alike for an unknown CA, an expired
 * certificate and one for another name; each needs a different fix. */
void
cma_tls_set_error (CmaSide side, const char *url, const char *detail, long verify, GError **error)
{
  const char *who = cma_side_to_string (side);
  CmaTlsProblem problem = cma_tls_problem (cma_curl_ssl_version (), verify, detail);

  switch (problem)
    {
    case CMA_TLS_EXPIRED:
    case CMA_TLS_NOT_YET_VALID:
      g_set_error (error, CMA_ERROR, CMA_ERROR_TLS,
                   "%s %s: TLS certificate %s (%s); renew the certificate on that host, "
                   "or fix this host's clock",
                   who, url, problem == CMA_TLS_EXPIRED ? "has expired" : "is not valid yet",
                   detail);
      break;
    case CMA_TLS_WRONG_HOST:
      g_set_error (error, CMA_ERROR, CMA_ERROR_TLS,
                   "%s %s: TLS certificate is for another host name (%s); use a URL with a "
                   "name the certificate lists, or fix the certificate",
                   who, url, detail);
      break;
    case CMA_TLS_UNTRUSTED:
    default:
      g_set_error (error, CMA_ERROR, CMA_ERROR_TLS,
                   "%s %s: TLS certificate not trusted (%s); fix the certificate or "
                   "set '%s' to the CA that signed it",
                   who, url, detail, side == CMA_SIDE_CLOUD ? "cloud-ca-file" : "ca-file");
      break;
    }
}
