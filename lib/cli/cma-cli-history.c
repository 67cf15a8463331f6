/* SPDX-License-Identifier: MIT */
/* cma-cli-history.c: history, the recorded renewals newest first. */
#include "config.h"

#include "cma-cli-private.h"
#include "cma-ledger-history.h"

static const GOptionEntry history_options[] = { { "output", 'o', 0, G_OPTION_ARG_STRING,
                                                  CMA_CLI_FIELD (output),
                                                  "Output format: text or json", "FORMAT" },
                                                G_OPTION_ENTRY_NULL };

typedef struct {
  CmaCli *cli;
  CmaHistoryOutput *out;
} History;

/* Without a connection configured or named, the whole ledger is shown. */
static gboolean
show (const CmaRenewal *r, gpointer data)
{
  History *h = data;
  GPtrArray *selected = h->cli->selected;
  gboolean shown = selected == NULL;

  for (guint c = 0; !shown && c < selected->len; c++)
    shown = cma_renewal_matches (r, selected->pdata[c]);
  if (shown)
    cma_history_output_measure (h->out, r);
  return shown;
}

/* Printed a row at a time, so the output never holds the history whole. */
static void
print_row (const CmaRenewal *r, gpointer data)
{
  History *h = data;
  g_autofree char *text = cma_history_output_row (h->out, r);

  cma_cli_print_result (h->cli, text);
}

static int
run_history (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  g_autoptr (CmaHistoryOutput) out = NULL;
  g_autofree char *end = NULL;
  History h = { cli, NULL };

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_DOC, &format, error))
    return CMA_EXIT_USAGE;
  if (!cma_cli_setup_full (cli, FALSE, error))
    return CMA_EXIT_STATE;
  h.out = out = cma_history_output_new (cli->product, format);
  if (!cma_ledger_read_history (cma_store_get_ledger (cli->store), show, print_row, &h, error))
    return CMA_EXIT_STATE;
  end = cma_history_output_end (out);
  if (format == CMA_OUTPUT_TEXT && cma_history_output_rows (out) == 0)
    cma_cli_info (cli, "no renewal recorded yet in %s", cma_store_get_ledger_path (cli->store));
  cma_cli_print_result (cli, end);
  return CMA_EXIT_OK;
}

const CmaCliCommand cma_cli_cmd_history = {
  .name = "history",
  .summary = "List recorded renewals, newest first",
  .options = history_options,
  .run = run_history,
};
