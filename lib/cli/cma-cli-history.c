/* SPDX-License-Identifier: MIT */
/* cma-cli-history.c: history, the recorded renewals newest first. */
#include "config.h"

#include "cma-cli-private.h"

static const GOptionEntry history_options[] = { { "output", 'o', 0, G_OPTION_ARG_STRING,
                                                  CMA_CLI_FIELD (output),
                                                  "Output format: text or json", "FORMAT" },
                                                G_OPTION_ENTRY_NULL };

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const CmaRenewal *ra = *(const CmaRenewal *const *) a;
  const CmaRenewal *rb = *(const CmaRenewal *const *) b;

  return (ra->at < rb->at) - (ra->at > rb->at);
}

static int
run_history (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  g_autoptr (GPtrArray) renewals = NULL;
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  g_autofree char *text = NULL;

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_DOC, &format, error))
    return CMA_EXIT_USAGE;
  if (!cma_cli_setup_full (cli, FALSE, error) ||
      (renewals = cma_ledger_load (cli->ledger, error)) == NULL)
    return CMA_EXIT_STATE;

  /* Without a connection configured or named, the whole ledger is shown. */
  for (guint i = 0; i < renewals->len; i++)
    for (guint c = 0; c < (cli->selected ? cli->selected->len : 0); c++)
      if (cma_renewal_matches (renewals->pdata[i], cli->selected->pdata[c]))
        {
          g_ptr_array_add (shown, renewals->pdata[i]);
          break;
        }
  if (cli->selected == NULL)
    g_ptr_array_extend (shown, renewals, NULL, NULL);
  /* Newest first, and within one second the later line first: reverse
   * the file order, then sort stably (GLib's sort is stable) by time. */
  for (guint i = 0, j = shown->len; i + 1 < j; i++, j--)
    {
      gpointer tmp = shown->pdata[i];

      shown->pdata[i] = shown->pdata[j - 1];
      shown->pdata[j - 1] = tmp;
    }
  g_ptr_array_sort (shown, compare_newest_first);
  text = cma_output_history (cli->product, shown, format);
  if (format == CMA_OUTPUT_TEXT && shown->len == 0)
    cma_cli_info (cli, "no renewal recorded yet in %s", cma_ledger_get_path (cli->ledger));
  cma_cli_print_result (cli, text);
  return CMA_EXIT_OK;
}

const CmaCliCommand cma_cli_cmd_history = {
  .name = "history",
  .summary = "List recorded renewals, newest first",
  .options = history_options,
  .run = run_history,
};
