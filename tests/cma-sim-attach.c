/* SPDX-License-Identifier: MIT */
/* cma-sim-attach.c: the Migration API's
 * POST {context}/rest/migration/latest/public/v1/attach?cloudUrl=SITE.
 *
 * Atlassian: "Attaching a cloud_site_url is valid for 24 hours. After 24
 * hours, you have to reattach it." The assistant attaches only a site it
 * holds a valid container token for, and otherwise says "The destination
 * cloud site is not authorized with the server. Please authorize the
 * cloud site and retry." Assistants before the Migration API (attach-404,
 * plugin-old, plugin-missing) have no such resource. Every 200 is counted
 * ("attaches" in /_sim/stats) and remembered per site ("attachedUntil"
 * in /_sim/sites).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cma-sim.h"

#define ATTACH_LIFETIME_SECONDS (24 * 3600)
#define NOT_AUTHORIZED_TEXT                                                                        \
  "The destination cloud site is not authorized with the server. Please authorize the cloud "      \
  "site and retry."

gint64
sim_attached_until (Sim *sim, const char *cloud_url)
{
  const gint64 *until = g_hash_table_lookup (sim->attached, cloud_url);

  return until != NULL ? *until : 0;
}

/* The cloudUrl query parameter, or NULL. */
static char *
query_cloud_url (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr (GHashTable) params = NULL;

  if (query == NULL ||
      (params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL)) == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, "cloudUrl"));
}

/* Remember the attach, answer as the assistant's public API does. */
static void
attach_site (Sim *sim, SoupServerMessage *msg, const char *cloud_url)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gint64 until = g_get_real_time () / G_USEC_PER_SEC + ATTACH_LIFETIME_SECONDS;
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (until);
  g_autofree char *expiry = g_date_time_format_iso8601 (t);

  g_hash_table_replace (sim->attached, g_strdup (cloud_url), g_memdup2 (&until, sizeof until));
  sim->attaches++;
  json_builder_begin_object (builder);
  member_string (builder, "cloudUrl", cloud_url);
  member_string (builder, "expiryTime", expiry);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

void
handle_attach (Sim *sim, SoupServerMessage *msg)
{
  g_autofree char *cloud_url = NULL;

  if (has_fault (sim, FAULT_ATTACH_404) || has_fault (sim, FAULT_PLUGIN_OLD) ||
      has_fault (sim, FAULT_PLUGIN_MISSING))
    {
      answer_not_found (msg);
      return;
    }
  if ((cloud_url = query_cloud_url (msg)) == NULL)
    {
      answer_server_error (msg, SOUP_STATUS_BAD_REQUEST, "cloudUrl is required");
      return;
    }
  if (!sim_site_authorized (sim, cloud_url))
    {
      sim->attach_refusals++;
      answer_server_error (msg, SOUP_STATUS_BAD_REQUEST, NOT_AUTHORIZED_TEXT);
      return;
    }
  attach_site (sim, msg, cloud_url);
}
