/* SPDX-License-Identifier: MIT */
/* cma-cli-setup.c: what the commands share: from options to a
 * configuration, connections and ledger, and the option and output
 * helpers. */
#include "config.h"

#include <grp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cma-cli-private.h"
#include "cma-file.h"
#include "cma-error.h"
#include "cma-paths.h"

static gboolean
is_system (void)
{
  /* root on a Jira host uses /etc and /var/lib like any system service. */
  return geteuid () == 0;
}

/* The first directory of the list systemd sets in the variable @name
 * (ConfigurationDirectory=a b gives "/etc/a:/etc/b"), or NULL when the
 * variable is unset or its first entry is empty. Under systemd this is
 * the directory the unit declared, whoever the (dynamic) user is. */
static char *
systemd_dir (const char *name)
{
  const char *value = g_getenv (name);
  const char *colon;

  if (value == NULL || *value == '\0' || *value == ':')
    return NULL;
  colon = strchr (value, ':');
  return colon != NULL ? g_strndup (value, (gsize) (colon - value)) : g_strdup (value);
}

/* Whether a reader (status, the plugin) run by a user who has no file of
 * its own at @own should read root's at @system instead: a monitoring
 * user such as nagios or nobody has neither a configuration nor a ledger,
 * and the documented recipe (record --state-group) makes root's readable.
 * Never to write, and never under systemd, whose directories are the
 * unit's own. */
static gboolean
reads_system_file (CmaCli *cli, const char *own, const char *system)
{
  return cli->reads_system_files && !is_system () && !g_file_test (own, G_FILE_TEST_EXISTS) &&
         g_file_test (system, G_FILE_TEST_EXISTS);
}

/* The user's default configuration, or root's when the reader has none. */
static char *
default_config_path (CmaCli *cli)
{
  g_autofree char *own = cma_config_default_path (cli->product, is_system (), SYSCONFDIR);
  g_autofree char *system = cma_config_default_path (cli->product, TRUE, SYSCONFDIR);

  return reads_system_file (cli, own, system) ? g_steal_pointer (&system) : g_steal_pointer (&own);
}

/* Root's ledger directory for a reader of root's configuration (found by
 * default_config_path() or named by --config) that has no ledger of its
 * own and no --state-dir or $STATE_DIRECTORY, else NULL. A user's own
 * configuration goes with the user's own ledger, even before the first
 * record. */
static char *
system_state_dir (CmaCli *cli)
{
  g_autofree char *file = g_strconcat (cli->product->program, ".ledger", NULL);
  g_autofree char *own_dir = cma_store_default_dir (FALSE, LOCALSTATEDIR);
  g_autofree char *system_dir = cma_store_default_dir (TRUE, LOCALSTATEDIR);
  g_autofree char *own = g_build_filename (own_dir, file, NULL);
  g_autofree char *system_config = cma_config_default_path (cli->product, TRUE, SYSCONFDIR);

  /* Root's directory, not its ledger: a user outside --state-group cannot
   * see into it, and must be told so by the read, not be shown a ledger
   * of its own that says nothing was ever recorded. */
  if (g_getenv ("STATE_DIRECTORY") != NULL || g_strcmp0 (cli->config_tried, system_config) != 0 ||
      !reads_system_file (cli, own, system_dir))
    return NULL;
  return g_steal_pointer (&system_dir);
}

/* --config, else PROGRAM.conf in $CONFIGURATION_DIRECTORY, else the
 * compiled-in default. Only --config must exist: the others are where a
 * configuration would be, and without one there is none. */
static char *
config_path (CmaCli *cli)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;

  if (cli->config_path != NULL)
    return g_strdup (cli->config_path);
  if ((dir = systemd_dir ("CONFIGURATION_DIRECTORY")) == NULL)
    return default_config_path (cli);
  file = g_strconcat (cli->product->program, ".conf", NULL);
  return g_build_filename (dir, file, NULL);
}

/* --state-dir, else $STATE_DIRECTORY, else the compiled-in default. */
static char *
state_dir (CmaCli *cli)
{
  char *dir;

  if (cli->state_dir != NULL)
    return g_strdup (cli->state_dir);
  if ((dir = system_state_dir (cli)) != NULL)
    return dir;
  if ((dir = systemd_dir ("STATE_DIRECTORY")) != NULL)
    return dir;
  return cma_store_default_dir (is_system (), LOCALSTATEDIR);
}

