/* SPDX-License-Identifier: MIT */
/* cma-cli-status.c: status, for people, scripts and monitoring. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cma-cli-private.h"
#include "cma-error.h"
#include "cma-file.h"

static const GOptionEntry status_options[] = {
  { "at", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (at),
    "Evaluate at TIME instead of now (ISO 8601)", "TIME" },
  { "output", 'o', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (output),
    "Output format: text, json, nagios, prometheus or ics", "FORMAT" },
  { "output-file", 0, 0, G_OPTION_ARG_FILENAME, CMA_CLI_FIELD (output_file),
    "Write the output to FILE (atomically, mode 0644) instead of stdout", "FILE" },
  G_OPTION_ENTRY_NULL
};

/* A collector or web server may read @path at any moment: the file is
 * replaced by rename, so a reader sees the old file or the new one, never
 * half. 0644 whatever the umask, since the reader is usually another user
 * (node_exporter, www-data). */
static gboolean
write_file_atomically (const char *path, const char *text, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (cma_file_replace_contents (path, text, strlen (text), 0644, &local_error))
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED, "cannot write %s: %s", path,
               local_error->message);
  return FALSE;
}

/* The result goes to --output-file, or stdout; -q silences people's
 * output on stdout only: monitoring formats and files are the result. */
static gboolean
emit (CmaCli *cli, CmaOutputFormat format, const char *text, GError **error)
{
  if (cli->output_file != NULL)
    return write_file_atomically (cli->output_file, text, error);
  if (format == CMA_OUTPUT_TEXT)
    cma_cli_print_result (cli, text);
  else
    fputs (text, stdout);
  return TRUE;
}

/* Monitoring reads the output even now: it says UNKNOWN in the format
 * they parse. An empty rendering (text) leaves an existing file alone. */
static void
emit_failure (CmaCli *cli, CmaOutputFormat format, const char *message)
{
  g_autofree char *failure = cma_output_status_failure (cli->product, format, message);
  g_autoptr (GError) error = NULL;

  if (*failure == '\0')
    return;
  if (!emit (cli, format, failure, &error))
    cma_cli_warn (cli, "%s", error->message);
}

static int
run_status (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  CmaInstant at;
  g_autoptr (CmaLedgerLatest) latest = NULL;
  g_autoptr (CmaLedgerLatest) latest_at = NULL;
  g_autofree CmaStatusEntry *entries = NULL;
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GPtrArray) facts = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_ALL, &format, error) ||
      !cma_cli_parse_at (cli, &at, error))
    return CMA_EXIT_UNKNOWN;
  cli->reads_system_files = TRUE;
  if (!cma_cli_setup (cli, &local_error) ||
      (latest = cma_cli_read_latest (cli, at, &latest_at, &local_error)) == NULL)
    {
      /* The error itself goes to stderr. */
      emit_failure (cli, format, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return CMA_EXIT_UNKNOWN;
    }

  failures = cma_cli_read_failures (cli);
  facts = cma_cli_read_facts (cli);
  entries = cma_cli_evaluate (cli, latest, latest_at, failures, facts, at);
  text = cma_output_status (cli->product, &cli->config->policy, entries, cli->selected->len, at,
                            format, cli->color);
  if (!emit (cli, format, text, error))
    return CMA_EXIT_UNKNOWN;
  return (int) cma_status_entries_worst (entries, cli->selected->len);
}

const CmaCliCommand cma_cli_cmd_status = {
  .name = "status",
  .summary = "Show how long each connection's token stays usable",
  .options = status_options,
  .run = run_status,
  .monitoring = TRUE,
};
