/* SPDX-License-Identifier: MIT */
/* cma-renew.c: due check, the two API calls, and the ledger entry. */
#include "config.h"

#include <math.h>

#include "cma-api-check.h"
#include "cma-api-pat.h"
#include "cma-api-attach.h"
#include "cma-api.h"
#include "cma-error.h"
#include "cma-renew.h"
#include "cma-status.h"
#include "cma-store.h"

void
cma_renew_result_clear (CmaRenewResult *result)
{
  g_clear_pointer (&result->fingerprint, g_free);
  g_clear_pointer (&result->assistant_version, g_free);
  g_clear_pointer (&result->secret_origins, g_free);
  g_clear_pointer (&result->warning, g_free);
  g_clear_pointer (&result->check_note, g_free);
  g_clear_pointer (&result->learnt, g_free);
  g_clear_pointer (&result->facts, cma_facts_free);
}

const char *
cma_renew_attach_action (const CmaConnection *conn, const CmaRenewResult *result, gboolean failed)
{
  if (conn->attach != CMA_SWITCH_ON)
    return NULL;
  if (result->attach == CMA_ATTACH_ATTACHED)
    return "attached";
  if (result->attach == CMA_ATTACH_NOT_DUE)
    return "not-due";
  if (result->attach == CMA_ATTACH_WOULD_ATTACH && !failed)
    return "would-attach";
  return "not-attached";
}

const CmaAttachFact *
cma_renew_attach_in_effect (const CmaRenewResult *result)
{
  if (result->attach == CMA_ATTACH_ATTACHED)
    return &result->attach_after;
  return result->attach_before.known ? &result->attach_before : NULL;
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

/* The server's check comes first, so that when both sides would fail the
 * server's error is the one reported. On the cloud side only creating an
 * auth token proves the credentials; it has no lasting effect (unsaved,
 * it lapses in five minutes), so it is created and dropped. An attach
 * would last 24 hours, so it is not made: its version is checked. */
static gboolean
dry_run (const CmaApiContext *ctx, CmaHttp *http, gboolean token_due, CmaRenewResult *result,
         GError **error)
{
  g_autoptr (CmaAuthToken) token = NULL;

  if (!check_assistant (ctx, http, result, error))
    return FALSE;
  if (result->attach == CMA_ATTACH_WOULD_ATTACH &&
      !cma_api_check_attach_version (ctx->product, result->assistant_version, error))
    return FALSE;
  if (token_due && (token = cma_api_create_auth_token (http, ctx, error)) == NULL)
    return FALSE;
  if (token_due)
    result->outcome = CMA_RENEW_WOULD_RENEW;
  return TRUE;
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

/* Whether the last verdict remembered for @conn is younger than a day
 * (cma_facts_token_check_due, the server token list's rule): task
 * creation is limited to 5 a minute for the whole site. One dated after
 * @now (a clock set back) is not, or it would silence the assistant
 * until the clock caught up. */
static gboolean
verdict_is_recent (CmaStore *store, const CmaConnection *conn, CmaInstant now)
{
  g_autoptr (GPtrArray) facts = cma_store_load_facts (store, NULL);
  const CmaFacts *f = facts != NULL ? cma_facts_find (facts, conn) : NULL;

  return !cma_facts_token_check_due (f, now);
}

/* The verdict just read, for the state this run reports and gives its
 * hooks: status reads it from the facts from now on, and both must agree. */
static void
keep_verdict (const CmaConnection *conn, const CmaTokenCheck *check, CmaInstant at,
              CmaRenewResult *result)
{
  CmaTokenCheckFact *fact;

  if (result->facts == NULL)
    result->facts = cma_facts_new (conn);
  fact = &result->facts->token_check;
  cma_token_check_fact_clear (fact);
  *fact = (CmaTokenCheckFact){
    .known = TRUE,
    .at = at,
    .task_id = g_strdup (check->task_id),
    .status = g_strdup (check->status),
    .outcome = g_strdup (check->outcome),
    .message = g_strdup (check->message),
  };
}

/* With job-id, once a day: the assistant's verdict, remembered; what to
 * tell the administrator goes to result->check_note. Never fails the
 * renewal, which is the two documented calls and nothing else. */
static void
ask_verdict_daily (const CmaApiContext *ctx, const CmaHttpOptions *http_options, CmaStore *store,
                   CmaRenewResult *result)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CmaHttp) http = NULL;
  g_auto (CmaTokenCheck) check = { NULL };
  CmaInstant now = cma_clock_now ();

  if (ctx->conn->job_id == NULL)
    return;
  if ((result->check_note = cma_token_check_unknown (ctx->product)) != NULL ||
      verdict_is_recent (store, ctx->conn, now))
    return;
  if ((http = cma_http_new (http_options, &error)) == NULL ||
      !cma_api_token_check (http, ctx, CMA_TOKEN_CHECK_MAX_WAIT, &check, &error) ||
      (check.outcome != NULL && !cma_token_check_remember (store, ctx->conn, &check, now, &error)))
    {
      result->check_note =
          g_strdup_printf ("the assistant's verdict was not read: %s", error->message);
      return;
    }
  if (check.outcome != NULL)
    keep_verdict (ctx->conn, &check, now, result);
  if (check.outcome == NULL)
    result->check_note = g_strdup_printf ("the assistant's check (task %s) did not finish "
                                          "within %.0f s; asked again at the next run",
                                          check.task_id, CMA_TOKEN_CHECK_MAX_WAIT);
  else if (!g_str_equal (check.outcome, "SUCCESS"))
    result->check_note = g_strdup_printf (
        "the assistant's token check: %s%s%s%s", check.outcome, check.message ? ", it said \"" : "",
        check.message ? check.message : "", check.message ? "\"" : "");
}

