/* SPDX-License-Identifier: MIT */
/* cma-api.c: the two renewal calls and the assistant's version, with every
 * failure turned into a message that says which side failed and what to do. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cma-api-answer.h"
#include "cma-api.h"
#include "cma-error.h"
#include "cma-json.h"
#include "cma-text.h"
#include "cma-api-probe.h"
#include "cma-url.h"

void
cma_auth_token_free (CmaAuthToken *token)
{
  if (token == NULL)
    return;
  cma_secret_wipe (token->token);
  g_free (token->cloud_site);
  g_free (token);
}

/* ---- authentication headers ---- */

/* The token comes from cma_secret_load_cloud(), which insists on a
 * cloud-user; a context without one is a caller's bug. */
static char *
cloud_authorization (const CmaApiContext *ctx)
{
  g_return_val_if_fail (ctx->conn->cloud_user != NULL, NULL);
  return cma_http_basic_auth (ctx->conn->cloud_user, ctx->cloud_token->value);
}

char *
cma_api_cloud_authorization (const CmaApiContext *ctx)
{
  return cloud_authorization (ctx);
}

char *
cma_api_server_authorization (const CmaApiContext *ctx)
{
  if (ctx->conn->server_user != NULL)
    return cma_http_basic_auth (ctx->conn->server_user, ctx->server_secret->value);
  return g_strconcat ("Bearer ", ctx->server_secret->value, NULL);
}

/* ---- judging answers ---- */

/* Jira and Confluence answer an unauthenticated or non-admin request with
 * their login page, sometimes as 200 or a redirect; Seraph's headers are
 * the reliable sign (Atlassian's "Other facts" in the API notes). */
static gboolean
is_login_answer (const CmaHttpResponse *r)
{
  const char *reason = cma_http_response_header (r, "x-seraph-loginreason");
  const char *user = cma_http_response_header (r, "x-ausername");
  const char *location = cma_http_response_header (r, "location");

  if (reason != NULL && strcmp (reason, "OK") != 0)
    return TRUE;
  if (user != NULL && strcmp (user, "anonymous") == 0)
    return TRUE;
  return r->status >= 300 && r->status < 400 && location != NULL &&
         (strstr (location, "login") != NULL || strstr (location, "Login") != NULL);
}

/* Jira 8.16+ and Confluence 7.16+ can switch Basic authentication off
 * for REST; the 403 then says so, and only a personal access token helps. */
static gboolean
is_basic_disabled (const CmaApiContext *ctx, const CmaHttpResponse *r)
{
  g_autofree char *message = cma_answer_message (r);
  g_autofree char *folded = message ? g_ascii_strdown (message, -1) : NULL;

  return ctx->conn->server_user != NULL && r->status == 403 && folded != NULL &&
         strstr (folded, "basic authentication has been disabled") != NULL;
}

static gboolean
fail_server_auth (const CmaApiContext *ctx, const CmaHttpResponse *r, GError **error)
{
  const char *how =
      ctx->conn->server_user ? "server-user and its password" : "personal access token";
  g_autofree char *said = cma_answer_suffix (r);

  if (is_basic_disabled (ctx, r))
    g_set_error (error, CMA_ERROR, CMA_ERROR_AUTH,
                 "server %s has Basic authentication disabled for REST (HTTP 403%s): use a "
                 "personal access token instead: put it in server-token-file and remove "
                 "server-user",
                 ctx->conn->server_url, said);
  else if (r->status == 403)
    g_set_error (error, CMA_ERROR, CMA_ERROR_AUTH,
                 "server %s refused the %s (HTTP 403): the account must be a %s "
                 "administrator%s",
                 ctx->conn->server_url, how, ctx->product->product_name, said);
  else
    g_set_error (
        error, CMA_ERROR, CMA_ERROR_AUTH,
        "server %s did not accept the %s (%s): check %s (from %s)%s", ctx->conn->server_url, how,
        r->status == 401 ? "HTTP 401" : "it answered with its login page",
        ctx->conn->server_user ? "the password" : "the token", ctx->server_secret->origin, said);
  return FALSE;
}

static gboolean
check_server_answer (const CmaApiContext *ctx, const CmaHttpResponse *r, GError **error)
{
  if (r->status == 401 || r->status == 403 || is_login_answer (r))
    return fail_server_auth (ctx, r, error);
  return TRUE;
}

