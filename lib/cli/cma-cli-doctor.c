/* cma-cli-doctor.c: doctor, every check an unattended renewal needs, with
 * the fix for each that fails. */
#include "config.h"

#include <stdio.h>

#include "cma-cli-private.h"
#include "cma-doctor.h"

static const GOptionEntry doctor_options[] = {
  { "no-cloud", 0, 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (no_cloud),
    "Skip the cloud API check (it creates a short-lived auth token)", NULL },
  G_OPTION_ENTRY_NULL
};

static const char *
mark (CmaCheckResult result)
{
  static const char *const utf8[] = { "✓", "✗", "!", "-" };
  static const char *const ascii[] = { "[ok]", "[FAIL]", "[WARN]", "[skip]" };

  return g_get_charset (NULL) ? utf8[result] : ascii[result];
}

static void
print_checks (CmaCli *cli, GPtrArray *checks)
{
  for (guint i = 0; i < checks->len; i++)
    {
      const CmaCheck *c = checks->pdata[i];

      if (cli->quiet && (c->result == CMA_CHECK_PASS || c->result == CMA_CHECK_SKIP))
        continue;
      printf ("  %s %s: %s\n", mark (c->result), c->title, c->detail);
    }
}

static int
run_doctor (CmaCli *cli, GError **error)
{
  CmaDoctorOptions options = {
    .no_cloud = cli->no_cloud,
    .trace = cli->verbose >= 2 ? cma_cli_trace_to_stderr : NULL,
    .trace_data = cli,
  };
  g_autoptr (GPtrArray) config_checks = NULL;
  gboolean passed;

  if (!cma_cli_setup (cli, error))
    return CMA_EXIT_CONFIG;
  config_checks = cma_doctor_check_config (cli->config->path);
  cma_doctor_check_state (config_checks, cma_ledger_get_path (cli->ledger));
  if (!cli->quiet)
    printf ("%s\n", cli->product->assistant_name);
  print_checks (cli, config_checks);
  passed = cma_doctor_all_passed (config_checks);
  for (guint i = 0; i < cli->selected->len; i++)
    {
      const CmaConnection *conn = cli->selected->pdata[i];
      g_autoptr (GPtrArray) checks = cma_doctor_check_connection (cli->product, conn, &options);

      if (!cli->quiet)
        printf ("connection %s (%s for %s)\n", conn->name, conn->server_url, conn->cloud_url);
      print_checks (cli, checks);
      passed = cma_doctor_all_passed (checks) && passed;
    }
  if (!cli->quiet)
    printf ("%s\n", passed ? "All checks passed." : "Some checks failed; see the fixes above.");
  return passed ? CMA_EXIT_OK : CMA_EXIT_DOCTOR_FAILED;
}

const CmaCliCommand cma_cli_cmd_doctor = {
  .name = "doctor",
  .summary = "Check everything an unattended renewal needs",
  .options = doctor_options,
  .run = run_doctor,
};
