/* SPDX-License-Identifier: MIT */
/* cma-api.h: Atlassian's documented calls for connecting an assistant to a
 * cloud site (developer.atlassian.com, migration API, "Connect to cloud"),
 * and the plugin manager's answer about the assistant itself. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-http.h"
#include "cma-product.h"
#include "cma-secret.h"

G_BEGIN_DECLS

typedef struct {
  char *cloud_site; /* exactly the cloudUrl string sent and to be saved */
  char *token;
  gint64 created; /* monotonic microseconds */
} CmaAuthToken;

void cma_auth_token_free (CmaAuthToken *token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaAuthToken, cma_auth_token_free)

/* Everything a call needs to authenticate to both sides. */
typedef struct {
  const CmaProduct *product;
  const CmaConnection *conn;
  const CmaSecret *cloud_token; /* may be NULL for server-only calls */
  const CmaSecret *server_secret;
} CmaApiContext;

/* Longer than any auth token Atlassian issues (a JWT of a few hundred
 * bytes); a longer one is refused, not saved. */
#define CMA_AUTH_TOKEN_MAX_BYTES 8192

/* POST {cloud-api-url}migrations/public/v1/token. The token must be
 * printable text without NUL, at most CMA_AUTH_TOKEN_MAX_BYTES. */
CmaAuthToken *cma_api_create_auth_token (CmaHttp *http, const CmaApiContext *ctx, GError **error);

/* The renewal itself: an auth token from the cloud (above), then
 * POST {server-url}rest/migration/latest/cloud/save/token; nothing else is
 * asked unless the save answers 404, when the server's unauthenticated
 * {server-url}status tells a missing assistant from a wrong URL. A busy server
 * (429, 503) is retried, with a new auth token whenever the one in hand
 * would expire during the save. *@fingerprint: cma_token_fingerprint() of
 * the token saved. *@warning (set only on success, else left alone): the
 * server saved the token but confirmed a cloud site that differs from the
 * one sent beyond normalisation. */
gboolean cma_api_save_token (CmaHttp *http, const CmaApiContext *ctx, char **fingerprint,
                             char **warning, GError **error);

/* TRUE when two cloud site URLs name the same site: compared normalised,
 * ignoring letter case and a trailing slash. */
gboolean cma_api_same_site (const char *a, const char *b);

/* The Authorization header for the cloud API: Basic with cloud-user and
 * the cloud API token. Free with cma_secret_wipe(). */
char *cma_api_cloud_authorization (const CmaApiContext *ctx);

/* The Authorization header for the server: Basic with server-user, else
 * Bearer (a personal access token). Free with cma_secret_wipe(). */
char *cma_api_server_authorization (const CmaApiContext *ctx);

/* GET {server-url}rest/plugins/1.0/{plugin-key}-key: needs an administrator. */
gboolean cma_api_get_assistant (CmaHttp *http, const CmaApiContext *ctx, char **version,
                                gboolean *enabled, GError **error);

/* Fail unless @version is at least the product's minimum for API renewal. */
gboolean cma_api_check_version (const CmaProduct *product, const char *version, GError **error);

/* Compare dotted versions numerically ("1.12.10" > "1.12.5"). */
int cma_version_compare (const char *a, const char *b);

/* "sha256:" and the first 12 hex digits of SHA-256(token), lower case:
 * enough to tell renewals apart, useless for recovering the token. */
char *cma_token_fingerprint (const char *token);

/* For the API layer's other calls, which judge answers alike. A 401,
 * 403 or login page: the server refused the credentials (FALSE, @error
 * says how to fix them). */
gboolean cma_api_check_server_answer (const CmaApiContext *ctx, const CmaHttpResponse *r,
                                      GError **error);
/* Always FALSE: "@side @url answered HTTP N", busy answers as network
 * errors. */
gboolean cma_api_fail_status (CmaSide side, const char *url, const CmaHttpResponse *r,
                              GError **error);
/* After a 404 from @what: TRUE when the server answers at {server}status
 * (blame the assistant), else FALSE with "server-url is wrong" in @error. */
gboolean cma_api_server_is_there (CmaHttp *http, const CmaApiContext *ctx, const char *what,
                                  GError **error);

G_END_DECLS
