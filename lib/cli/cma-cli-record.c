/* SPDX-License-Identifier: MIT */
/* cma-cli-record.c: record, a renewal done by hand. guide --interactive
 * records through the same code. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cma-cli-private.h"
#include "cma-error.h"
#include "cma-text.h"

static const GOptionEntry record_options[] = {
  { "at", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (at),
    "When the token was renewed (ISO 8601; default: now)", "TIME" },
  { "note", 'm', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (note),
    "Free text kept with the record (ticket number, who clicked)", "TEXT" },
  G_OPTION_ENTRY_NULL
};

static gboolean
check_record_time (CmaInstant at, GError **error)
{
  if (at > cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS)
    {
      g_autofree char *when = cma_time_format_local (at);
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "refusing to record a renewal in the future (%s)", when);
      return FALSE;
    }
  return TRUE;
}

/* A hand renewal renews one server/cloud pair; recording it for every
 * configured connection would silently reset the others' countdowns. */
gboolean
cma_cli_check_single_connection (CmaCli *cli, GError **error)
{
  if (cli->selected->len == 1)
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
               "%u connections are configured; name the one you renewed with "
               "-C NAME",
               cli->selected->len);
  return FALSE;
}

gboolean
cma_cli_record_renewal (CmaCli *cli, const CmaConnection *conn, CmaInstant at, GError **error)
{
  g_autoptr (CmaRenewal) renewal = cma_renewal_new (at, conn, "manual", cli->note);
  CmaVerdict verdict;
  g_autofree char *until = NULL;

  if (!cma_store_append (cli->store, renewal, error))
    return FALSE;

  cma_policy_evaluate (&cli->config->policy, TRUE, at, cma_clock_now (), &verdict);
  until = cma_time_format_local (verdict.usable_until);
  if (!cli->quiet)
    printf ("Recorded renewal of %s (%s); usable until %s.\n", conn->name, conn->cloud_url, until);
  return TRUE;
}

static int
run_record (CmaCli *cli, GError **error)
{
  CmaInstant at;

  if (!cma_cli_parse_at (cli, &at, error) || !check_record_time (at, error) ||
      !cma_cli_setup (cli, error) || !cma_cli_check_single_connection (cli, error))
    return CMA_EXIT_USAGE;
  /* CR or ESC in a note would rewrite the terminal of whoever reads history. */
  if (cli->note != NULL && cma_text_has_control (cli->note))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "--note must be a single line of text, without control characters");
      return CMA_EXIT_USAGE;
    }
  if (cli->note != NULL && strlen (cli->note) > CMA_LEDGER_MAX_NOTE_BYTES)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "--note is %" G_GSIZE_FORMAT " bytes long; it may hold at most %d",
                   strlen (cli->note), CMA_LEDGER_MAX_NOTE_BYTES);
      return CMA_EXIT_USAGE;
    }
  if (!cma_cli_record_renewal (cli, cli->selected->pdata[0], at, error))
    return CMA_EXIT_STATE;
  return CMA_EXIT_OK;
}

const CmaCliCommand cma_cli_cmd_record = {
  .name = "record",
  .summary = "Record a renewal done by hand in the Migration Assistant",
  .options = record_options,
  .run = run_record,
};
