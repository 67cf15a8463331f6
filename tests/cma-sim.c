/* SPDX-License-Identifier: MIT */
/* cma-sim.c: test-bed simulator for cma-token.
 *
 * One HTTPS server on 127.0.0.1 that plays two parts at once:
 *
 *  - api.atlassian.com's  POST /migrations/public/v1/token  (cloud side), and
 *  - a Jira/Confluence server under --context-path with the Cloud Migration
 *    Assistant's  POST {context}/rest/migration/latest/cloud/save/token,
 *    the connected-site list, UPM's plugin resource, /rest/api/2/myself,
 *    the Migration API's attach (24 hours per attach, cma-sim-attach.c) and
 *    the unauthenticated {context}/status.
 *
 * Tokens issued by the cloud side are remembered with the exact cloudUrl
 * string and a monotonic creation time, so save/token can refuse stale or
 * mismatched tokens the way the real assistant does ("Exception in saving
 * token.", HTTP 500).  --fault switches on one misbehaviour each, so the
 * tool's error paths can be exercised without the real services.
 *
 * GET /_sim/stats reports counters for tests and benchmarks (attaches and
 * attach_refusals among them), GET /_sim/sites the saved cloudUrl strings
 * and until when each is attached; /_sim/ needs no auth and is neither counted
 * nor logged nor delayed, so that observing the simulator does not change
 * what is observed.
 *
 * --control-file lets a test script keep one simulator for all its cases:
 * the file's lines are options added to the command line's, and SIGHUP
 * makes the simulator read them again and start over as a new one would
 * (see reset_on_signal ()), where a new process would cost a start-up and
 * a TLS key load per case.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib-unix.h>
#include <gio/gio.h>

#include "cma-sim.h"

static const char *const fault_names[N_FAULTS] = {
  [FAULT_CLOUD_401] = "cloud-401",
  [FAULT_CLOUD_403] = "cloud-403",
  [FAULT_SERVER_401] = "server-401",
  [FAULT_SERVER_403] = "server-403",
  [FAULT_SERVER_LOGIN_PAGE] = "server-login-page",
  [FAULT_SERVER_LOGIN_REDIRECT] = "server-login-redirect",
  [FAULT_SAVE_404] = "save-404",
  [FAULT_SAVE_500] = "save-500",
  [FAULT_PLUGIN_MISSING] = "plugin-missing",
  [FAULT_PLUGIN_OLD] = "plugin-old",
  [FAULT_PLUGIN_DISABLED] = "plugin-disabled",
  [FAULT_PLUGIN_500] = "plugin-500",
  [FAULT_CLOUD_429] = "cloud-429",
  [FAULT_CLOUD_503] = "cloud-503",
  [FAULT_SERVER_429] = "server-429",
  [FAULT_SERVER_503] = "server-503",
  [FAULT_CLOUD_MALFORMED] = "cloud-malformed",
  [FAULT_CLOUD_TRUNCATED] = "cloud-truncated",
  [FAULT_CLOUD_OVERSIZED] = "cloud-oversized",
  [FAULT_CLOUD_MISSING_TOKEN] = "cloud-missing-token",
  [FAULT_CLOUD_WRONG_TYPE] = "cloud-wrong-type",
  [FAULT_SERVER_MALFORMED] = "server-malformed",
  [FAULT_SERVER_WRONG_TYPE] = "server-wrong-type",
  [FAULT_CLOUD_DEEP_JSON] = "cloud-deep-json",
  [FAULT_SAVE_DEEP_JSON] = "save-deep-json",
  [FAULT_PLUGIN_DEEP_JSON] = "plugin-deep-json",
  [FAULT_CLOUD_EMPTY_JSON] = "cloud-empty-json",
  [FAULT_CLOUD_HOSTILE_TYPE] = "cloud-hostile-type",
  [FAULT_SAVE_HOSTILE_URL] = "save-hostile-url",
  [FAULT_SAVE_HUGE_URL] = "save-huge-url",
  [FAULT_PLUGIN_HOSTILE_VERSION] = "plugin-hostile-version",
  [FAULT_CLOUD_PRETTY_JSON] = "cloud-pretty-json",
  [FAULT_CLOUD_ESCAPED_KEY] = "cloud-escaped-key",
  [FAULT_CLOUD_HUGE_TOKEN] = "cloud-huge-token",
  [FAULT_CLOUD_NUL_TOKEN] = "cloud-nul-token",
  [FAULT_BASIC_DISABLED] = "basic-disabled",
  [FAULT_SAVE_NO_EGRESS] = "save-no-egress",
  [FAULT_ECHO_NORMALIZED] = "echo-normalized",
  [FAULT_ECHO_OTHER_SITE] = "echo-other-site",
  [FAULT_PAT_SEVERAL] = "pat-several",
  [FAULT_PAT_MISSING] = "pat-missing",
  [FAULT_ATTACH_404] = "attach-404",
  [FAULT_TOKEN_EXPIRED] = "token-expired",
  [FAULT_PAT_NO_EXPIRY] = "pat-no-expiry",
  [FAULT_SITES_MISSING] = "sites-missing",
  [FAULT_SITES_FORGET] = "sites-forget",
  [FAULT_SITES_MANY] = "sites-many",
  [FAULT_SAVE_SPACE_FIRST_HEADER] = "save-space-first-header",
  [FAULT_ECHO_CREDENTIALS] = "echo-credentials",
};

static void
sim_free (Sim *sim)
{
  forget_connections (sim);
  g_hash_table_unref (sim->conns);
  g_hash_table_unref (sim->tokens);
  g_ptr_array_unref (sim->sites);
  if (sim->log != NULL)
    fclose (sim->log);

  g_free (sim->cert_file);
  g_free (sim->key_file);
  g_free (sim->port_file);
  g_free (sim->context_path);
  g_free (sim->cloud_user);
  g_free (sim->cloud_token_file);
  g_free (sim->server_token_file);
  g_free (sim->server_user);
  g_free (sim->plugin_key);
  g_free (sim->plugin_version);
  g_free (sim->marketplace_version);
  g_strfreev (sim->job_ids);
  g_free (sim->check_outcome);
  g_hash_table_unref (sim->tasks);
  g_queue_free_full (sim->task_times, g_free);
  g_strfreev (sim->fault_args);
  g_strfreev (sim->connected_sites);
  g_clear_pointer (&sim->attached, g_hash_table_unref);
  g_free (sim->log_file);
  g_free (sim->control_file);
  g_free (sim->stats_file);
  g_free (sim->context);
  g_free (sim->cloud_password);
  g_free (sim->server_secret);
  g_free (sim);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sim, sim_free)

static Sim *
sim_new (void)
{
  Sim *sim = g_new0 (Sim, 1);

  sim->context_path = g_strdup ("/jira");
  sim->cloud_user = g_strdup ("admin@example.com");
  sim->server_user = g_strdup ("admin");
  sim->plugin_key = g_strdup ("com.atlassian.jira.migration.jira-migration-plugin");
  sim->plugin_version = g_strdup ("1.12.40");
  sim->token_validity = 300;
  sim->retry_after = 1;
  sim->fail_count = 1;
  sim->pat_expires_days = 200;
  sim->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, issued_token_free);
  sim->sites = g_ptr_array_new_with_free_func (site_free);
  sim->attached = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sim->conns = g_hash_table_new (g_direct_hash, g_direct_equal);
  sim->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, task_free);
  sim->task_times = g_queue_new ();
  sim->task_window = 60;
  return sim;
}

static char *
read_secret (const char *file, const char *option, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s FILE is required", option);
      return NULL;
    }
  if (!g_file_get_contents (file, &text, &length, error))
    return NULL;
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r'))
    text[--length] = '\0';
  if (length == 0 || strlen (text) != length)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: empty or contains a NUL byte", file);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* Accepts repeated --fault and, for convenience, comma-separated lists. */
