/* SPDX-License-Identifier: MIT */
/* cma-doctor-reach.c: doctor's look outward: the path from this machine
 * to every host Atlassian's migration allowlist names, how far the
 * installed assistant is behind the Marketplace's latest version, and the
 * assistant's own verdict on the container token. */
#include "config.h"

#include "cma-allowlist.h"
#include "cma-api-check.h"
#include "cma-api-marketplace.h"
#include "cma-error.h"
#include "cma-status.h"
#include "cma-doctor-private.h"

/* The targets of the reach test, one per allowlist entry. */
static CmaHttpReach *
reach_targets (const CmaConnection *conn, guint *n, GPtrArray *urls)
{
  CmaHttpReach *targets;

  for (*n = 0; cma_allowlist[*n].listed != NULL; (*n)++)
    ;
  targets = g_new0 (CmaHttpReach, *n);
  for (guint i = 0; i < *n; i++)
    {
      g_autofree char *host = cma_allowlist_host (&cma_allowlist[i], conn->cloud_url);
      char *url = g_strconcat ("https://", host, "/", NULL);

      g_ptr_array_add (urls, url);
      targets[i].url = url;
    }
  return targets;
}

/* The failures, one "; "-separated phrase each, naming the listed host. */
static char *
reach_failures (const CmaHttpReach *targets, guint n, guint *failed)
{
  GString *text = g_string_new (NULL);

  *failed = 0;
  for (guint i = 0; i < n; i++)
    if (targets[i].error != NULL)
      {
        (*failed)++;
        g_string_append_printf (text, "%s%s (%s): %s", text->len ? "; " : "",
                                cma_allowlist[i].listed, cma_allowlist[i].purpose,
                                targets[i].error->message);
      }
  return g_string_free (text, FALSE);
}

void
cma_doctor_check_reach (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http)
{
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *failures = NULL;
  CmaHttpReach *targets;
  guint n, failed;

  targets = reach_targets (ctx->conn, &n, urls);
  cma_http_reach (http, CMA_SIDE_CLOUD, targets, n);
  failures = reach_failures (targets, n, &failed);
  if (failed == 0)
    cma_doctor_add (checks, CMA_CHECK_PASS, CMA_DOCTOR_REACH_TITLE,
                    "all %u hosts of the allowlist, the cloud site standing for *.atlassian.net; "
                    "%s itself may go out through other proxy settings (its JVM's)",
                    n, ctx->product->product_name);
  else
    cma_doctor_add (checks, CMA_CHECK_WARN, CMA_DOCTOR_REACH_TITLE,
                    "%u of %u hosts failed: %s; a migration needs them all: allow them in the "
                    "firewall or proxy (" CMA_ALLOWLIST_SOURCE ")",
                    failed, n, failures);
  for (guint i = 0; i < n; i++)
    g_clear_error (&targets[i].error);
  g_free (targets);
}

char *
cma_doctor_latest_title (const CmaProduct *product)
{
  return g_strdup_printf ("%s current with the Marketplace", product->assistant_abbrev);
}

void
cma_doctor_check_latest (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http,
                         const char *version)
{
  const CmaProduct *p = ctx->product;
  g_autofree char *title = cma_doctor_latest_title (p);
  g_autofree char *when = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (CmaMarketplaceLatest) latest = { NULL };

  if (version == NULL)
    {
      cma_doctor_add (checks, CMA_CHECK_SKIP, title, "skipped: the installed version is unknown");
      return;
    }
  if (!cma_marketplace_get_latest (http, p->plugin_key, &latest, &error))
    {
      cma_doctor_add (checks, CMA_CHECK_SKIP, title, "skipped: %s", error->message);
      return;
    }
  when = latest.released ? g_strdup_printf (", released %s", latest.released) : g_strdup ("");
  if (cma_version_compare (version, latest.version) >= 0)
    cma_doctor_add (checks, CMA_CHECK_PASS, title, "%s installed; the latest is %s%s", version,
                    latest.version, when);
  else
    cma_doctor_add (checks, CMA_CHECK_WARN, title,
                    "%s installed, behind the latest %s%s; Atlassian recommends keeping the %s "
                    "current and blocks old versions: update it in Manage apps",
                    version, latest.version, when, p->assistant_name);
}

/* ---- the assistant's verdict ---- */

/* The evaluator's judgement (cma-status.c), as a check's result; a
 * SKIPPED check judged nothing. */
static CmaCheckResult
verdict_result (const char *outcome)
{
  if (g_strcmp0 (outcome, "SKIPPED") == 0)
    return CMA_CHECK_SKIP;
  switch (cma_status_token_check_state (outcome))
    {
    case CMA_STATE_OK:
      return CMA_CHECK_PASS;
    case CMA_STATE_CRITICAL:
      return CMA_CHECK_FAIL;
    default:
      return CMA_CHECK_WARN;
    }
}

static void
report_verdict (GPtrArray *checks, const char *title, const CmaTokenCheck *check)
{
  CmaCheckResult result;

  if (check->outcome == NULL)
    {
      cma_doctor_add (checks, CMA_CHECK_SKIP, title,
                      "task %s not finished within %.0f s (status %s); ask again later",
                      check->task_id, CMA_TOKEN_CHECK_MAX_WAIT, check->status);
      return;
    }
  result = verdict_result (check->outcome);
  cma_doctor_add (checks, result, title, "%s (task %s)%s%s%s%s", check->outcome, check->task_id,
                  check->message ? ", it said \"" : "", check->message ? check->message : "",
                  check->message ? "\"" : "",
                  result == CMA_CHECK_FAIL ? "; renew the token (connect to cloud again)" : "");
}

void
cma_doctor_check_verdict (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http,
                          CmaStore *store)
{
  g_autofree char *title = NULL;
  g_autofree char *unknown = cma_token_check_unknown (ctx->product);
  g_autoptr (GError) error = NULL;
  g_auto (CmaTokenCheck) check = { NULL };

  if (ctx->conn->job_id == NULL)
    return; /* not asked for: no line */
  title = g_strdup_printf ("%s's verdict on the container token (Check task of job-id)",
                           ctx->product->assistant_abbrev);
  if (unknown != NULL)
    cma_doctor_add (checks, CMA_CHECK_SKIP, title, "%s", unknown);
  else if (ctx->cloud_token == NULL || http == NULL)
    cma_doctor_add (checks, CMA_CHECK_SKIP, title,
                    "skipped: no cloud credentials to ask with (--no-cloud, or see above)");
  else if (!cma_api_token_check (http, ctx, CMA_TOKEN_CHECK_MAX_WAIT, &check, &error))
    cma_doctor_add (checks, error->code == CMA_ERROR_TEMPORARY ? CMA_CHECK_WARN : CMA_CHECK_FAIL,
                    title, "%s", error->message);
  else
    {
      report_verdict (checks, title, &check);
      if (check.outcome != NULL && store != NULL &&
          !cma_token_check_remember (store, ctx->conn, &check, cma_clock_now (), &error))
        cma_doctor_add (checks, CMA_CHECK_WARN, "verdict remembered", "%s", error->message);
    }
}
