/* SPDX-License-Identifier: MIT */
/* cma-cli-guide.c: guide, the product's renewal steps; with --interactive
 * a walk through them that ends in a record. */
#include "config.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cma-cli-private.h"
#include "cma-error.h"
#include "cma-guide.h"

static const GOptionEntry guide_options[] = {
  { "interactive", 'i', 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (interactive),
    "Walk through the steps one by one, then record the renewal", NULL },
  { "note", 'm', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (note),
    "With --interactive: text kept with the record", "TEXT" },
  G_OPTION_ENTRY_NULL
};

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

/* The product names the last click, so the question quotes the label the
 * user just saw. */
static gboolean
confirmed (const CmaProduct *p)
{
  g_autofree char *question = g_strdup_printf (
      "\nDid the assistant accept the connection after \"%s\"? [y/N] ", p->confirm_label);
  char answer[64];

  return ask (question, answer, sizeof answer) && g_ascii_tolower (answer[0]) == 'y';
}

/* The terminal's width, to fold the steps' long lines; 0 (no folding)
 * when stdout is not a terminal, so pipes and scripts get whole lines. */
static guint
terminal_width (void)
{
  struct winsize ws;
  const char *columns = g_getenv ("COLUMNS");
  guint64 n;

  if (!isatty (STDOUT_FILENO))
    return 0;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return MAX (ws.ws_col, 40);
  if (columns != NULL && g_ascii_string_to_unsigned (columns, 10, 40, 1000, &n, NULL))
    return (guint) n;
  return 80;
}

static int
walk_steps (CmaCli *cli, const CmaStatusEntry *entry, GError **error)
{
  const CmaProduct *p = cli->product;
  guint n = cma_product_n_steps (p);
  guint width = terminal_width ();
  char answer[64];

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *step = cma_guide_format_step (p, i, entry->conn->cloud_url, width);

      printf ("\n%s", step);
      if (i + 1 < n && (!ask ("   [Enter] done, [q] stop: ", answer, sizeof answer) ||
                        g_ascii_tolower (answer[0]) == 'q'))
        {
          printf ("\nStopped; nothing recorded.\n");
          return CMA_EXIT_USAGE;
        }
    }
  if (!confirmed (p))
    {
      printf ("Nothing recorded. Run '%s guide' again when you retry.\n", p->program);
      return CMA_EXIT_USAGE;
    }
  if (!cma_cli_record_renewal (cli, cli->selected->pdata[0], cma_clock_now (), error))
    return CMA_EXIT_STATE;
  return CMA_EXIT_OK;
}

/* Each selected connection now, as status sees it; the entries point
 * into *@latest, *@latest_at, *@failures and *@facts. A broken ledger must not
 * hide the steps that fix the problem, but its deadlines would be wrong,
 * so say so. */
static CmaStatusEntry *
evaluate_now (CmaCli *cli, CmaLedgerLatest **latest, CmaLedgerLatest **latest_at,
              GPtrArray **failures, GPtrArray **facts)
{
  CmaInstant now = cma_clock_now ();
  g_autoptr (GError) local_error = NULL;

  *latest = cma_cli_read_latest (cli, now, latest_at, &local_error);
  if (*latest == NULL)
    cma_cli_warn (cli, "%s; deadlines below are unknown", local_error->message);
  *failures = cma_cli_read_failures (cli);
  *facts = cma_cli_read_facts (cli);
  return cma_cli_evaluate (cli, *latest, *latest_at, *failures, *facts, now);
}

static void
append_option (GString *out, const char *option, const char *value)
{
  g_autofree char *quoted = value != NULL ? g_shell_quote (value) : NULL;

  if (quoted != NULL)
    g_string_append_printf (out, " %s %s", option, quoted);
}

/* What the record command needs of this command line to find the same
 * configuration, connection and ledger, quoted for a shell. */
static char *
record_options (CmaCli *cli)
{
  GString *out = g_string_new (NULL);

  append_option (out, "-c", cli->config_path);
  append_option (out, "--state-dir", cli->state_dir);
  append_option (out, "--server-url", cli->server_url);
  append_option (out, "--cloud-url", cli->cloud_url);
  return g_string_free (out, FALSE);
}

static int
run_guide (CmaCli *cli, GError **error)
{
  g_autoptr (CmaLedgerLatest) latest = NULL;
  g_autoptr (CmaLedgerLatest) latest_at = NULL;
  g_autoptr (GPtrArray) failures = NULL;
  g_autoptr (GPtrArray) facts = NULL;
  g_autofree CmaStatusEntry *entries = NULL;
  g_autofree char *text = NULL;

  if (!cma_cli_setup (cli, error))
    return CMA_EXIT_CONFIG;
  if (cli->interactive && (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO)))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "--interactive needs a terminal; run '%s guide' without it to print the steps",
                   cli->product->program);
      return CMA_EXIT_USAGE;
    }
  if (cli->interactive && cli->selected->len > 1)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "%u connections are configured; choose the one to renew with -C NAME",
                   cli->selected->len);
      return CMA_EXIT_USAGE;
    }

  entries = evaluate_now (cli, &latest, &latest_at, &failures, &facts);
  if (!cli->interactive)
    {
      g_autofree char *options = record_options (cli);

      text = cma_guide_format (cli->product, &cli->config->policy, entries, cli->selected->len,
                               options, cli->color, terminal_width ());
      fputs (text, stdout);
      return CMA_EXIT_OK;
    }
  /* The header says which server to log in to and how urgent it is. */
  text = cma_guide_format_header (cli->product, entries, 1, cli->color);
  fputs (text, stdout);
  return walk_steps (cli, &entries[0], error);
}

const CmaCliCommand cma_cli_cmd_guide = {
  .name = "guide",
  .summary = "Print the product's renewal steps and each connection's deadline",
  .options = guide_options,
  .run = run_guide,
};