static gboolean
parse_faults (Sim *sim, GError **error)
{
  char **arg;

  for (arg = sim->fault_args; arg != NULL && *arg != NULL; arg++)
    {
      g_auto (GStrv) names = g_strsplit (*arg, ",", -1);
      char **name;

      for (name = names; *name != NULL; name++)
        {
          guint i;

          for (i = 0; i < N_FAULTS; i++)
            if (g_str_equal (g_strstrip (*name), fault_names[i]))
              break;
          if (i == N_FAULTS)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown fault \"%s\"",
                           *name);
              return FALSE;
            }
          sim->faults |= G_GUINT64_CONSTANT (1) << i;
        }
    }
  return TRUE;
}

/* One command-line option; @offset is where its value goes in Sim. */
typedef struct {
  const char *name;
  GOptionArg arg;
  glong offset;
  const char *description;
  const char *arg_description;
} SimOption;

#define SIM_OPTION(name, arg, field, description, arg_description)                                 \
  {                                                                                                \
    name, G_OPTION_ARG_##arg, G_STRUCT_OFFSET (Sim, field), description, arg_description           \
  }

static const SimOption sim_options[] = {
  SIM_OPTION ("cert", FILENAME, cert_file, "TLS certificate (PEM)", "FILE"),
  SIM_OPTION ("key", FILENAME, key_file, "TLS private key (PEM)", "FILE"),
  SIM_OPTION ("port-file", FILENAME, port_file, "Write the port here once listening", "FILE"),
  SIM_OPTION ("port", INT, port, "Port on 127.0.0.1 (default 0: ephemeral)", "N"),
  SIM_OPTION ("plain-http", NONE, plain_http, "Serve plain HTTP", NULL),
  SIM_OPTION ("context-path", STRING, context_path, "Server base path (default /jira)", "PATH"),
  SIM_OPTION ("cloud-user", STRING, cloud_user, "Cloud Basic-auth user", "EMAIL"),
  SIM_OPTION ("cloud-token-file", FILENAME, cloud_token_file, "Cloud API token accepted", "FILE"),
  SIM_OPTION ("server-token-file", FILENAME, server_token_file, "Server PAT or password accepted",
              "FILE"),
  SIM_OPTION ("server-user", STRING, server_user, "Server Basic-auth user (default admin)", "NAME"),
  SIM_OPTION ("plugin-key", STRING, plugin_key, "Migration assistant plugin key", "KEY"),
  SIM_OPTION ("plugin-version", STRING, plugin_version, "Its version (default 1.12.40)", "V"),
  SIM_OPTION ("token-validity", INT, token_validity, "Auth token lifetime (default 300)",
              "SECONDS"),
  SIM_OPTION ("latency-ms", INT, latency_ms, "Delay every answer", "N"),
  SIM_OPTION ("retry-after", INT, retry_after, "Retry-After of 429/503 faults (default 1)", "N"),
  SIM_OPTION ("fail-count", INT, fail_count, "429/503 faults fire N times, 0 = forever (default 1)",
              "N"),
  SIM_OPTION ("pat-expires-days", INT, pat_expires_days,
              "The PAT in use expires in N days (default 200)", "N"),
  SIM_OPTION ("date-offset", INT64, date_offset, "Skew the Date header", "SECONDS"),
  SIM_OPTION ("connected-site", STRING_ARRAY, connected_sites,
              "A cloud site the assistant lists as connected from the start (repeatable)", "URL"),
  SIM_OPTION ("marketplace-version", STRING, marketplace_version,
              "The Marketplace's latest version (default: the one installed)", "V"),
  SIM_OPTION ("marketplace-status", INT, marketplace_status,
              "The Marketplace answers this HTTP status instead", "N"),
  SIM_OPTION ("server-state", STRING, server_state,
              "What /status answers: RUNNING (default), FIRST_RUN (200), ERROR (500), others 503",
              "STATE"),
  SIM_OPTION ("job-id", STRING_ARRAY, job_ids,
              "A Migration API job that exists, its Check tasks' outcome after = (repeatable)",
              "ID[=OUTCOME]"),
  SIM_OPTION ("check-outcome", STRING, check_outcome,
              "Outcome of every Check task: SUCCESS (default), WARNING, FAILED, SKIPPED", "O"),
  SIM_OPTION ("task-window", INT, task_window, "5 task creations per N seconds (default 60)", "N"),
  SIM_OPTION ("tasks-busy", INT, tasks_busy,
              "The first N task creations answer 429 with --retry-after", "N"),
  SIM_OPTION ("fault", STRING_ARRAY, fault_args, "Misbehave (repeatable)", "NAME"),
  SIM_OPTION ("log", FILENAME, log_file, "Append METHOD PATH STATUS per request", "FILE"),
  SIM_OPTION ("control-file", FILENAME, control_file,
              "More options, one a line; read again on SIGHUP, which resets the simulator", "FILE"),
  SIM_OPTION ("stats-file", FILENAME, stats_file, "Keep /_sim/stats here as NAME VALUE lines",
              "FILE"),
};

