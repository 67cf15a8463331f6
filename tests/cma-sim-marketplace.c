/* SPDX-License-Identifier: MIT */
/* cma-sim-marketplace.c: marketplace.atlassian.com's latest version of
 * the assistant (REST v2, no authentication), which doctor compares with
 * the installed one. The tests reach it through CMA_CONNECT_TO, so the
 * request arrives here whatever host it named.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cma-sim.h"

#define ADDONS_PREFIX "/rest/2/addons/"
#define LATEST_SUFFIX "/versions/latest"

gboolean
is_marketplace_path (const char *path)
{
  return g_str_has_prefix (path, ADDONS_PREFIX) && g_str_has_suffix (path, LATEST_SUFFIX);
}

/* {"name": "1.12.40", "release": {"date": "2026-11-20"}, ...} for the
 * assistant's key, by default the version installed: doctor finds it
 * current unless a test says otherwise. 404 for any other app;
 * --marketplace-status instead when set. */
void
handle_marketplace (Sim *sim, SoupServerMessage *msg, const char *path)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *key =
      g_strndup (path + strlen (ADDONS_PREFIX),
                 strlen (path) - strlen (ADDONS_PREFIX) - strlen (LATEST_SUFFIX));

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      answer_bad_method (msg, "GET");
      return;
    }
  if (sim->marketplace_status != 0 && sim->marketplace_status != SOUP_STATUS_OK)
    {
      answer_cloud_error (msg, (guint) sim->marketplace_status, "Marketplace unavailable");
      return;
    }
  if (!g_str_equal (key, sim->plugin_key))
    {
      answer_not_found (msg);
      return;
    }
  json_builder_begin_object (builder);
  member_string (builder, "name",
                 sim->marketplace_version ? sim->marketplace_version : plugin_version (sim));
  member_int (builder, "buildNumber", 1000);
  json_builder_set_member_name (builder, "release");
  json_builder_begin_object (builder);
  member_string (builder, "date", "2026-11-20");
  member_boolean (builder, "beta", FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}
