/* SPDX-License-Identifier: MIT */
/* cma-doctor-reach.c: doctor's look outward: the path from this machine
 * to every host Atlassian's migration allowlist names, and how far the
 * installed assistant is behind the Marketplace's latest version. */
#include "config.h"

#include "cma-allowlist.h"
#include "cma-api-marketplace.h"
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