/* GOption's entries for sim_options, pointing into @sim; NULL-terminated. */
static GOptionEntry *
option_entries (Sim *sim)
{
  GOptionEntry *entries = g_new0 (GOptionEntry, G_N_ELEMENTS (sim_options) + 1);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (sim_options); i++)
    {
      const SimOption *option = &sim_options[i];

      entries[i].long_name = option->name;
      entries[i].arg = option->arg;
      entries[i].arg_data = G_STRUCT_MEMBER_P (sim, option->offset);
      entries[i].description = option->description;
      entries[i].arg_description = option->arg_description;
    }
  return entries;
}

/* --help lists the fault names, four to a line. */
static char *
fault_description (void)
{
  GString *faults = g_string_new ("Faults:");
  gsize i;

  for (i = 0; i < N_FAULTS; i++)
    g_string_append_printf (faults, "%s %s", i % 4 == 0 ? "\n " : "", fault_names[i]);
  return g_string_free (faults, FALSE);
}

static gboolean
check_options (Sim *sim, GError **error)
{
  if (sim->port_file == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--port-file is required");
      return FALSE;
    }
  if (!sim->plain_http && (sim->cert_file == NULL || sim->key_file == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--cert and --key are required unless --plain-http");
      return FALSE;
    }
  if (sim->port < 0 || sim->port > 65535 || sim->token_validity < 0 || sim->latency_ms < 0 ||
      sim->retry_after < 0 || sim->fail_count < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "numeric options must not be negative (and --port <= 65535)");
      return FALSE;
    }
  if (sim->context_path[0] != '\0' && sim->context_path[0] != '/')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--context-path must start with '/'");
      return FALSE;
    }
  return TRUE;
}