static gboolean
load_config (CmaCli *cli, GError **error)
{
  g_autofree char *path = config_path (cli);
  gboolean explicit_path = cli->config_path != NULL;

  cli->config = cma_config_new (cli->product);
  cma_cli_verbose (cli, 1, "configuration: %s", path);
  if (!cma_config_load (cli->config, path, explicit_path, error))
    return FALSE;
  /* Run as root, a configuration others may write would run their hooks
   * as root. /dev/null stands for no file. */
  if (!cli->report_untrusted && cli->config->path != NULL &&
      strcmp (cli->config->path, "/dev/null") != 0 &&
      !cma_file_check_trusted ("configuration", cli->config->path, error))
    return FALSE;
  cli->config_tried = g_steal_pointer (&path);
  return TRUE;
}

/* "No connection" is where a new user starts: say which file was read (or
 * looked for, and where root would look), and the two ways out. */
static gboolean
fail_no_connection (CmaCli *cli, GError **error)
{
  g_autofree char *system_path = cma_config_default_path (cli->product, TRUE, SYSCONFDIR);

  if (cli->config->path != NULL)
    g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                 "no connection configured in %s: add a [connection NAME] group "
                 "(see cma-token.conf(5)), or pass --cloud-url URL",
                 cli->config->path);
  else
    g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                 "no connection configured: %s does not exist%s%s%s; create it with a "
                 "[connection NAME] group (see cma-token.conf(5)), or pass --cloud-url URL",
                 cli->config_tried,
                 is_system ()              ? ""
                 : cli->reads_system_files ? " and neither does "
                                           : " (root reads ",
                 is_system () ? "" : system_path,
                 is_system () || cli->reads_system_files ? "" : ")");
  return FALSE;
}

static gboolean
apply_overrides (CmaCli *cli, GError **error)
{
  CmaPolicy *policy = &cli->config->policy;

  if (!isnan (cli->lifetime_days))
    policy->lifetime_days = cli->lifetime_days;
  if (!isnan (cli->warning_days))
    policy->warning_days = cli->warning_days;
  if (!isnan (cli->critical_days))
    policy->critical_days = cli->critical_days;
  if (!cma_policy_validate (policy, error))
    return FALSE;

  if (cli->server_url != NULL || cli->cloud_url != NULL)
    {
      if (cli->connection_names != NULL)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                       "--connection selects from the configuration; it cannot be "
                       "combined with --server-url or --cloud-url");
          return FALSE;
        }
      if (!cma_config_set_command_line_connection (cli->config, cli->server_url, cli->cloud_url,
                                                   error))
        return FALSE;
    }
  return TRUE;
}

/* A ledger line that cannot be used is skipped, and said so. */
static void
warn_ledger_line (const char *message, gpointer user_data)
{
  cma_cli_warn (user_data, "%s", message);
}

/* --state-group: a group name, or a number as chgrp takes it. */
static gboolean
apply_state_group (CmaCli *cli, GError **error)
{
  const struct group *gr;
  guint64 gid;

  if (cli->state_group == NULL)
    return TRUE;
  if ((gr = getgrnam (cli->state_group)) != NULL)
    gid = gr->gr_gid;
  else if (!g_ascii_string_to_unsigned (cli->state_group, 10, 0, G_MAXINT32, &gid, NULL))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE, "--state-group: no group named '%s'",
                   cli->state_group);
      return FALSE;
    }
  cma_store_set_group (cli->store, (gint64) gid);
  return TRUE;
}

gboolean
cma_cli_setup_full (CmaCli *cli, gboolean need_connections, GError **error)
{
  g_autofree char *dir = NULL;

  /* A clock past the range would give dates no format can show. */
  if (!cma_time_check_evaluated (cma_clock_now (), "the clock", error) ||
      !load_config (cli, error) || !apply_overrides (cli, error))
    return FALSE;
  if ((need_connections || cli->connection_names != NULL) && cli->config->connections->len == 0)
    return fail_no_connection (cli, error);
  if (need_connections || cli->config->connections->len > 0 || cli->connection_names != NULL)
    {
      cli->selected =
          cma_config_select (cli->config, (const char *const *) cli->connection_names, error);
      if (cli->selected == NULL)
        return FALSE;
    }

  dir = state_dir (cli);
  cli->store = cma_store_new (dir, cli->product->program);
  cma_store_set_warn_func (cli->store, warn_ledger_line, cli);
  cma_cli_verbose (cli, 1, "ledger: %s", cma_store_get_ledger_path (cli->store));
  return apply_state_group (cli, error);
}

gboolean
cma_cli_setup (CmaCli *cli, GError **error)
{
  return cma_cli_setup_full (cli, TRUE, error);
}

