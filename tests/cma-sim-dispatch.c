/* SPDX-License-Identifier: MIT */
/* cma-sim-dispatch.c: which side answers a request, and /_sim/.
 *
 * GET /_sim/stats reports counters for tests and benchmarks, GET /_sim/sites
 * the saved cloudUrl strings; /_sim/ needs no auth and is neither counted
 * nor logged nor delayed, so that observing the simulator does not change
 * what is observed.  --stats-file keeps the same counters in a file, which
 * a shell test reads without starting a TLS client for every look.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cma-sim.h"

#define SIM_PREFIX "/_sim/"

/* Every counter, for /_sim/stats and --stats-file alike. */
static const struct {
  const char *name;
  gsize offset;
} counters[] = {
  { "requests", G_STRUCT_OFFSET (Sim, requests) },
  { "posts", G_STRUCT_OFFSET (Sim, posts) },
  { "connections", G_STRUCT_OFFSET (Sim, connections) },
  { "saved", G_STRUCT_OFFSET (Sim, saved) },
  { "tokens_issued", G_STRUCT_OFFSET (Sim, tokens_issued) },
  { "attaches", G_STRUCT_OFFSET (Sim, attaches) },
  { "attach_refusals", G_STRUCT_OFFSET (Sim, attach_refusals) },
  { "tasks_created", G_STRUCT_OFFSET (Sim, tasks_created) },
};

static guint64
counter (const Sim *sim, guint i)
{
  return G_STRUCT_MEMBER (guint64, sim, counters[i].offset);
}

static void
answer_sim_stats (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    member_int (builder, counters[i].name, counter (sim, i));
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* @contents in @path, atomically (a temporary file renamed over it): a
 * reader never sees half of it. Without the fsync that
 * G_FILE_SET_CONTENTS_CONSISTENT makes on ext4 when @path exists: the
 * tests' files need not survive a crash, and a fsync per request and per
 * reset was a wait of milliseconds each. */
gboolean
sim_write_file (const char *path, const char *contents, gssize length, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  int saved_errno;

  if (!g_file_set_contents_full (tmp, contents, length, G_FILE_SET_CONTENTS_NONE, 0644, error))
    return FALSE;
  if (g_rename (tmp, path) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", path,
               g_strerror (saved_errno));
  (void) g_unlink (tmp);
  return FALSE;
}

/* Rewritten (atomically: a reader never sees half of it) after every
 * counted request, before its answer leaves, so that a client that has its
 * answer finds the counters that include it. */
gboolean
write_stats_file (Sim *sim, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (sim->stats_file == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    g_string_append_printf (text, "%s %" G_GUINT64_FORMAT "\n", counters[i].name, counter (sim, i));
  return sim_write_file (sim->stats_file, text->str, text->len, error);
}

/* Lets a test check exactly which cloudUrl strings were saved, and when. */
static void
answer_sim_sites (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint i;

  json_builder_begin_array (builder);
  for (i = 0; i < sim->sites->len; i++)
    {
      const Site *site = g_ptr_array_index (sim->sites, i);

      json_builder_begin_object (builder);
      member_string (builder, "cloudUrl", site->cloud_url);
      member_int (builder, "saves", site->saves);
      member_int (builder, "lastSaved", site->last_saved / G_USEC_PER_SEC);
      member_int (builder, "attachedUntil", sim_attached_until (sim, site->cloud_url));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_sim_control (Sim *sim, SoupServerMessage *msg, const char *path)
{
  gboolean stats = g_str_equal (path, SIM_PREFIX "stats");

  if (!stats && !g_str_equal (path, SIM_PREFIX "sites"))
    answer_not_found (msg);
  else if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    answer_bad_method (msg, "GET");
  else if (stats)
    answer_sim_stats (sim, msg);
  else
    answer_sim_sites (sim, msg);
}

/* The path below the context path (always starting with '/'), or NULL if
 * @path is not inside it. */
static const char *
server_relative_path (Sim *sim, const char *path)
{
  gsize length = strlen (sim->context);

  if (strncmp (path, sim->context, length) != 0 || path[length] != '/')
    return NULL;
  return path + length;
}

void
handle_request (SoupServer *server G_GNUC_UNUSED, SoupServerMessage *msg, const char *path,
                GHashTable *query G_GNUC_UNUSED, gpointer user_data)
{
  Sim *sim = user_data;
  g_autoptr (GError) error = NULL;
  const char *rest;

  if (g_str_has_prefix (path, SIM_PREFIX))
    {
      handle_sim_control (sim, msg, path);
      set_common_headers (sim, msg);
      return;
    }

  sim->requests++;
  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    sim->posts++;
  count_connection (sim, msg);

  /* The cloud path wins if --context-path is "/" and would also match. */
  if (g_str_equal (path, CLOUD_TOKEN_PATH))
    handle_cloud_token (sim, msg);
  else if (is_marketplace_path (path))
    handle_marketplace (sim, msg, path);
  else if (is_jobs_path (path))
    handle_jobs (sim, msg, path);
  else if ((rest = server_relative_path (sim, path)) != NULL)
    handle_server (sim, msg, rest);
  else
    answer_not_found (msg);
  if (!write_stats_file (sim, &error))
    g_printerr ("cma-sim: %s\n", error->message);
  deliver (sim, msg);
}
