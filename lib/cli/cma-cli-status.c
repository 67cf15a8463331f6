/* cma-cli-status.c: status, for people, scripts and monitoring. */
#include "config.h"

#include <stdio.h>

#include "cma-cli-private.h"

static const GOptionEntry status_options[] = {
  { "at", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (at),
    "Evaluate at TIME instead of now (ISO 8601)", "TIME" },
  { "output", 'o', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (output),
    "Output format: text, json, nagios or prometheus", "FORMAT" },
  G_OPTION_ENTRY_NULL
};

static int
run_status (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  CmaInstant at;
  g_autoptr (GPtrArray) renewals = NULL;
  g_autofree CmaStatusEntry *entries = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_ALL, &format, error) ||
      !cma_cli_parse_at (cli, &at, error))
    return CMA_EXIT_UNKNOWN;
  if (!cma_cli_setup (cli, &local_error) ||
      (renewals = cma_ledger_load (cli->ledger, &local_error)) == NULL)
    {
      /* Monitoring reads stdout even now; the error goes to stderr. */
      g_autofree char *failure =
          cma_output_status_failure (cli->product, format, local_error->message);

      fputs (failure, stdout);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return CMA_EXIT_UNKNOWN;
    }

  entries = cma_cli_evaluate (cli, renewals, at);
  text = cma_output_status (cli->product, &cli->config->policy, entries, cli->selected->len, at,
                            format, cli->color);
  /* -q silences people's output only; monitoring formats are the result. */
  if (format == CMA_OUTPUT_TEXT)
    cma_cli_print_result (cli, text);
  else
    fputs (text, stdout);
  return (int) cma_status_entries_worst (entries, cli->selected->len);
}

const CmaCliCommand cma_cli_cmd_status = {
  .name = "status",
  .summary = "Show how long each connection's token stays usable",
  .options = status_options,
  .run = run_status,
  .monitoring = TRUE,
};
