/* SPDX-License-Identifier: MIT */
/* cma-renew.c: due check, the two API calls, and the ledger entry. */
#include "config.h"

#include <math.h>

#include "cma-api.h"
#include "cma-auth-ahead.h"
#include "cma-error.h"
#include "cma-probe.h"
#include "cma-renew.h"
#include "cma-sites.h"
#include "cma-store.h"

void
cma_renew_result_clear (CmaRenewResult *result)
{
  g_clear_pointer (&result->fingerprint, g_free);
  g_clear_pointer (&result->assistant_version, g_free);
  g_clear_pointer (&result->secret_origins, g_free);
  g_clear_pointer (&result->warning, g_free);
}

typedef struct {
  CmaSecret *cloud;
  CmaSecret *server;
} Secrets;

static void
secrets_clear (Secrets *s)
{
  g_clear_pointer (&s->cloud, cma_secret_free);
  g_clear_pointer (&s->server, cma_secret_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Secrets, secrets_clear)

static gboolean
load_secrets (const CmaConnection *conn, Secrets *s, GError **error)
{
  return (s->cloud = cma_secret_load_cloud (conn, error)) != NULL &&
         (s->server = cma_secret_load_server (conn, error)) != NULL;
}

/* Due when nothing is recorded, or fewer than renew-within days remain. */
static gboolean
is_due (const CmaVerdict *v, double renew_within)
{
  return !v->known || v->days_left < renew_within;
}

static gboolean
evaluate_now (const CmaPolicy *policy, CmaStore *store, const CmaConnection *conn, CmaVerdict *out,
              GError **error)
{
  gboolean known;
  CmaInstant last;

  /* Under the connection's lock, so a renewal another run recorded
   * meanwhile is seen: only what the ledger gained is read. */
  if (!cma_store_last_renewed (store, conn, &known, &last, error))
    return FALSE;
  cma_policy_evaluate (policy, known, last, cma_clock_now (), out);
  return TRUE;
}

/* The plugin manager proves reachability, TLS and administrator
 * credentials on the server. */
static gboolean
check_assistant (const CmaApiContext *ctx, CmaHttp *http, CmaRenewResult *result, GError **error)
{
  gboolean enabled = FALSE;

  if (!cma_api_get_assistant (http, ctx, &result->assistant_version, &enabled, error) ||
      !cma_api_check_version (ctx->product, result->assistant_version, error))
    return FALSE;
  if (!enabled)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                   "the %s is installed but disabled on %s; enable it in Manage apps",
                   ctx->product->assistant_name, ctx->conn->server_url);
      return FALSE;
    }
  return TRUE;
}

static gboolean
dry_run (const CmaApiContext *ctx, CmaHttp *http, const CmaHttpOptions *http_options,
         CmaRenewResult *result, GError **error)
{
  /* On the cloud side only creating an auth token proves the credentials;
   * it has no lasting effect (unsaved, it lapses in five minutes), so it
   * is created and dropped, beside the server's check as the two are
   * independent. When both fail, the server's error is the one reported,
   * as when the token came second; a token made while the server check
   * failed is harmless, and letting it finish keeps the requests a run
   * makes the same whatever the timing. */
  g_autoptr (CmaAuthAhead) ahead = cma_auth_ahead_start (http_options, ctx);
  gboolean server_ok = check_assistant (ctx, http, result, error);
  g_autoptr (CmaAuthToken) token =
      cma_auth_ahead_finish (ahead, &result->requests, &result->connects, server_ok ? error : NULL);

  if (!server_ok || token == NULL)
    return FALSE;
  result->outcome = CMA_RENEW_WOULD_RENEW;
  return TRUE;
}

/* The first auth token. Cold, with no connection to the server open yet,
 * it is made on a thread while this one opens that connection with the
 * server's unauthenticated status resource, so the two hosts' TLS set-up
 * and first round trips overlap and the save finds its connection open.
 * The status answer itself is not needed: whatever fails there after the
 * server answered fails again in the save, which reports it. But a server
 * not reached at all (DNS, connect, timeout, TLS) is reported from the
 * status request, and the save is not tried: it would only wait for the
 * same failure a second time, doubling the time a failing run takes. The
 * token's error comes first, as without the overlap. Warm (a run's later
 * renewals), or beside other renewals, which overlap with it anyway, the
 * save makes the token itself: a status request would only add work. */
static gboolean
first_token (const CmaApiContext *ctx, CmaHttp *http, const CmaRenewOptions *options,
             const CmaHttpOptions *http_options, CmaRenewResult *result, CmaAuthToken **token,
             GError **error)
{
  g_autoptr (CmaAuthAhead) ahead = NULL;
  g_autoptr (GError) unreached = NULL;
  gboolean reached;

  if (!options->alone || cma_http_is_warm (http, ctx->conn->server_url))
    return TRUE;
  ahead = cma_auth_ahead_start (http_options, ctx);
  reached = cma_probe_server_reach (http, ctx->conn->server_url, &unreached);
  *token = cma_auth_ahead_finish (ahead, &result->requests, &result->connects, error);
  if (*token == NULL)
    return FALSE;
  if (reached)
    return TRUE;
  /* Made, but never to be saved: dropped (and wiped) here. */
  g_clear_pointer (token, cma_auth_token_free);
  g_propagate_error (error, g_steal_pointer (&unreached));
  return FALSE;
}

