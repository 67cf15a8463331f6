/* SPDX-License-Identifier: MIT */
/* test-tls.c: a failed certificate verification is told apart (unknown
 * CA, expired, not yet valid, another host name) whatever TLS library
 * libcurl was built with. The codes and texts are those libcurl 7.88
 * reports with each library. */
#include "config.h"

#include <glib.h>
#include <gnutls/gnutls.h>

#include "cma-tls.h"

#define GNUTLS    "GnuTLS/3.7.9"
#define OPENSSL   "OpenSSL/3.0.11"
#define GNUTLS_CA " CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none"

static const struct {
  const char *ssl_version;
  long verify;
  const char *detail;
  CmaTlsProblem expected;
} cases[] = {
  /* GnuTLS: status bits, and curl's own host name check. */
  { GNUTLS, GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED,
    "server certificate verification failed." GNUTLS_CA, CMA_TLS_EXPIRED },
  { GNUTLS, GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED,
    "server certificate verification failed." GNUTLS_CA, CMA_TLS_NOT_YET_VALID },
  { GNUTLS, GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND,
    "server certificate verification failed." GNUTLS_CA, CMA_TLS_UNTRUSTED },
  { GNUTLS, 0,
    "SSL: certificate subject name (cma-sim wrong-name) does not match target host name "
    "'127.0.0.1'",
    CMA_TLS_WRONG_HOST },
  /* The CA file's path is no diagnosis. */
  { GNUTLS, GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND,
    "server certificate verification failed. CAfile: /srv/expired-ca/ca.pem CRLfile: none",
    CMA_TLS_UNTRUSTED },
  /* An OpenSSL number read as GnuTLS bits means nothing: 10 is 8 | 2. */
  { GNUTLS, 10, "server certificate verification failed." GNUTLS_CA, CMA_TLS_UNTRUSTED },

  /* OpenSSL: X509_V_ERR_* numbers. */
  { OPENSSL, 10, "SSL certificate problem: certificate has expired", CMA_TLS_EXPIRED },
  { OPENSSL, 10, "", CMA_TLS_EXPIRED },
  { OPENSSL, 9, "SSL certificate problem: certificate is not yet valid", CMA_TLS_NOT_YET_VALID },
  { OPENSSL, 9, "", CMA_TLS_NOT_YET_VALID },
  { OPENSSL, 62, "", CMA_TLS_WRONG_HOST },
  { OPENSSL, 0, "SSL: no alternative certificate subject name matches target host name '127.0.0.1'",
    CMA_TLS_WRONG_HOST },
  { OPENSSL, 18, "SSL certificate problem: self-signed certificate", CMA_TLS_UNTRUSTED },
  { OPENSSL, 19, "SSL certificate problem: self-signed certificate in certificate chain",
    CMA_TLS_UNTRUSTED },
  { OPENSSL, 20, "SSL certificate problem: unable to get local issuer certificate",
    CMA_TLS_UNTRUSTED },
  /* GnuTLS's EXPIRED bit read as an OpenSSL number means nothing. */
  { OPENSSL, GNUTLS_CERT_EXPIRED, "SSL certificate problem: unable to get issuer certificate",
    CMA_TLS_UNTRUSTED },
  /* The OpenSSL family, and libcurl built with several libraries. */
  { "LibreSSL/3.3.6", 10, "", CMA_TLS_EXPIRED },
  { "BoringSSL", 62, "", CMA_TLS_WRONG_HOST },
  { "OpenSSL/3.0.2 (Schannel)", 9, "", CMA_TLS_NOT_YET_VALID },

  /* Other libraries: libcurl's text only. */
  { "NSS/3.87", -8181, "Peer's Certificate has expired.", CMA_TLS_EXPIRED },
  { "NSS/3.87", -8179, "Peer's Certificate issuer is not recognized.", CMA_TLS_UNTRUSTED },
  { "wolfSSL/5.5.4", 0, "SSL: certificate subject name 'x' does not match target host name 'y'",
    CMA_TLS_WRONG_HOST },
  { NULL, 0, "SSL peer certificate or SSH remote key was not OK", CMA_TLS_UNTRUSTED },
};

static void
test_tls_problem (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s, %ld, %s", cases[i].ssl_version ? cases[i].ssl_version : "(none)",
                      cases[i].verify, cases[i].detail);
      g_assert_cmpint (cma_tls_problem (cases[i].ssl_version, cases[i].verify, cases[i].detail), ==,
                       cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/tls-problem", test_tls_problem);
  return g_test_run ();
}