/* "/", "" and "/jira/" all normalise to a prefix without trailing '/'. */
static char *
context_prefix (const char *context_path)
{
  char *context = g_strdup (context_path);

  while (context[0] != '\0' && context[strlen (context) - 1] == '/')
    context[strlen (context) - 1] = '\0';
  return context;
}

static gboolean
parse_options (Sim *sim, char ***argv, GError **error)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- Atlassian migration API simulator");
  g_autofree GOptionEntry *entries = option_entries (sim);
  g_autofree char *faults = fault_description ();

  g_option_context_set_description (context, faults);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, argv, error) || !check_options (sim, error))
    return FALSE;
  sim->context = context_prefix (sim->context_path);

  if (!parse_faults (sim, error))
    return FALSE;
  sim->cloud_password = read_secret (sim->cloud_token_file, "--cloud-token-file", error);
  if (sim->cloud_password == NULL)
    return FALSE;
  sim->server_secret = read_secret (sim->server_token_file, "--server-token-file", error);
  return sim->server_secret != NULL;
}

static gboolean
quit_on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
open_log (Sim *sim, GError **error)
{
  int saved_errno;

  if (sim->log_file == NULL)
    return TRUE;
  sim->log = fopen (sim->log_file, "a");
  if (sim->log != NULL)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", sim->log_file,
               g_strerror (saved_errno));
  return FALSE;
}

/* Atomic (temporary file + rename): a test polling for the file never
 * reads half a number. */
static gboolean
write_port_file (const char *file, guint port, GError **error)
{
  g_autofree char *port_text = g_strdup_printf ("%u\n", port);

  return g_file_set_contents_full (file, port_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                   error);
}

/* @cmdline followed by the lines of --control-file (empty lines skipped). */
static char **
with_control_options (char **cmdline, const char *control_file, GError **error)
{
  g_autoptr (GStrvBuilder) args = g_strv_builder_new ();
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_strv_builder_addv (args, (const char **) cmdline);
  if (control_file != NULL)
    {
      if (!g_file_get_contents (control_file, &text, NULL, error))
        return NULL;
      lines = g_strsplit (text, "\n", -1);
      for (char **line = lines; *line != NULL; line++)
        if (**line != '\0')
          g_strv_builder_add (args, *line);
    }
  return g_strv_builder_end (args);
}