static gboolean
save_token (const CmaApiContext *ctx, CmaHttp *http, const CmaRenewOptions *options,
            const CmaHttpOptions *http_options, CmaRenewResult *result, GError **error)
{
  CmaAuthToken *token = NULL;

  return first_token (ctx, http, options, http_options, result, &token, error) &&
         cma_api_save_token (http, ctx, token, &result->fingerprint, &result->warning, error);
}

static gboolean
record (const CmaPolicy *policy, CmaStore *store, const CmaConnection *conn, CmaRenewResult *result,
        GError **error)
{
  CmaInstant now = cma_clock_now ();
  /* A cloud site the server named differently stays in the ledger, so
   * the difference is not lost with the run's stderr. */
  g_autoptr (CmaRenewal) renewal = cma_renewal_new (now, conn, "api", result->warning);
  g_autoptr (GError) local_error = NULL;

  renewal->fingerprint = g_strdup (result->fingerprint);
  /* The ledger lock only for the write: the connection's own lock already
   * keeps other runs from renewing this token meanwhile. */
  if (!cma_store_append (store, renewal, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE,
                   "the token was renewed on %s, but recording it failed: %s; record it "
                   "with 'record'",
                   conn->server_url, local_error->message);
      return FALSE;
    }
  cma_policy_evaluate (policy, TRUE, now, now, &result->after);
  result->outcome = CMA_RENEW_RENEWED;
  return TRUE;
}

/* After a save, the assistant's own list (undocumented) should show the
 * site; when it says otherwise that is worth a warning, and nothing more:
 * the save itself succeeded. */
static void
confirm_connected (CmaHttp *http, const CmaApiContext *ctx, CmaRenewResult *result)
{
  g_autofree char *detail = NULL;
  char *warning;

  if (cma_sites_check (http, ctx, &detail) != CMA_SITE_NOT_LISTED)
    return;
  warning =
      g_strdup_printf ("%s%safter the save, %s (undocumented API)",
                       result->warning ? result->warning : "", result->warning ? "; " : "", detail);
  g_free (result->warning);
  result->warning = warning;
}

static gboolean
renew_locked (const CmaProduct *product, const CmaPolicy *policy, CmaStore *store,
              const CmaConnection *conn, const CmaRenewOptions *options, const Secrets *secrets,
              CmaRenewResult *result, GError **error)
{
  CmaHttpOptions http_options = {
    .ca_file = conn->ca_file,
    .cloud_ca_file = conn->cloud_ca_file,
    .timeout = conn->timeout,
    .attempts = options->attempts,
    .max_retry_wait = options->max_retry_wait,
    .trace = options->trace,
    .trace_data = options->trace_data,
    .share = options->share,
  };
  double within = isnan (options->renew_within) ? conn->renew_within : options->renew_within;
  g_autoptr (CmaHttp) http = NULL;
  CmaApiContext ctx = { product, conn, secrets->cloud, secrets->server };
  gboolean ok;

  if (!evaluate_now (policy, store, conn, &result->before, error))
    return FALSE;
  if (!options->force && !is_due (&result->before, within))
    {
      result->outcome = CMA_RENEW_NOT_DUE;
      result->due_at = result->before.usable_until - cma_days_to_seconds (within);
      return TRUE;
    }

  /* Refuse plain http before the first request: otherwise the cloud side
   * would already have issued an auth token when the server URL is refused. */
  if (!cma_http_check_url (CMA_SIDE_CLOUD, conn->cloud_api_url, error) ||
      !cma_http_check_url (CMA_SIDE_SERVER, conn->server_url, error) ||
      (http = cma_http_new (&http_options, error)) == NULL)
    return FALSE;
  if (options->dry_run)
    ok = dry_run (&ctx, http, &http_options, result, error);
  else
    ok = save_token (&ctx, http, options, &http_options, result, error) &&
         record (policy, store, conn, result, error);
  if (ok && !options->dry_run)
    confirm_connected (http, &ctx, result);
  /* Added to: a thread's requests are counted already. */
  result->requests += cma_http_get_requests (http);
  result->connects += cma_http_get_connects (http);
  return ok;
}

gboolean
cma_renew (const CmaProduct *product, const CmaPolicy *policy, CmaStore *store,
           const CmaConnection *conn, const CmaRenewOptions *options, CmaRenewResult *result,
           GError **error)
{
  g_auto (Secrets) secrets = { NULL, NULL };
  g_autoptr (CmaLock) lock = NULL;

  if (!load_secrets (conn, &secrets, error))
    return FALSE;
  result->secret_origins = g_strdup_printf ("cloud token from %s, server credential from %s",
                                            secrets.cloud->origin, secrets.server->origin);
  /* Hold this connection's lock from the due check to the ledger write, so
   * a second run on it waits, then sees the first one's renewal and finds
   * nothing due; runs renewing other connections go on meanwhile. A dry
   * run writes nothing and so takes no lock. */
  if (!options->dry_run && (lock = cma_store_lock_connection (
                                store, conn, CMA_LEDGER_LOCK_TIMEOUT_SECONDS, error)) == NULL)
    return FALSE;
  return renew_locked (product, policy, store, conn, options, &secrets, result, error);
}
