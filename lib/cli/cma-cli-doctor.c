/* SPDX-License-Identifier: MIT */
/* cma-cli-doctor.c: doctor, every check an unattended renewal needs, with
 * the fix for each that fails. */
#include "config.h"

#include <stdio.h>

#include "cma-cli-private.h"
#include "cma-doctor.h"
#include "cma-output-report.h"

static const GOptionEntry doctor_options[] = {
  { "no-cloud", 0, 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (no_cloud),
    "Skip the checks that talk to Atlassian (the cloud API's creates a short-lived auth token)",
    NULL },
  { "output", 'o', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (output),
    "Output format: text or json (each check's result)", "FORMAT" },
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

static void
print_connection (CmaCli *cli, const CmaDoctorReport *report)
{
  const CmaConnection *conn = report->conn;

  if (!cli->quiet)
    printf ("connection %s (%s for %s)\n", conn->name, conn->server_url, conn->cloud_url);
  print_checks (cli, report->checks);
  /* Checks of the next connection may take a while: show these now. */
  fflush (stdout);
}

static void
print_json (CmaCli *cli, GPtrArray *config_checks, const CmaDoctorReport *reports, gboolean passed)
{
  g_autofree char *json = cma_output_doctor_json (cli->product, cli->config->path, config_checks,
                                                  reports, cli->selected->len, passed);

  fputs (json, stdout);
}

static int
run_doctor (CmaCli *cli, GError **error)
{
  CmaDoctorOptions options = {
    .no_cloud = cli->no_cloud,
    /* For the tests: Atlassian's hosts answered by the simulator. */
    .connect_to = g_getenv ("CMA_CONNECT_TO"),
    .store = NULL, /* set once cma_cli_setup () made it */
    .trace = cli->verbose >= 2 ? cma_cli_trace_to_stderr : NULL,
    .trace_data = cli,
  };
  CmaOutputFormat format;
  g_autoptr (GPtrArray) config_checks = NULL;
  g_autofree CmaDoctorReport *reports = NULL;
  gboolean text, passed, failed;

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_DOC, &format, error))
    return CMA_EXIT_USAGE;
  /* An untrusted configuration is one of the checks it reports. */
  cli->report_untrusted = TRUE;
  if (!cma_cli_setup (cli, error))
    return CMA_EXIT_CONFIG;
  options.store = cli->store;
  text = format == CMA_OUTPUT_TEXT;
  options.store = cli->store;
  config_checks = cma_doctor_check_config (cli->config->path);
  cma_doctor_check_state (config_checks, cli->store);
  if (text && !cli->quiet)
    printf ("%s\n", cli->product->assistant_name);
  if (text)
    print_checks (cli, config_checks);
  passed = cma_doctor_all_passed (config_checks);
  failed = cma_doctor_any_failed (config_checks);
  reports = g_new0 (CmaDoctorReport, cli->selected->len);
  for (guint i = 0; i < cli->selected->len; i++)
    {
      reports[i].conn = cli->selected->pdata[i];
      reports[i].checks = cma_doctor_check_connection (cli->product, reports[i].conn, &options);
      passed = cma_doctor_all_passed (reports[i].checks) && passed;
      failed = cma_doctor_any_failed (reports[i].checks) || failed;
      if (text)
        print_connection (cli, &reports[i]);
    }
  if (!text)
    print_json (cli, config_checks, reports, passed);
  else if (!cli->quiet)
    printf ("%s\n", passed   ? "All checks passed."
                    : failed ? "Some checks failed; see the fixes above."
                             : "No check failed, but some warned; see above.");
  for (guint i = 0; i < cli->selected->len; i++)
    g_ptr_array_unref (reports[i].checks);
  /* A warning (a date not written down, a token expiring in weeks) is
   * no failure: a status of its own, so scripts can tell them apart. */
  return passed ? CMA_EXIT_OK : failed ? CMA_EXIT_DOCTOR_FAILED : CMA_EXIT_DOCTOR_WARNED;
}

const CmaCliCommand cma_cli_cmd_doctor = {
  .name = "doctor",
  .summary = "Check everything an unattended renewal needs",
  .options = doctor_options,
  .run = run_doctor,
};