static gboolean
fail_status (CmaSide side, const char *url, const CmaHttpResponse *r, GError **error)
{
  int code = (r->status == 429 || r->status == 503 || r->status == 502 || r->status == 504)
                 ? CMA_ERROR_NETWORK
                 : CMA_ERROR_PROTOCOL;
  g_autofree char *said = r->status >= 400 ? cma_answer_suffix (r) : g_strdup ("");

  g_set_error (error, CMA_ERROR, code, "%s %s answered HTTP %ld%s%s", cma_side_to_string (side),
               url, r->status,
               code == CMA_ERROR_NETWORK ? " (busy or unavailable, retries exhausted); "
                                           "try again later"
                                         : "",
               said);
  return FALSE;
}

/* Parse a JSON object body into *@root, insisting on the JSON content
 * type: an HTML error page from a proxy must not be mistaken for an answer. */
static JsonObject *
parse_object (CmaSide side, const char *url, const CmaHttpResponse *r, JsonNode **root,
              GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);

  if (!cma_http_response_is_json (r))
    {
      g_autofree char *type = cma_text_sanitize (r->content_type, CMA_TEXT_SHORT);

      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "%s %s answered %s instead of JSON; is a proxy or login page in the way?",
                   cma_side_to_string (side), url, type ? type : "without a content type");
      return NULL;
    }
  *root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, &local_error);
  if (*root == NULL || !JSON_NODE_HOLDS_OBJECT (*root))
    {
      /* json-glib's message may quote a string of the answer, decoded:
       * a secret spelt in escapes the raw body's redaction missed. */
      g_autofree char *why =
          cma_answer_text (r, local_error ? local_error->message : "not an object", CMA_TEXT_SHORT);

      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "%s %s answered malformed JSON (%s)",
                   cma_side_to_string (side), url, why);
      return NULL;
    }
  return json_node_get_object (*root);
}

static char *
json_body (const char *first_name, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  json_builder_begin_object (b);
  while (name != NULL)
    {
      json_builder_set_member_name (b, name);
      json_builder_add_string_value (b, va_arg (args, const char *));
      name = va_arg (args, const char *);
    }
  json_builder_end_object (b);
  va_end (args);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* ---- the calls ---- */

static gboolean
check_cloud_answer (const CmaApiContext *ctx, const char *url, const char *site,
                    const CmaHttpResponse *r, GError **error)
{
  if (r->status == 401 || r->status == 403)
    {
      g_autofree char *said = cma_answer_suffix (r);

      g_set_error (error, CMA_ERROR, CMA_ERROR_AUTH,
                   "cloud %s refused cloud-user %s and its API token (HTTP %ld): check the "
                   "token (from %s; API tokens expire) and that the account is a site or "
                   "org admin of %s%s",
                   url, ctx->conn->cloud_user, r->status, ctx->cloud_token->origin, site, said);
      return FALSE;
    }
  if (r->status != 200)
    return fail_status (CMA_SIDE_CLOUD, url, r, error);
  return TRUE;
}

/* A token we would save must be what the cloud meant: json-glib ends a
 * string at an escaped NUL ("tok\u0000after" gave "tok", saved and
 * recorded as a success), and control characters or a megabyte of token
 * are no token of Atlassian's. The token itself is never quoted. */
static gboolean
check_token (const char *url, const CmaHttpResponse *r, const char *token, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);
  gsize token_len = strlen (token);

  if (g_strstr_len (data, len, "\\u0000") != NULL || token_len > CMA_AUTH_TOKEN_MAX_BYTES ||
      cma_text_has_control (token))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "cloud %s answered an implausible \"token\" (%" G_GSIZE_FORMAT
                   " bytes, control characters or NUL inside); it was not saved",
                   url, token_len);
      return FALSE;
    }
  return TRUE;
}