CmaLedgerLatest *
cma_cli_read_latest (CmaCli *cli, CmaInstant at, CmaLedgerLatest **latest_at, GError **error)
{
  g_autoptr (CmaLedgerLatest) latest = cma_store_read_latest (cli->store, error);
  gboolean past = FALSE;

  *latest_at = NULL;
  if (latest == NULL)
    return NULL;
  for (guint i = 0; i < cli->selected->len && !past; i++)
    {
      const CmaRenewal *last = cma_ledger_latest_find (latest, cli->selected->pdata[i]);

      past = last != NULL && last->at > at;
    }
  /* Only then is the ledger read a second time, for the past. */
  if (past && (*latest_at = cma_store_read_latest_at (cli->store, at, error)) == NULL)
    return NULL;
  return g_steal_pointer (&latest);
}

GPtrArray *
cma_cli_read_failures (CmaCli *cli)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *failures = cma_store_load_failures (cli->store, &cli->attempts_damaged, &error);
  g_autofree char *path = NULL;

  if (failures == NULL)
    cma_cli_warn (cli, "%s", error->message);
  if (!cli->attempts_damaged)
    return failures;
  /* Say where, never what: the caller may not be allowed to read it. */
  path = cma_ledger_sibling_path (cma_store_get_ledger (cli->store), "attempts");
  cma_cli_warn (cli,
                "%s is damaged: failed renewals may be missing from it; the next "
                "renewal attempt rewrites it",
                path);
  return failures;
}

GPtrArray *
cma_cli_read_facts (CmaCli *cli)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *facts = cma_store_load_facts (cli->store, &error);

  if (facts == NULL)
    cma_cli_warn (cli,
                  "%s; what the server said is not known until the next renew or doctor "
                  "writes it anew",
                  error->message);
  return facts;
}

/* Only fetches what is known of each connection: every decision is
 * cma_status_evaluate()'s. */
CmaStatusEntry *
cma_cli_evaluate (CmaCli *cli, CmaLedgerLatest *latest, CmaLedgerLatest *latest_at,
                  GPtrArray *failures, GPtrArray *facts, CmaInstant at)
{
  CmaStatusEntry *entries = g_new0 (CmaStatusEntry, cli->selected->len);

  for (guint i = 0; i < cli->selected->len; i++)
    {
      const CmaConnection *conn = cli->selected->pdata[i];
      const CmaRenewal *ever = latest != NULL ? cma_ledger_latest_find (latest, conn) : NULL;
      CmaStatusInput in = {
        .policy = &cli->config->policy,
        .conn = conn,
        .last = latest_at != NULL ? cma_ledger_latest_find (latest_at, conn) : ever,
        .failure = failures != NULL ? cma_attempts_find (failures, conn) : NULL,
        .facts = facts != NULL ? cma_facts_find (facts, conn) : NULL,
        .at = at,
        .attempts_damaged = cli->attempts_damaged,
      };

      in.recorded_later = in.last == NULL && ever != NULL;
      cma_status_evaluate (&in, &entries[i]);
    }
  return entries;
}

gboolean
cma_cli_parse_days (const char *name, const char *value, double *out, GError **error)
{
  char *end = NULL;
  double d = g_ascii_strtod (value, &end);
  /* Plain decimals only: strtod also takes "0x10", "inf" and "1e3". */
  gboolean decimal = strspn (value, "0123456789.") == strlen (value) &&
                     strchr (value, '.') == strrchr (value, '.') &&
                     strpbrk (value, "0123456789") != NULL;

  if (!decimal || *end != '\0' || !isfinite (d) || d < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s needs a number of days (fractions allowed), not '%s'", name, value);
      return FALSE;
    }
  *out = d;
  return TRUE;
}

gboolean
cma_cli_parse_at (CmaCli *cli, CmaInstant *at, GError **error)
{
  CmaInstant now = cma_clock_now ();

  if (cli->at == NULL)
    {
      *at = now;
      return TRUE;
    }
  return cma_time_parse_at (cli->at, now, at, error) &&
         cma_time_check_evaluated (*at, "--at", error);
}

gboolean
cma_cli_parse_output (CmaCli *cli, guint allowed, CmaOutputFormat *format, GError **error)
{
  *format = CMA_OUTPUT_TEXT;
  return cli->output == NULL || cma_output_format_parse (cli->output, allowed, format, error);
}

void
cma_cli_print_result (CmaCli *cli, const char *text)
{
  if (!cli->quiet)
    fputs (text, stdout);
}

void
cma_cli_trace_to_stderr (const char *line, gpointer data)
{
  CmaCli *cli = data;

  g_printerr ("%s: %s\n", cli->product->program, line);
}
