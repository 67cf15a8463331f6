/* SPDX-License-Identifier: MIT */
/* cma-doctor.c: each precondition of a renewal, checked on its own so the
 * administrator sees the first broken piece and everything still fine. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "cma-api-attach.h"
#include "cma-api-pat.h"
#include "cma-api-sites.h"
#include "cma-api.h"
#include "cma-curl.h"
#include "cma-doctor.h"
#include "cma-doctor-private.h"
#include "cma-error.h"
#include "cma-file.h"
#include "cma-ledger.h"
#include "cma-store.h"
#include "cma-secret.h"
#include "cma-status.h"

void
cma_check_free (CmaCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->title);
  g_free (check->detail);
  g_free (check);
}

static GPtrArray *
checks_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cma_check_free);
}

void
cma_doctor_addv (GPtrArray *checks, CmaCheckResult result, const char *title, const char *fmt,
                 va_list args)
{
  CmaCheck *check = g_new0 (CmaCheck, 1);

  check->result = result;
  check->title = g_strdup (title);
  check->detail = g_strdup_vprintf (fmt, args);
  g_ptr_array_add (checks, check);
}

void
cma_doctor_add (GPtrArray *checks, CmaCheckResult result, const char *title, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  cma_doctor_addv (checks, result, title, fmt, args);
  va_end (args);
}

#define add cma_doctor_add

gboolean
cma_doctor_all_passed (GPtrArray *checks)
{
  for (guint i = 0; i < checks->len; i++)
    {
      CmaCheckResult r = ((CmaCheck *) checks->pdata[i])->result;
      if (r == CMA_CHECK_FAIL || r == CMA_CHECK_WARN)
        return FALSE;
    }
  return TRUE;
}

gboolean
cma_doctor_any_failed (GPtrArray *checks)
{
  for (guint i = 0; i < checks->len; i++)
    if (((CmaCheck *) checks->pdata[i])->result == CMA_CHECK_FAIL)
      return TRUE;
  return FALSE;
}

GPtrArray *
cma_doctor_check_config (const char *path)
{
  GPtrArray *checks = checks_new ();
  g_autoptr (GError) error = NULL;
  struct stat st;

  if (path == NULL)
    {
      add (checks, CMA_CHECK_PASS, "configuration", "none read; command-line connection");
      return checks;
    }
  if (stat (path, &st) != 0)
    add (checks, CMA_CHECK_FAIL, "configuration", "%s: %s", path, g_strerror (errno));
  else if ((st.st_mode & 022) != 0)
    add (checks, CMA_CHECK_FAIL, "configuration",
         "%s is writable by group or others (mode %04o), who could point hooks and "
         "token files elsewhere; fix: chmod go-w %s",
         path, (guint) (st.st_mode & 07777), path);
  else if (!cma_file_check_trusted ("configuration", path, &error))
    add (checks, CMA_CHECK_FAIL, "configuration", "%s", error->message);
  else
    add (checks, CMA_CHECK_PASS, "configuration", "%s", path);
  return checks;
}

void
cma_doctor_check_state (GPtrArray *checks, CmaStore *store)
{
  const char *dir = cma_store_get_dir (store);
  g_autoptr (GError) error = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    add (checks, CMA_CHECK_PASS, "state directory", "%s (not created yet)", dir);
  else if (!cma_store_check_dir (dir, &error))
    add (checks, CMA_CHECK_FAIL, "state directory", "%s", error->message);
  else
    add (checks, CMA_CHECK_PASS, "state directory", "%s", dir);
}

static CmaSecret *
check_secret (GPtrArray *checks, const char *title, const CmaConnection *conn,
              CmaSecret *(*load) (const CmaConnection *, GError **) )
{
  g_autoptr (GError) error = NULL;
  CmaSecret *secret = load (conn, &error);

  if (secret == NULL)
    add (checks, CMA_CHECK_FAIL, title, "%s", error->message);
  else
    add (checks, CMA_CHECK_PASS, title, "from %s", secret->origin);
  return secret;
}

/* Report the skew between our clock and the last Date header seen. */
static void
check_clock (GPtrArray *checks, CmaHttp *http, CmaSide peer)
{
  /* The cloud side's clock is the API's, not the cloud site's. */
  const char *side = peer == CMA_SIDE_CLOUD ? "cloud API" : cma_side_to_string (peer);
  gint64 date = cma_http_get_last_date (http);
  gint64 skew;
  g_autofree char *title = g_strdup_printf ("clock agrees with the %s", side);

  if (date <= 0)
    return;
  skew = cma_clock_now () - date;
  if (ABS (skew) > CMA_DOCTOR_MAX_SKEW_SECONDS)
    add (checks, CMA_CHECK_WARN, title,
         "this host's clock is %" G_GINT64_FORMAT " s %s the %s's; every expiry computed "
         "here is off by as much: fix NTP (timedatectl status)",
         ABS (skew), skew > 0 ? "ahead of" : "behind", side);
  else
    add (checks, CMA_CHECK_PASS, title, "within %" G_GINT64_FORMAT " s", ABS (skew));
}

