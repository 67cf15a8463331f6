/* cma-cli-offline.c: the commands that need no network — status, record,
 * guide and history. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cma-cli-private.h"
#include "cma-error.h"
#include "cma-guide.h"

#define FORMATS_ALL ((1u << CMA_OUTPUT_TEXT) | (1u << CMA_OUTPUT_JSON) | (1u << CMA_OUTPUT_NAGIOS))
#define FORMATS_DOC ((1u << CMA_OUTPUT_TEXT) | (1u << CMA_OUTPUT_JSON))

static gboolean
parse_at (CmaCli *cli, CmaInstant *at, GError **error)
{
  if (cli->at == NULL)
    {
      *at = cma_clock_now ();
      return TRUE;
    }
  return cma_time_parse (cli->at, at, error);
}

static gboolean
parse_output (CmaCli *cli, guint allowed, CmaOutputFormat *format, GError **error)
{
  *format = CMA_OUTPUT_TEXT;
  return cli->output == NULL ||
         cma_output_format_parse (cli->output, allowed, format, error);
}

static void
print_result (CmaCli *cli, const char *text)
{
  if (!cli->quiet)
    fputs (text, stdout);
}

/* ---- status ---- */

static GOptionEntry *
status_entries (CmaCli *cli)
{
  GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &cli->at,
      "Evaluate at TIME instead of now (ISO 8601)", "TIME" },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &cli->output,
      "Output format: text, json or nagios", "FORMAT" },
    { NULL }
  };
  return g_memdup2 (entries, sizeof entries);
}

/* Monitoring and scripts read stdout even when we fail, so say UNKNOWN
 * there too, in the format they parse. */
static void
status_report_failure (CmaCli *cli, CmaOutputFormat format, const GError *error)
{
  g_autofree char *text = NULL;

  if (format == CMA_OUTPUT_NAGIOS)
    printf ("%s TOKEN UNKNOWN - %s\n", cli->product->assistant_abbrev, error->message);
  else if (format == CMA_OUTPUT_JSON)
    {
      text = cma_output_status_error (error->message);
      fputs (text, stdout);
    }
}

static int
run_status (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  CmaInstant at;
  g_autoptr(GPtrArray) renewals = NULL;
  g_autofree CmaStatusEntry *entries = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!parse_output (cli, FORMATS_ALL, &format, error) || !parse_at (cli, &at, error))
    return CMA_EXIT_UNKNOWN;
  if (!cma_cli_setup (cli, &local_error) ||
      (renewals = cma_ledger_load (cli->ledger, &local_error)) == NULL)
    {
      status_report_failure (cli, format, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return CMA_EXIT_UNKNOWN;
    }

  entries = cma_cli_evaluate (cli, renewals, at);
  text = cma_output_status (cli->product, &cli->config->policy, entries,
                            cli->selected->len, at, format, cli->color);
  /* -q silences people's output only; monitoring formats are the result. */
  if (format == CMA_OUTPUT_TEXT)
    print_result (cli, text);
  else
    fputs (text, stdout);
  return (int) cma_status_entries_worst (entries, cli->selected->len);
}

const CmaCliCommand cma_cli_cmd_status = {
  .name = "status",
  .summary = "Show how long each connection's token stays usable",
  .entries = status_entries,
  .run = run_status,
  .monitoring = TRUE,
};

/* ---- record ---- */

static GOptionEntry *
record_entries (CmaCli *cli)
{
  GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &cli->at,
      "When the token was renewed (ISO 8601; default: now)", "TIME" },
    { "note", 'n', 0, G_OPTION_ARG_STRING, &cli->note,
      "Free text kept with the record (ticket number, who clicked)", "TEXT" },
    { NULL }
  };
  return g_memdup2 (entries, sizeof entries);
}

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
static gboolean
check_single_connection (CmaCli *cli, GError **error)
{
  if (cli->selected->len == 1)
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
               "%u connections are configured; name the one you renewed with "
               "-C NAME", cli->selected->len);
  return FALSE;
}

static gboolean
record_one (CmaCli *cli, const CmaConnection *conn, CmaInstant at, GError **error)
{
  g_autoptr(CmaRenewal) renewal = cma_renewal_new (at, conn, "manual", cli->note);
  CmaVerdict verdict;
  g_autofree char *until = NULL;

  if (!cma_ledger_lock (cli->ledger, CMA_LEDGER_LOCK_TIMEOUT_SECONDS, error) ||
      !cma_ledger_append (cli->ledger, renewal, error))
    return FALSE;
  cma_ledger_unlock (cli->ledger);

  cma_policy_evaluate (&cli->config->policy, TRUE, at, cma_clock_now (), &verdict);
  until = cma_time_format_local (verdict.usable_until);
  if (!cli->quiet)
    printf ("Recorded renewal of %s (%s); usable until %s.\n", conn->name,
            conn->cloud_url, until);
  return TRUE;
}