CmaAuthToken *
cma_api_create_auth_token (CmaHttp *http, const CmaApiContext *ctx, GError **error)
{
  g_autofree char *url = cma_url_join (ctx->conn->cloud_api_url, "migrations/public/v1/token");
  g_autofree char *site = cma_url_cloud_site (ctx->conn->cloud_url);
  g_autofree char *body = json_body ("cloudUrl", site, NULL);
  g_auto (CmaWiped) auth = NULL;
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (CmaAuthToken) token = NULL;
  JsonObject *obj;
  const char *value;

  if ((auth = cloud_authorization (ctx)) == NULL)
    return NULL;
  r = cma_http_request (http, CMA_SIDE_CLOUD, "POST", url, auth, body, error);
  if (r == NULL || !check_cloud_answer (ctx, url, site, r, error) ||
      (obj = parse_object (CMA_SIDE_CLOUD, url, r, &root, error)) == NULL)
    return NULL;
  value = cma_json_string_member (obj, "token");
  if (value == NULL || *value == '\0')
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "cloud %s answered without a \"token\"",
                   url);
      return NULL;
    }
  if (!check_token (url, r, value, error))
    return NULL;
  /* Before it goes to the server, whose answers may quote it. */
  cma_http_add_secret (http, CMA_SIDE_SERVER, value);
  token = g_new0 (CmaAuthToken, 1);
  token->token = g_strdup (value);
  token->cloud_site = g_steal_pointer (&site);
  token->created = g_get_monotonic_time ();
  return g_steal_pointer (&token);
}

/* A 404 from the assistant's resource @what: when the server itself
 * answers at {server}status and runs, the assistant is missing; when it
 * answers but does not run (maintenance, starting, in error), that passes;
 * and otherwise the server URL (most often its context path) is wrong.
 * FALSE (@error set) for the last two; TRUE when the caller should blame
 * the assistant. */
static gboolean
server_is_there (CmaHttp *http, const CmaApiContext *ctx, const char *what, GError **error)
{
  g_autofree char *state = cma_probe_server_state (http, ctx->conn->server_url);

  if (state != NULL && g_str_equal (state, "RUNNING"))
    return TRUE;
  if (state != NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_TEMPORARY,
                   "server %s has no %s (HTTP 404), and %sstatus says the server is there but "
                   "%s (state %s): a passing condition; %s",
                   ctx->conn->server_url, what, ctx->conn->server_url,
                   cma_probe_state_phrase (state), state, cma_probe_state_fix (state));
      return FALSE;
    }
  g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
               "server %s has no %s (HTTP 404) and no %s answers at %sstatus either: "
               "server-url is wrong; check the host and the context path (such as "
               "https://host/%s/)",
               ctx->conn->server_url, what, ctx->product->product_name, ctx->conn->server_url,
               ctx->product->id);
  return FALSE;
}

static gboolean
fail_save (CmaHttp *http, const CmaApiContext *ctx, const char *url, const CmaHttpResponse *r,
           GError **error)
{
  const CmaProduct *p = ctx->product;

  if (r->status == 404 && server_is_there (http, ctx, "token endpoint", error))
    g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                 "server %s has no token endpoint (HTTP 404): the %s is missing, disabled "
                 "or older than %s; upgrade it, or renew by hand ('%s guide')",
                 ctx->conn->server_url, p->assistant_name, p->min_api_version, p->program);
  else if (r->status == 500)
    g_set_error (error, CMA_ERROR, CMA_ERROR_REJECTED,
                 "server %s refused the auth token (HTTP 500, \"Exception in saving "
                 "token.\"): it expired before it was saved, or the cloud site %s differs "
                 "from the one the assistant knows, or the server cannot reach "
                 "api.atlassian.com itself (firewall, proxy settings of its JVM); run again, "
                 "check cloud-url, and see 'doctor' for the server's outbound access",
                 ctx->conn->server_url, ctx->conn->cloud_url);
  else if (r->status != 404)
    fail_status (CMA_SIDE_SERVER, url, r, error);
  return FALSE;
}

/* An auth token older than this is replaced before a save: the lifetime
 * less a margin for the save itself (a minute, or half a short lifetime). */
static gint64
token_max_age_usec (const CmaConnection *conn)
{
  double margin = MIN (60.0, conn->auth_token_lifetime / 2);

  return (gint64) ((conn->auth_token_lifetime - margin) * G_USEC_PER_SEC);
}

/* Create *@token, or a new one when it would expire during the save. */
static gboolean
fresh_auth_token (CmaHttp *http, const CmaApiContext *ctx, CmaAuthToken **token, GError **error)
{
  if (*token != NULL &&
      g_get_monotonic_time () - (*token)->created <= token_max_age_usec (ctx->conn))
    return TRUE;
  g_clear_pointer (token, cma_auth_token_free);
  *token = cma_api_create_auth_token (http, ctx, error);
  return *token != NULL;
}