/* Sort a failed plugin-manager call into the checks it tells about: a
 * network or TLS failure hides everything after it; a 5xx or garbled answer
 * says nothing about the credentials. */
static void
report_server_failure (GPtrArray *checks, const CmaApiContext *ctx, const char *title,
                       const GError *error)
{
  gboolean net = error->code == CMA_ERROR_NETWORK || error->code == CMA_ERROR_TLS ||
                 error->code == CMA_ERROR_CONFIG;
  gboolean auth = error->code == CMA_ERROR_AUTH;

  add (checks, net ? CMA_CHECK_FAIL : CMA_CHECK_PASS, "server reachable over verified TLS", "%s",
       net ? error->message : ctx->conn->server_url);
  if (error->code == CMA_ERROR_PROTOCOL)
    {
      add (checks, CMA_CHECK_FAIL, "server answers the plugin manager", "%s", error->message);
      return;
    }
  if (!net)
    add (checks, auth ? CMA_CHECK_FAIL : CMA_CHECK_PASS,
         "server credentials accepted as administrator", "%s", auth ? error->message : "yes");
  if (!net && !auth)
    add (checks, CMA_CHECK_FAIL, title, "%s", error->message);
}

static void check_pat_expiry (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http,
                              CmaFacts *learnt);

/* The assistant's own view, through an undocumented resource: a
 * confirmation where it exists, a skipped check where it does not. */
static void
check_connected_site (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http)
{
  static const CmaCheckResult results[] = {
    [CMA_SITE_LISTED] = CMA_CHECK_PASS,
    [CMA_SITE_NOT_LISTED] = CMA_CHECK_WARN,
    [CMA_SITE_NO_LIST] = CMA_CHECK_SKIP,
  };
  g_autofree char *detail = NULL;
  CmaSiteVerdict v = cma_sites_check (http, ctx, &detail);

  add (checks, results[v], "cloud site among the assistant's connected sites (undocumented API)",
       "%s%s", detail,
       v == CMA_SITE_NOT_LISTED
           ? "; renew once, or compare cloud-url with the site the assistant is connected to"
           : "");
}

/* attach = yes needs the Migration API's attach, which came in an earlier
 * version than the save on both products today; the product descriptor
 * says which. */
static void
check_attach_version (GPtrArray *checks, const CmaApiContext *ctx, const char *version)
{
  const CmaProduct *p = ctx->product;
  g_autofree char *title = NULL;
  g_autoptr (GError) error = NULL;

  if (ctx->conn->attach != CMA_SWITCH_ON)
    return;
  title = g_strdup_printf ("%s version %s or later, for attach", p->assistant_abbrev,
                           p->min_attach_version);
  if (cma_api_check_attach_version (p, version, &error))
    add (checks, CMA_CHECK_PASS, title, "%s", version);
  else
    add (checks, CMA_CHECK_FAIL, title, "%s", error->message);
}

/* Returns the installed assistant's version, or NULL when unknown. */
static char *
check_server (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http, CmaFacts *learnt)
{
  const CmaProduct *p = ctx->product;
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *title = g_strdup_printf ("%s installed and enabled", p->assistant_abbrev);
  g_autofree char *vtitle =
      g_strdup_printf ("%s version %s or later", p->assistant_abbrev, p->min_api_version);
  gboolean enabled = FALSE;

  if (!cma_api_get_assistant (http, ctx, &version, &enabled, &error))
    {
      report_server_failure (checks, ctx, title, error);
      return NULL;
    }
  learnt->assistant.known = TRUE;
  learnt->assistant.read_at = cma_clock_now ();
  learnt->assistant.version = g_strdup (version);
  add (checks, CMA_CHECK_PASS, "server reachable over verified TLS", "%s", ctx->conn->server_url);
  add (checks, CMA_CHECK_PASS, "server credentials accepted as administrator", "yes");
  check_pat_expiry (checks, ctx, http, learnt);
  check_connected_site (checks, ctx, http);
  if (enabled)
    add (checks, CMA_CHECK_PASS, title, "%s", p->plugin_key);
  else
    add (checks, CMA_CHECK_FAIL, title, "%s is installed but disabled; enable it in Manage apps",
         p->assistant_name);
  if (cma_api_check_version (p, version, &error))
    add (checks, CMA_CHECK_PASS, vtitle, "%s", version);
  else
    add (checks, CMA_CHECK_FAIL, vtitle, "%s", error->message);
  check_attach_version (checks, ctx, version);
  check_clock (checks, http, CMA_SIDE_SERVER);
  return g_steal_pointer (&version);
}