/* What the server's token list says of the token renewals use, asked
 * after the renewal is recorded and kept beside the ledger for status.
 * At most once a day (a failed ask counts), never with Basic
 * authentication, and never a reason for the renewal to fail: what
 * went wrong is for -v only. */
static void
learn_server_token (CmaStore *store, const CmaApiContext *ctx, CmaHttp *http,
                    CmaRenewResult *result)
{
  g_autoptr (GPtrArray) known = cma_store_load_facts (store, NULL);
  g_autoptr (CmaFacts) learnt = NULL;
  g_auto (CmaPatInfo) info = { NULL };
  g_autoptr (GError) error = NULL;
  CmaInstant now = cma_clock_now ();

  /* A damaged file counts as nothing known: the note writes it anew. */
  if (ctx->conn->server_user != NULL ||
      (known != NULL && !cma_facts_server_token_due (cma_facts_find (known, ctx->conn), now)))
    return;
  learnt = cma_facts_new (ctx->conn);
  /* Asked and not answered is kept too: not asked again within the day. */
  learnt->server_token_asked = (CmaMaybeInstant){ TRUE, now };
  if (cma_pat_get_info (http, ctx, &info, &error))
    cma_pat_info_to_fact (&info, cma_clock_now (), &learnt->server_token);
  else
    result->learnt = g_strdup_printf ("the server's token list was not read: %s", error->message);
  g_clear_error (&error);
  if (!cma_store_note_facts (store, ctx->conn, learnt, &error))
    {
      g_free (result->learnt);
      result->learnt = g_strdup_printf ("what the server said was not kept: %s", error->message);
    }
  else if (result->learnt == NULL)
    result->learnt = g_strdup ("the server's token list was read and kept for status");
  if (learnt->server_token.known)
    result->facts = g_steal_pointer (&learnt);
}

/* The attach record: the last attach of @conn's token, kept in the
 * store's facts. A facts file that cannot be read leaves it unknown, so
 * the site is attached again: never a reason to fail the run. */
static void
last_attach (CmaStore *store, const CmaConnection *conn, CmaAttachFact *out)
{
  g_autoptr (GPtrArray) facts = cma_store_load_facts (store, NULL);
  const CmaFacts *mine = facts != NULL ? cma_facts_find (facts, conn) : NULL;

  *out = mine != NULL ? mine->attach : (CmaAttachFact){ 0 };
}

static gboolean
note_attach (CmaStore *store, const CmaConnection *conn, const CmaAttachFact *attach,
             GError **error)
{
  g_autoptr (CmaFacts) learnt = cma_facts_new (conn);

  learnt->attach = *attach;
  return cma_store_note_facts (store, conn, learnt, error);
}

/* Due when never attached, or attach-margin hours ago or longer; a
 * forced run attaches too. */
static CmaAttachOutcome
attach_due (CmaStore *store, const CmaConnection *conn, const CmaRenewOptions *options,
            CmaRenewResult *result)
{
  CmaInstant now = cma_clock_now ();
  CmaAttachVerdict v;

  if (conn->attach != CMA_SWITCH_ON)
    return CMA_ATTACH_OFF;
  last_attach (store, conn, &result->attach_before);
  cma_status_attach (conn, &result->attach_before, now, &v);
  if (options->force || !v.known || v.seconds_left <= 0 ||
      (double) (now - v.attached_at) >= conn->attach_margin * 3600)
    return CMA_ATTACH_WOULD_ATTACH;
  return CMA_ATTACH_NOT_DUE;
}