static int
run_record (CmaCli *cli, GError **error)
{
  CmaInstant at;

  if (!parse_at (cli, &at, error) || !check_record_time (at, error) ||
      !cma_cli_setup (cli, error) || !check_single_connection (cli, error))
    return CMA_EXIT_USAGE;
  if (cli->note != NULL && strchr (cli->note, '\n') != NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE, "--note must be a single line");
      return CMA_EXIT_USAGE;
    }
  if (!record_one (cli, cli->selected->pdata[0], at, error))
    return CMA_EXIT_STATE;
  return CMA_EXIT_OK;
}

const CmaCliCommand cma_cli_cmd_record = {
  .name = "record",
  .summary = "Record a renewal done by hand in the Migration Assistant",
  .entries = record_entries,
  .run = run_record,
};

/* ---- guide ---- */

static GOptionEntry *
guide_entries (CmaCli *cli)
{
  GOptionEntry entries[] = {
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &cli->interactive,
      "Walk through the steps one by one, then record the renewal", NULL },
    { "note", 'n', 0, G_OPTION_ARG_STRING, &cli->note,
      "With --interactive: text kept with the record", "TEXT" },
    { NULL }
  };
  return g_memdup2 (entries, sizeof entries);
}

/* Read one answer line from the terminal; FALSE on end of input. */
static gboolean
ask (const char *prompt, char *answer, gsize size)
{
  fputs (prompt, stdout);
  fflush (stdout);
  if (fgets (answer, (int) size, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  return TRUE;
}

static int
walk_steps (CmaCli *cli, GError **error)
{
  const CmaProduct *p = cli->product;
  guint n = cma_product_n_steps (p);
  char answer[64];

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *step = cma_guide_format_step (p, i);

      printf ("\n%s", step);
      if (i + 1 < n && (!ask ("   [Enter] done, [q] stop: ", answer, sizeof answer) ||
                        g_ascii_tolower (answer[0]) == 'q'))
        {
          printf ("\nStopped; nothing recorded.\n");
          return CMA_EXIT_USAGE;
        }
    }
  if (!ask ("\nDid the assistant accept the connection after \"Confirm\"? [y/N] ",
            answer, sizeof answer) || g_ascii_tolower (answer[0]) != 'y')
    {
      printf ("Nothing recorded. Run '%s guide' again when you retry.\n", p->program);
      return CMA_EXIT_USAGE;
    }
  if (!record_one (cli, cli->selected->pdata[0], cma_clock_now (), error))
    return CMA_EXIT_STATE;
  return CMA_EXIT_OK;
}

static int
run_guide (CmaCli *cli, GError **error)
{
  g_autoptr(GPtrArray) renewals = NULL;
  g_autofree CmaStatusEntry *entries = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!cma_cli_setup (cli, error))
    return CMA_EXIT_CONFIG;
  if (cli->interactive &&
      (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO)))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "--interactive needs a terminal; without it the steps are printed");
      return CMA_EXIT_USAGE;
    }
  if (cli->interactive && !check_single_connection (cli, error))
    return CMA_EXIT_USAGE;

  /* A broken ledger must not hide the steps that fix the problem, but
   * its deadlines would be wrong, so say so. */
  renewals = cma_ledger_load (cli->ledger, &local_error);
  if (renewals == NULL)
    cma_cli_warn (cli, "%s; deadlines below are unknown", local_error->message);
  entries = cma_cli_evaluate (cli, renewals, cma_clock_now ());
  text = cma_guide_format (cli->product, &cli->config->policy, entries,
                           cli->selected->len, cli->color);
  if (!cli->interactive)
    {
      fputs (text, stdout);
      return CMA_EXIT_OK;
    }
  return walk_steps (cli, error);
}

const CmaCliCommand cma_cli_cmd_guide = {
  .name = "guide",
  .summary = "Print the product's renewal steps and each connection's deadline",
  .entries = guide_entries,
  .run = run_guide,
};

/* ---- history ---- */

static GOptionEntry *
history_entries (CmaCli *cli)
{
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_STRING, &cli->output,
      "Output format: text or json", "FORMAT" },
    { NULL }
  };
  return g_memdup2 (entries, sizeof entries);
}

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
  g_autoptr(GPtrArray) renewals = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autofree char *text = NULL;

  if (!parse_output (cli, FORMATS_DOC, &format, error))
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
  /* Stable sort keeps file order among renewals of the same second. */
  g_ptr_array_sort (shown, compare_newest_first);
  text = cma_output_history (shown, format);
  if (format == CMA_OUTPUT_TEXT && shown->len == 0)
    cma_cli_info (cli, "no renewal recorded yet in %s", cma_ledger_get_path (cli->ledger));
  print_result (cli, text);
  return CMA_EXIT_OK;
}

const CmaCliCommand cma_cli_cmd_history = {
  .name = "history",
  .summary = "List recorded renewals, newest first",
  .entries = history_entries,
  .run = run_history,
};