/* FALSE when the cloud API's certificate failed verification: every
 * other Atlassian host would fail the same way, said once is enough. */
static gboolean
check_cloud (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CmaAuthToken) token = NULL;

  /* Creating an auth token changes nothing: unsaved, it expires in five
   * minutes. It is the only call that proves the credentials work. */
  token = cma_api_create_auth_token (http, ctx, &error);
  if (token == NULL)
    {
      add (checks, CMA_CHECK_FAIL, "cloud API reachable and credentials accepted", "%s",
           error->message);
      return error->code != CMA_ERROR_TLS;
    }
  add (checks, CMA_CHECK_PASS, "cloud API reachable and credentials accepted", "%s as %s",
       ctx->conn->cloud_api_url, ctx->conn->cloud_user);
  check_clock (checks, http, CMA_SIDE_CLOUD);
  return TRUE;
}

/* Cloud API tokens expire (after at most a year) and no API tells when,
 * so only the date the administrator wrote down can warn in time. */
static void
check_cloud_token_expiry (GPtrArray *checks, const CmaConnection *conn)
{
  static const CmaCheckResult results[] = {
    [CMA_STATE_OK] = CMA_CHECK_PASS,
    [CMA_STATE_WARNING] = CMA_CHECK_WARN,
    [CMA_STATE_CRITICAL] = CMA_CHECK_FAIL,
    [CMA_STATE_UNKNOWN] = CMA_CHECK_WARN,
  };
  const char *title = "cloud API token expiry known";
  CmaCredentialExpiry c;
  g_autofree char *phrase = NULL;

  if (!cma_status_credential (conn, CMA_CREDENTIAL_CLOUD_TOKEN, cma_clock_now (), &c))
    {
      add (checks, CMA_CHECK_WARN, title,
           "cloud-token-expires is not set; API tokens expire after at most a year and no "
           "API tells when: look the date up where the token was created (Atlassian account, "
           "Security, API tokens) and set cloud-token-expires = YYYY-MM-DD");
      return;
    }
  phrase = cma_credential_phrase (&c, TRUE);
  add (checks, results[c.state], title, "%s%s", phrase,
       c.state == CMA_STATE_OK ? "" : "; create a new token and update cloud-token-expires");
}

/* The personal access token expires too (if its creator gave it a date);
 * the server's own list says when, and @learnt keeps it for status.
 * Where it lists none, nothing is wrong: a skipped check. */
static void
check_pat_expiry (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http, CmaFacts *learnt)
{
  const char *title = "server personal access token expiry";
  g_autoptr (GError) error = NULL;
  g_auto (CmaPatInfo) info = { NULL };
  g_autofree char *how = NULL;
  g_autofree char *when = NULL;
  CmaCredentialExpiry c;

  learnt->server_token_asked = (CmaMaybeInstant){ TRUE, cma_clock_now () };
  if (!cma_pat_get_info (http, ctx, &info, &error))
    {
      add (checks, error->code == CMA_ERROR_NOT_SUPPORTED ? CMA_CHECK_SKIP : CMA_CHECK_WARN, title,
           "%s", error->message);
      return;
    }
  cma_pat_info_to_fact (&info, cma_clock_now (), &learnt->server_token);
  how = cma_pat_match_phrase (&info);
  if (!info.expires)
    {
      add (checks, CMA_CHECK_PASS, title, "\"%s\" never expires (%s)", info.name ? info.name : "",
           how);
      return;
    }
  cma_status_credential_from (ctx->conn, CMA_CREDENTIAL_SERVER_TOKEN, CMA_STATUS_SERVER_TOKEN_LIST,
                              info.expires_at, cma_clock_now (), &c);
  when = cma_time_format_iso (info.expires_at);
  add (checks, c.state == CMA_STATE_OK ? CMA_CHECK_PASS : CMA_CHECK_WARN, title,
       "\"%s\", %s, expires in %.1f days (%s)%s", info.name ? info.name : "", how,
       cma_days_shown (c.days_left), when,
       ctx->conn->server_token_expires.known ? "" : "; renew and doctor keep this date for status");
}

/* The save makes the server itself call api.atlassian.com; without that
 * outbound access it fails with the same 500 as a stale token. Nothing
 * here can test it short of saving a token, so doctor says how to. */
static void
add_egress_advice (GPtrArray *checks, const CmaApiContext *ctx)
{
  add (checks, CMA_CHECK_SKIP, "server's own access to api.atlassian.com",
       "not testable from here; on the %s host, as its service user, run "
       "'curl -sI https://api.atlassian.com/' (any HTTP answer will do), and behind a proxy "
       "give the JVM -Dhttps.proxyHost and -Dhttps.proxyPort",
       ctx->product->product_name);
}