/* A simulator as @cmdline and its --control-file's lines ask for. */
static Sim *
sim_from_args (char **cmdline, GError **error)
{
  g_autoptr (Sim) sim = sim_new ();
  g_auto (GStrv) args = g_strdupv (cmdline);
  g_auto (GStrv) all = NULL;

  if (!parse_options (sim, &args, error))
    return NULL;
  if (sim->control_file == NULL)
    return g_steal_pointer (&sim);
  all = with_control_options (cmdline, sim->control_file, error);
  g_clear_pointer (&sim, sim_free);
  sim = sim_new ();
  if (all == NULL || !parse_options (sim, &all, error))
    return NULL;
  return g_steal_pointer (&sim);
}

/* What a running simulator cannot change: its socket, certificate, log. */
static gboolean
same_fixed_options (const Sim *a, const Sim *b)
{
  return g_strcmp0 (a->cert_file, b->cert_file) == 0 && g_strcmp0 (a->key_file, b->key_file) == 0 &&
         g_strcmp0 (a->port_file, b->port_file) == 0 && a->port == b->port &&
         a->plain_http == b->plain_http && g_strcmp0 (a->context, b->context) == 0 &&
         g_strcmp0 (a->log_file, b->log_file) == 0 &&
         g_strcmp0 (a->control_file, b->control_file) == 0 &&
         g_strcmp0 (a->stats_file, b->stats_file) == 0;
}

/* Becomes the simulator @cmdline (read again with its control file) would
 * start: new options, no tokens, sites or counters.  Connections and the
 * log stay.  Refused while answers may still be waiting for --latency-ms,
 * which would reach the new simulator's log and counters. */
static gboolean
sim_reset (Sim *sim, char **cmdline, GError **error)
{
  g_autoptr (Sim) fresh = sim_from_args (cmdline, error);
  GHashTable *unused_conns;
  Sim old;

  if (fresh == NULL)
    return FALSE;
  if (sim->latency_ms > 0 || !same_fixed_options (sim, fresh))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           sim->latency_ms > 0 ? "answers may be pending (--latency-ms): restart"
                                               : "these options need a restart");
      return FALSE;
    }
  old = *sim;
  *sim = *fresh;
  unused_conns = sim->conns;
  sim->conns = old.conns;
  sim->log = old.log;
  *fresh = old;
  fresh->conns = unused_conns;
  fresh->log = NULL;
  return write_stats_file (sim, error);
}

typedef struct {
  Sim *sim;
  char **cmdline;
} Control;

/* SIGHUP: reset, then say how it went in CONTROL-FILE.done ("ok" or
 * "error: ..."), which the test waits for. */
static gboolean
reset_on_signal (gpointer data)
{
  Control *control = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) write_error = NULL;
  g_autofree char *done = g_strconcat (control->sim->control_file, ".done", NULL);
  g_autofree char *answer = NULL;

  if (sim_reset (control->sim, control->cmdline, &error))
    answer = g_strdup ("ok\n");
  else
    answer = g_strdup_printf ("error: %s\n", error->message);
  if (!sim_write_file (done, answer, -1, &write_error))
    g_printerr ("cma-sim: %s\n", write_error->message);
  return G_SOURCE_CONTINUE;
}

static int
serve (Sim *sim, char **cmdline)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Control control = { sim, cmdline };
  guint port = 0;
  guint sigterm_id, sigint_id, sighup_id;

  /* Before the port file appears: a test may signal us as soon as it does. */
  sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_on_signal, loop);
  sighup_id = g_unix_signal_add (SIGHUP, reset_on_signal, &control);

  server = start_server (sim, &port, &error);
  if (server == NULL || !write_stats_file (sim, &error) ||
      !write_port_file (sim->port_file, port, &error))
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 1;
    }

  g_main_loop_run (loop);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_source_remove (sighup_id);

  soup_server_disconnect (server);
  return 0;
}

int
main (int argc G_GNUC_UNUSED, char **argv)
{
  g_autoptr (Sim) sim = NULL;
  g_autoptr (GError) error = NULL;

  sim = sim_from_args (argv, &error);
  if (sim == NULL)
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 2;
    }
  if (!open_log (sim, &error))
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 1;
    }
  return serve (sim, argv);
}
