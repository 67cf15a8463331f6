/* SPDX-License-Identifier: MIT */
/* cma-tls.h: diagnosing a failed TLS certificate verification.
 *
 * libcurl answers "verification failed" alike for an unknown CA, an
 * expired certificate and one for another host name, and its detail is
 * the TLS library's own: GnuTLS status bits on Debian, OpenSSL's
 * X509_V_ERR_* numbers on Fedora, RHEL and Arch. Each needs another fix.
 */
#pragma once

#include <glib.h>

#include "cma-error.h"

G_BEGIN_DECLS

/* What a failed certificate verification needs fixed. */
typedef enum {
  CMA_TLS_UNTRUSTED,
  CMA_TLS_EXPIRED,
  CMA_TLS_NOT_YET_VALID,
  CMA_TLS_WRONG_HOST,
} CmaTlsProblem;

/* From libcurl's TLS library (curl_version_info()->ssl_version, as
 * "OpenSSL/3.0.11"), its CURLINFO_SSL_VERIFYRESULT and its error text.
 * Pure, for the tests; the requests use it on TLS failures. */
CmaTlsProblem cma_tls_problem (const char *ssl_version, long verify, const char *detail);

/* A CMA_ERROR_TLS error for @side's @url that names the problem and its
 * fix (renew the certificate, fix the clock, use the right host name, or
 * set ca-file / cloud-ca-file). */
void cma_tls_set_error (CmaSide side, const char *url, const char *detail, long verify,
                        GError **error);

G_END_DECLS
