/* SPDX-License-Identifier: MIT */
/* cma-http.h: the one place that talks HTTP, through libcurl.
 *
 * Certificate verification is always on; plain http is refused unless the
 * host is a loopback address; only http and https are enabled; redirects
 * are never followed (a redirect from Jira or Confluence means a login
 * page, which the caller must see). Traces are redacted before they leave.
 */
#pragma once

#include <glib.h>

#include "cma-error.h"
#include "cma-redact.h"
#include "cma-trace.h"

G_BEGIN_DECLS

/* What the requests of one run share across threads: TLS sessions, DNS
 * answers, and per host at most @per_host open connections, so a run
 * renewing many connections has at most @per_host connections and
 * requests at once to any one host, each connection reused rather than
 * one per request. */
typedef struct _CmaHttpShare CmaHttpShare;

CmaHttpShare *cma_http_share_new (guint per_host);
/* After every CmaHttp using @share is freed. */
void cma_http_share_free (CmaHttpShare *share);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaHttpShare, cma_http_share_free)

typedef struct {
  const char *ca_file;       /* server side; NULL: the system's CA store */
  const char *cloud_ca_file; /* cloud side; NULL: the system's CA store */
  double timeout;            /* seconds per request */
  guint attempts;            /* tries for 429/503; 0: default (3) */
  guint max_retry_wait;      /* cap on Retry-After, seconds; 0: default (60) */
  CmaTraceFunc trace;        /* redacted request/response lines, or NULL */
  gpointer trace_data;
  CmaHttpShare *share; /* or NULL: a handle and connections of its own */
  /* curl's --connect-to, "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT" (an
   * empty HOST or PORT matches any), several separated by spaces or
   * commas, the first that matches used: where to connect instead, the
   * certificate still verified for the host the URL names. For the tests,
   * which must never reach a real Atlassian host; or NULL. */
  const char *connect_to;
  /* Tests and fuzzing: plain-http loopback peers speaking h2c. HTTP/2
   * with prior knowledge where libcurl has HTTP/2
   * (cma_curl_has_http2()), HTTP/1.1 otherwise. */
  gboolean http2_prior_knowledge;
} CmaHttpOptions;

typedef struct {
  long status;
  char *content_type; /* lower case, parameters stripped; or NULL */
  GBytes *body;
  GHashTable *headers; /* lower-case name -> last value */
  /* Body and header values come redacted of the run's secrets (forms
   * cma_http_add_secret() and the requests' Authorization headers gave
   * before the answer came); these redact what a caller decodes of them. */
  CmaSide side;
  CmaSecrets *secrets;
} CmaHttpResponse;

void cma_http_response_free (CmaHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaHttpResponse, cma_http_response_free)

const char *cma_http_response_header (const CmaHttpResponse *response, const char *name);
gboolean cma_http_response_is_json (const CmaHttpResponse *response);

typedef struct _CmaHttp CmaHttp;

CmaHttp *cma_http_new (const CmaHttpOptions *options, GError **error);
void cma_http_free (CmaHttp *http);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaHttp, cma_http_free)

/* Send one request (retrying 429/503 as configured). @authorization is a
 * full header value ("Basic …", "Bearer …") kept out of traces; @json_body
 * (or NULL for GET) is sent as application/json. @side names the peer in
 * error messages. A response with any status is success here: callers
 * judge statuses, since what a 404 means depends on the endpoint. */
CmaHttpResponse *cma_http_request (CmaHttp *http, CmaSide side, const char *method, const char *url,
                                   const char *authorization, const char *json_body,
                                   GError **error);

/* Fail (CMA_ERROR_CONFIG) unless @url is https, or plain http to a loopback
 * address: credentials never cross a network in clear text. */
gboolean cma_http_check_url (CmaSide side, const char *url, GError **error);

/* One try, no retries: for callers that must change the request between
 * tries (a fresh auth token); they retry with cma_http_wait_for_retry(). */
CmaHttpResponse *cma_http_request_once (CmaHttp *http, CmaSide side, const char *method,
                                        const char *url, const char *authorization,
                                        const char *json_body, GError **error);

/* The one retry rule, after try number @attempt got @response: when the
 * peer was busy (429, 503) and tries remain, wait what its Retry-After asks
 * (capped; 1 s when it says nothing), tracing why, and return TRUE: try
 * again. Otherwise return FALSE at once, so the last answer is judged
 * without a pointless sleep. */
gboolean cma_http_wait_for_retry (CmaHttp *http, CmaSide side, const CmaHttpResponse *response,
                                  guint attempt);

/* The longest a reach test waits for any one host (all run at once), in
 * seconds; less when the handle's timeout is lower. */
#define CMA_HTTP_REACH_TIMEOUT 10.0

typedef struct {
  const char *url; /* "https://host/": the host and port tested */
  GError *error;   /* set when the handshake failed; NULL: reached */
} CmaHttpReach;

/* A TLS handshake with the host of each of @targets' URLs, and no
 * request (CURLOPT_CONNECT_ONLY): proof that this machine's path to it
 * (DNS, firewall, proxy from the environment, certificate verified with
 * @side's CA) works. All at once, so the whole takes at most
 * CMA_HTTP_REACH_TIMEOUT; each target's error says what failed. */
void cma_http_reach (CmaHttp *http, CmaSide side, CmaHttpReach *targets, guint n);

/* What this handle did, for -v and the benchmark. */
guint cma_http_get_requests (CmaHttp *http);
guint cma_http_get_connects (CmaHttp *http);
/* The Date header of the last answer as an instant, or 0. */
gint64 cma_http_get_last_date (CmaHttp *http);

/* A secret of the run that is not an Authorization header (those are
 * added as they are sent): the auth token the cloud issued, before it is
 * sent to the server. Answers from @side and every trace line are redacted
 * of it from now on; the other side's answers are not, so the cloud may
 * issue the same token again. */
void cma_http_add_secret (CmaHttp *http, CmaSide side, const char *secret);

/* @text, decoded from @response (a JSON string, say), redacted of the
 * secrets its body was redacted of. */
char *cma_http_redact (const CmaHttpResponse *response, const char *text);

/* "Basic base64(user:password)". */
char *cma_http_basic_auth (const char *user, const char *password);

G_END_DECLS