/* What the server said, kept beside the ledger for status and guide, in
 * a state directory that exists already: doctor may run as another user
 * than the renewals, and must not create theirs. */
static void
keep_facts (GPtrArray *checks, CmaStore *store, const CmaConnection *conn, const CmaFacts *learnt)
{
  g_autoptr (GError) error = NULL;

  if (store == NULL || !g_file_test (cma_store_get_dir (store), G_FILE_TEST_IS_DIR))
    return;
  if (!cma_store_note_facts (store, conn, learnt, &error))
    add (checks, CMA_CHECK_SKIP, "what the server said, kept for status", "%s", error->message);
}

/* A failed client is a failed check, like every other problem here. */
static CmaHttp *
new_http (GPtrArray *checks, const CmaHttpOptions *options)
{
  g_autoptr (GError) error = NULL;
  CmaHttp *http = cma_http_new (options, &error);

  if (http == NULL)
    add (checks, CMA_CHECK_FAIL, "HTTP client", "%s", error->message);
  return http;
}

/* Beyond the two sides: the other hosts a migration needs, and the
 * Marketplace, on a handle of their own (the tests redirect it); all of
 * Atlassian, so --no-cloud skips them. */
static void
check_outward (GPtrArray *checks, const CmaApiContext *ctx, const CmaHttpOptions *http_options,
               gboolean no_cloud, gboolean cloud_tls_ok, const char *version)
{
  g_autoptr (CmaHttp) http = NULL;

  if (no_cloud || !cloud_tls_ok)
    add (checks, CMA_CHECK_SKIP, CMA_DOCTOR_REACH_TITLE, "%s",
         no_cloud ? "skipped (--no-cloud)"
                  : "skipped: the cloud API's certificate failed verification above, as theirs "
                    "would with the same cloud-ca-file");
  if (no_cloud)
    {
      g_autofree char *title = cma_doctor_latest_title (ctx->product);

      add (checks, CMA_CHECK_SKIP, title, "skipped (--no-cloud)");
      return;
    }
  if ((http = new_http (checks, http_options)) == NULL)
    return;
  if (cloud_tls_ok)
    cma_doctor_check_reach (checks, ctx, http);
  cma_doctor_check_latest (checks, ctx, http, version);
}

GPtrArray *
cma_doctor_check_connection (const CmaProduct *product, const CmaConnection *conn,
                             const CmaDoctorOptions *options)
{
  GPtrArray *checks = checks_new ();
  g_autoptr (CmaSecret) cloud = NULL;
  g_autoptr (CmaSecret) server = NULL;
  g_autoptr (CmaHttp) http = NULL;
  g_autoptr (CmaHttp) cloud_http = NULL;
  g_autofree char *version = NULL;
  CmaHttpOptions http_options = {
    .ca_file = conn->ca_file,
    .cloud_ca_file = conn->cloud_ca_file,
    .timeout = conn->timeout,
    .attempts = 1,
    .trace = options->trace,
    .trace_data = options->trace_data,
  };
  CmaApiContext ctx = { product, conn, NULL, NULL };
  gboolean cloud_tls_ok = TRUE;
  g_autoptr (CmaFacts) learnt = cma_facts_new (conn);

  server = check_secret (checks, "server credentials", conn, cma_secret_load_server);
  if (!options->no_cloud)
    {
      cloud = check_secret (checks, "cloud credentials", conn, cma_secret_load_cloud);
      check_cloud_token_expiry (checks, conn);
    }
  if ((http = new_http (checks, &http_options)) == NULL)
    return checks;
  ctx.cloud_token = cloud;
  ctx.server_secret = server;
  if (server != NULL)
    version = check_server (checks, &ctx, http, learnt);
  keep_facts (checks, options->store, conn, learnt);
  add_egress_advice (checks, &ctx);
  /* The cloud gets a handle of its own, so its clock check reads the
   * cloud's Date header and never one left over from the server. */
  if (options->no_cloud)
    add (checks, CMA_CHECK_SKIP, "cloud API reachable and credentials accepted",
         "skipped (--no-cloud)");
  else if (cloud != NULL && (cloud_http = new_http (checks, &http_options)) != NULL)
    cloud_tls_ok = check_cloud (checks, &ctx, cloud_http);
  if (cloud_tls_ok)
    cma_doctor_check_verdict (checks, &ctx, cloud_http, options->store);
  http_options.connect_to = options->connect_to;
  check_outward (checks, &ctx, &http_options, options->no_cloud, cloud_tls_ok, version);
  return checks;
}

char *
cma_doctor_http_library (GError **error)
{
  return cma_curl_version_text (error);
}