static CmaHttpResponse *
post_save (CmaHttp *http, const CmaApiContext *ctx, const char *url, const CmaAuthToken *token,
           GError **error)
{
  g_auto (CmaWiped) body = json_body ("cloudUrl", token->cloud_site, "token", token->token, NULL);
  g_auto (CmaWiped) auth = cma_api_server_authorization (ctx);

  return cma_http_request_once (http, CMA_SIDE_SERVER, "POST", url, auth, body, error);
}

#define SAVED_MESSAGE "Token saved successfully."

gboolean
cma_api_same_site (const char *a, const char *b)
{
  g_autofree char *na = cma_url_normalize (a, "cloud URL", NULL);
  g_autofree char *nb = cma_url_normalize (b, "cloud URL", NULL);

  /* Host names are case-insensitive, and a site has no meaningful path. */
  return na != NULL && nb != NULL && g_ascii_strcasecmp (na, nb) == 0;
}

/* Judge the save's last answer. A 200 means saved: servers echo the
 * cloudUrl normalised (a slash added, case changed), so only a real
 * difference is worth a *@warning, and never undoes a saved token. */
static gboolean
check_saved (CmaHttp *http, const CmaApiContext *ctx, const char *url, const CmaAuthToken *token,
             const CmaHttpResponse *r, char **warning, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *echo = NULL;
  JsonObject *obj;

  if (r->status != 200)
    return fail_save (http, ctx, url, r, error);
  if ((obj = parse_object (CMA_SIDE_SERVER, url, r, &root, error)) == NULL)
    return FALSE;
  if (cma_json_string_member (obj, "cloudUrl") == NULL)
    {
      if (g_strcmp0 (cma_json_string_member (obj, "message"), SAVED_MESSAGE) == 0)
        return TRUE;
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "server %s answered neither the cloud site nor \"%s\"", url, SAVED_MESSAGE);
      return FALSE;
    }
  if (cma_api_same_site (cma_json_string_member (obj, "cloudUrl"), token->cloud_site))
    return TRUE;
  echo = cma_text_sanitize (cma_json_string_member (obj, "cloudUrl"), CMA_TEXT_SHORT);
  *warning = g_strdup_printf ("server %s saved the token but names the cloud site \"%s\", "
                              "not %s as sent; check cloud-url against the assistant's "
                              "connected sites",
                              ctx->conn->server_url, echo ? echo : "", token->cloud_site);
  return TRUE;
}

gboolean
cma_api_save_token (CmaHttp *http, const CmaApiContext *ctx, char **fingerprint, char **warning,
                    GError **error)
{
  g_autofree char *url =
      cma_url_join (ctx->conn->server_url, "rest/migration/latest/cloud/save/token");
  g_autoptr (CmaAuthToken) token = NULL;
  g_autoptr (CmaHttpResponse) r = NULL;

  /* The save is retried here rather than in the HTTP layer: waiting out a
   * busy server can outlast the token's five minutes, and a stale token
   * only earns "Exception in saving token.", so each try checks its age. */
  for (guint attempt = 1;; attempt++)
    {
      g_clear_pointer (&r, cma_http_response_free);
      if (!fresh_auth_token (http, ctx, &token, error) ||
          (r = post_save (http, ctx, url, token, error)) == NULL ||
          !check_server_answer (ctx, r, error))
        return FALSE;
      if (!cma_http_wait_for_retry (http, CMA_SIDE_SERVER, r, attempt))
        break;
    }
  if (!check_saved (http, ctx, url, token, r, warning, error))
    return FALSE;
  *fingerprint = cma_token_fingerprint (token->token);
  return TRUE;
}