static gboolean
attach (const CmaApiContext *ctx, CmaHttp *http, CmaStore *store, CmaRenewResult *result,
        GError **error)
{
  CmaInstant now = cma_clock_now ();
  g_autoptr (GError) local_error = NULL;

  if (!cma_api_attach (http, ctx, error))
    return FALSE;
  result->attach_after = (CmaAttachFact){
    .known = TRUE,
    .read_at = now,
    .attached_at = now,
    .until = now + CMA_ATTACH_LIFETIME_HOURS * 3600,
  };
  result->attach = CMA_ATTACH_ATTACHED;
  if (!note_attach (store, ctx->conn, &result->attach_after, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE,
                   "the cloud site %s was attached on %s, but recording it failed: %s",
                   ctx->conn->cloud_url, ctx->conn->server_url, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The calls a due connection needs: the renewal first, since an attach
 * needs a valid token. */
static gboolean
renew_calls (const CmaApiContext *ctx, CmaHttp *http, const CmaPolicy *policy, CmaStore *store,
             gboolean token_due, CmaRenewResult *result, GError **error)
{
  if (token_due &&
      (!cma_api_save_token (http, ctx, &result->fingerprint, &result->warning, error) ||
       !record (policy, store, ctx->conn, result, error)))
    return FALSE;
  if (result->attach == CMA_ATTACH_WOULD_ATTACH && !attach (ctx, http, store, result, error))
    {
      if (token_due)
        g_prefix_error (error, "the token was renewed and recorded, but ");
      return FALSE;
    }
  return TRUE;
}

/* What a due token or attach needs from both sides, and what is learnt
 * once the renewal is recorded. */
static gboolean
make_calls (const CmaApiContext *ctx, const CmaHttpOptions *http_options, const CmaPolicy *policy,
            CmaStore *store, gboolean token_due, gboolean dry, CmaRenewResult *result,
            GError **error)
{
  const CmaConnection *conn = ctx->conn;
  g_autoptr (CmaHttp) http = NULL;
  gboolean ok;

  /* Refuse plain http before the first request: otherwise the cloud side
   * would already have issued an auth token when the server URL is refused. */
  if (!cma_http_check_url (CMA_SIDE_CLOUD, conn->cloud_api_url, error) ||
      !cma_http_check_url (CMA_SIDE_SERVER, conn->server_url, error) ||
      (http = cma_http_new (http_options, error)) == NULL)
    return FALSE;
  /* One path: the auth token, the save, the record (and the attach).
   * Nothing is asked before the save (a 404 from it is explained
   * afterwards, cma-api.c), and the assistant's list of connected sites is
   * doctor's business. Only once the renewal is recorded, the server's
   * token list, at most daily. */
  if (dry)
    ok = dry_run (ctx, http, token_due, result, error);
  else
    ok = renew_calls (ctx, http, policy, store, token_due, result, error);
  if (ok && result->outcome == CMA_RENEW_RENEWED)
    learn_server_token (store, ctx, http, result);
  result->requests = cma_http_get_requests (http);
  result->connects = cma_http_get_connects (http);
  return ok;
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
  CmaApiContext ctx = { product, conn, secrets->cloud, secrets->server };
  gboolean token_due;
  gboolean ok = TRUE;

  if (!evaluate_now (policy, store, conn, &result->before, error))
    return FALSE;
  result->evaluated = TRUE;
  result->attach = attach_due (store, conn, options, result);
  token_due = options->force || is_due (&result->before, within);
  if (!token_due)
    {
      result->outcome = CMA_RENEW_NOT_DUE;
      result->due_at = result->before.usable_until - cma_days_to_seconds (within);
    }
  if (token_due || result->attach == CMA_ATTACH_WOULD_ATTACH)
    ok =
        make_calls (&ctx, &http_options, policy, store, token_due, options->dry_run, result, error);
  if (ok && !options->dry_run)
    ask_verdict_daily (&ctx, &http_options, store, result);
  return ok;
}

gboolean
cma_renew (const CmaProduct *product, const CmaPolicy *policy, CmaStore *store,
           const CmaConnection *conn, const CmaRenewOptions *options, CmaRenewResult *result,
           GError **error)
{
  g_auto (Secrets) secrets = { NULL, NULL };
  g_autoptr (CmaLock) lock = NULL;

  result->started = cma_clock_now ();
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