gboolean
cma_api_get_assistant (CmaHttp *http, const CmaApiContext *ctx, char **version, gboolean *enabled,
                       GError **error)
{
  g_autofree char *rel = g_strdup_printf ("rest/plugins/1.0/%s-key", ctx->product->plugin_key);
  g_autofree char *url = cma_url_join (ctx->conn->server_url, rel);
  g_auto (CmaWiped) auth = cma_api_server_authorization (ctx);
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *node;

  r = cma_http_request (http, CMA_SIDE_SERVER, "GET", url, auth, NULL, error);
  if (r == NULL || !check_server_answer (ctx, r, error))
    return FALSE;
  if (r->status == 404)
    {
      if (server_is_there (http, ctx, "plugin manager entry for the assistant", error))
        g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                     "the %s (%s) is not installed on %s; install it from the Marketplace",
                     ctx->product->assistant_name, ctx->product->plugin_key, ctx->conn->server_url);
      return FALSE;
    }
  if (r->status != 200)
    return fail_status (CMA_SIDE_SERVER, url, r, error);
  if ((obj = parse_object (CMA_SIDE_SERVER, url, r, &root, error)) == NULL)
    return FALSE;
  node = json_object_get_member (obj, "enabled");
  if (cma_json_string_member (obj, "version") == NULL || !cma_json_holds (node, G_TYPE_BOOLEAN))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "server %s answered without the assistant's version and state", url);
      return FALSE;
    }
  /* Escaped here, once: every message and check shows it. */
  *version = cma_text_sanitize (cma_json_string_member (obj, "version"), CMA_TEXT_SHORT);
  *enabled = json_node_get_boolean (node);
  return TRUE;
}

int
cma_version_compare (const char *a, const char *b)
{
  while (*a != '\0' || *b != '\0')
    {
      guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
      guint64 y = g_ascii_strtoull (b, (char **) &b, 10);

      if (x != y)
        return x < y ? -1 : 1;
      /* Skip to the next numeric part; a suffix such as "-SNAPSHOT" ends it. */
      a += (*a == '.');
      b += (*b == '.');
      if (*a != '\0' && !g_ascii_isdigit (*a))
        a += strlen (a);
      if (*b != '\0' && !g_ascii_isdigit (*b))
        b += strlen (b);
    }
  return 0;
}

gboolean
cma_api_check_version (const CmaProduct *product, const char *version, GError **error)
{
  if (cma_version_compare (version, product->min_api_version) >= 0)
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
               "the %s is version %s; renewal through the API needs %s or later: upgrade "
               "it, or renew by hand ('%s guide')",
               product->assistant_name, version, product->min_api_version, product->program);
  return FALSE;
}

/* GChecksum keeps the token's last partial block in its block buffer
 * and leaves it in freed memory. So the checksum is reset and fed a block
 * of zeros, one byte short of a full one so that GLib copies it into the
 * buffer where the token's tail was, then closed again. This leans on
 * how GLib's SHA-256 buffers today; were that to change, the scrub would
 * stop helping, never the fingerprint. (The digest GLib also keeps is no
 * secret: the token cannot be got back from it.) */
static void
checksum_scrub (GChecksum *checksum)
{
  static const guchar zeros[63];
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_reset (checksum);
  g_checksum_update (checksum, zeros, sizeof zeros);
  g_checksum_get_digest (checksum, digest, &len);
  explicit_bzero (digest, sizeof digest);
}

char *
cma_token_fingerprint (const char *token)
{
  /* GLib's SHA-256, not GnuTLS's: the offline commands then load no TLS
   * library. The same lower-case hex digits as before, the first six bytes
   * of the digest; the rest of it never leaves the stack, and is wiped. */
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *fingerprint;

  g_checksum_update (checksum, (const guchar *) token, (gssize) strlen (token));
  g_checksum_get_digest (checksum, digest, &len);
  fingerprint = g_strdup_printf ("sha256:%02x%02x%02x%02x%02x%02x", digest[0], digest[1], digest[2],
                                 digest[3], digest[4], digest[5]);
  explicit_bzero (digest, sizeof digest);
  checksum_scrub (checksum);
  return fingerprint;
}

/* ---- for the other calls of the API layer (cma-api-attach.c) ---- */

gboolean
cma_api_check_server_answer (const CmaApiContext *ctx, const CmaHttpResponse *r, GError **error)
{
  return check_server_answer (ctx, r, error);
}

gboolean
cma_api_fail_status (CmaSide side, const char *url, const CmaHttpResponse *r, GError **error)
{
  return fail_status (side, url, r, error);
}

gboolean
cma_api_server_is_there (CmaHttp *http, const CmaApiContext *ctx, const char *what, GError **error)
{
  return server_is_there (http, ctx, what, error);
}
