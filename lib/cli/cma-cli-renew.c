/* SPDX-License-Identifier: MIT */
/* cma-cli-renew.c: renew, each due connection's token through Atlassian's
 * API, with a hook after each attempt. */
#include "config.h"

#include <stdio.h>

#include "cma-cli-private.h"
#include "cma-error.h"
#include "cma-file.h"
#include "cma-fleet.h"
#include "cma-hook.h"
#include "cma-output-report.h"
#include "cma-renew.h"
#include "cma-status.h"

CMA_CLI_DAYS_CALLBACK (set_renew_within, renew_within)

static gboolean
set_jobs (const char *name, const char *value, gpointer data, GError **error)
{
  guint64 n = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 1, CMA_CONFIG_MAX_JOBS, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s wants a whole number from 1 to %d, not '%s'", name, CMA_CONFIG_MAX_JOBS,
                   value);
      return FALSE;
    }
  ((CmaCli *) data)->jobs = (guint) n;
  return TRUE;
}

static const GOptionEntry renew_options[] = {
  { "force", 'f', 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (force),
    "Renew even connections that are not due", NULL },
  { "dry-run", 'n', 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (dry_run),
    "Prove both sides accept the credentials (an auth token is created and discarded); "
    "say whether it would attach; save, attach and record nothing",
    NULL },
  { "renew-within", 0, 0, G_OPTION_ARG_CALLBACK, set_renew_within,
    "Due when fewer than DAYS remain (default 7)", "DAYS" },
  { "jobs", 0, 0, G_OPTION_ARG_CALLBACK, set_jobs,
    "At most N requests at once to any one host (default: 'jobs' in [defaults], else 8)", "N" },
  { "hook", 0, 0, G_OPTION_ARG_FILENAME, CMA_CLI_FIELD (hook),
    "Run PROG after each connection's attempt (renewed, failed, not-due)", "PROG" },
  { "output", 'o', 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (output),
    "Output format: text or json (each connection's outcome)", "FORMAT" },
  G_OPTION_ENTRY_NULL
};

/* The hook's CMA_STATE is the connection's @state, as status gives it;
 * the countdown is the token's @verdict. */
static void
run_hook (CmaCli *cli, const CmaRenewReport *r, const char *action, const CmaVerdict *verdict,
          const char *message)
{
  const CmaConnection *conn = r->conn;
  const char *hook = cli->hook ? cli->hook : conn->hook;
  g_autoptr (GError) error = NULL;
  CmaVerdict shown = *verdict;
  CmaHookAttach attach = {
    cma_renew_attach_action (conn, r->result, r->error != NULL),
    cma_renew_attach_in_effect (r->result),
  };
  CmaState state = r->state;

  if (hook == NULL)
    return;
  shown.state = state;
  verdict = &shown;
  cma_cli_verbose (cli, 1, "%s: running hook %s %s", conn->name, hook, action);
  /* Our lines reach the journal before a hook that may outlive the unit's
   * timeout: a killed run still says what it renewed. */
  fflush (stdout);
  /* A failing hook is reported but never undoes or fails the renewal. */
  if (!cma_hook_run (hook, action, cli->product, conn, verdict, message, &attach, &error))
    cma_cli_warn (cli, "%s: %s", conn->name, error->message);
}

/* Keep a failed attempt (or forget them after a renewal) beside the
 * ledger, under its lock, so status shows a failing renewal before the
 * assistant's own warning. Keeping it never fails the run. */
static void
note_attempt (CmaCli *cli, const CmaConnection *conn, const CmaRenewResult *result,
              const GError *failure)
{
  g_autoptr (GError) error = NULL;
  /* The latest renewal the attempt knew of: its own (an attach failing
   * after it), else the one it read; none read yet: when it began. */
  CmaMaybeInstant seen = { TRUE, result->started };

  if (result->after.known)
    seen.at = result->after.renewed_at;
  else if (result->evaluated)
    seen = (CmaMaybeInstant){ result->before.known, result->before.renewed_at };
  if (!cma_store_note_attempt (cli->store, conn, result->started, seen, failure, &error))
    cma_cli_warn (cli, "%s: cannot keep the attempt: %s", conn->name, error->message);
}

/* One line for the attach clock, after the token's (attach = yes). */
static void
report_attach (const CmaConnection *conn, const CmaRenewResult *r)
{
  const CmaAttachFact *a = cma_renew_attach_in_effect (r);
  g_autofree char *until = a != NULL ? cma_time_format_local (a->until) : NULL;
  g_autofree char *from = NULL;

  switch (r->attach)
    {
    case CMA_ATTACH_ATTACHED:
      printf ("%s: attached %s for Migration API jobs until %s\n", conn->name, conn->cloud_url,
              until);
      break;
    case CMA_ATTACH_NOT_DUE:
      from = cma_time_format_local (a->attached_at + (CmaInstant) (conn->attach_margin * 3600));
      printf ("%s: attach not due (attached until %s); due from %s\n", conn->name, until, from);
      break;
    case CMA_ATTACH_WOULD_ATTACH:
      if (until != NULL)
        printf ("%s: would attach %s (attached until %s); nothing was attached\n", conn->name,
                conn->cloud_url, until);
      else
        printf ("%s: would attach %s (never attached); nothing was attached\n", conn->name,
                conn->cloud_url);
      break;
    case CMA_ATTACH_OFF:
    default:
      break;
    }
}

static void
report_outcome (CmaCli *cli, const CmaConnection *conn, const CmaRenewResult *r)
{
  g_autofree char *phrase = NULL;
  g_autofree char *when = NULL;

  if (cli->quiet)
    return;
  switch (r->outcome)
    {
    case CMA_RENEW_RENEWED:
      when = cma_time_format_local (r->after.usable_until);
      printf ("%s: renewed (token %s); usable until %s, %.1f days left\n", conn->name,
              r->fingerprint ? r->fingerprint : "?", when, cma_days_shown (r->after.days_left));
      break;
    case CMA_RENEW_NOT_DUE:
      phrase = cma_output_days_phrase (&r->before);
      when = cma_time_format_local (r->due_at);
      printf ("%s: not due (%s); due from %s\n", conn->name, phrase, when);
      break;
    case CMA_RENEW_WOULD_RENEW:
    default:
      printf ("%s: would renew: the server accepted its credentials (%s %s), the cloud API "
              "issued an auth token (discarded); nothing was saved or recorded\n",
              conn->name, cli->product->assistant_abbrev, r->assistant_version);
      break;
    }
  report_attach (conn, r);
}

static const char *
outcome_action (CmaRenewOutcome outcome)
{
  return outcome == CMA_RENEW_RENEWED ? "renewed" : "not-due";
}

/* Whether the failure @error is kept as a failed attempt: a dry run
 * attempted nothing; a locked connection means another run is making the
 * attempt. */
static gboolean
is_kept (CmaCli *cli, const GError *error)
{
  return !cli->dry_run && !g_error_matches (error, CMA_ERROR, CMA_ERROR_LOCKED);
}

/* Report one connection's finished attempt (hook, kept attempt, output)
 * and return its exit status. */
static int
report_one (CmaCli *cli, gboolean json, const CmaRenewReport *r)
{
  const CmaConnection *conn = r->conn;
  const CmaRenewResult *result = r->result;
  const GError *error = r->error;
  int status = CMA_EXIT_OK;

  if (error != NULL)
    {
      g_printerr ("%s: %s: %s\n", cli->product->program, conn->name, error->message);
      status = cma_cli_exit_code_for_error (error);
      if (is_kept (cli, error))
        note_attempt (cli, conn, result, error);
      if (!cli->dry_run)
        run_hook (cli, r, "failed", &result->before, error->message);
    }
  else
    {
      if (result->warning != NULL)
        cma_cli_warn (cli, "%s: %s", conn->name, result->warning);
      if (result->check_note != NULL)
        cma_cli_warn (cli, "%s: %s", conn->name, result->check_note);
      if (!json)
        report_outcome (cli, conn, result);
      if (result->outcome == CMA_RENEW_RENEWED)
        note_attempt (cli, conn, result, NULL);
      if (!cli->dry_run)
        run_hook (cli, r, outcome_action (result->outcome),
                  result->outcome == CMA_RENEW_RENEWED ? &result->after : &result->before, NULL);
    }
  if (result->secret_origins != NULL)
    cma_cli_verbose (cli, 1, "%s: %s", conn->name, result->secret_origins);
  if (result->learnt != NULL)
    cma_cli_verbose (cli, 1, "%s: %s", conn->name, result->learnt);
  cma_cli_verbose (cli, 1, "%s: %u HTTP request(s), %u new connection(s)", conn->name,
                   result->requests, result->connects);
  return status;
}

/* The connection's state after its attempt: the evaluator's, from the
 * token's verdict the attempt knew of, whether it failed (as kept), and
 * what the server said as the run found it in @facts (read once, before
 * the renewals), with what the attempt itself learnt of the server's
 * token, the assistant's verdict and the attach it leaves in effect. */
static CmaState
state_after (CmaCli *cli, const CmaRenewReport *r, GPtrArray *facts)
{
  const CmaRenewResult *res = r->result;
  const CmaFacts *found = facts != NULL ? cma_facts_find (facts, r->conn) : NULL;
  const CmaAttachFact *attach = cma_renew_attach_in_effect (res);
  /* A shallow copy: its strings stay the run's and the result's. */
  CmaFacts known = found != NULL ? *found : (CmaFacts){ 0 };
  gboolean renewed = r->error == NULL && res->outcome == CMA_RENEW_RENEWED;
  const CmaVerdict *token = renewed ? &res->after : &res->before;
  const GError *failed = r->error != NULL && is_kept (cli, r->error) ? r->error : NULL;

  if (res->facts != NULL && res->facts->server_token.known)
    known.server_token = res->facts->server_token;
  if (res->facts != NULL && res->facts->token_check.known)
    known.token_check = res->facts->token_check;
  known.attach = attach != NULL ? *attach : (CmaAttachFact){ 0 };
  return cma_status_after_attempt (&cli->config->policy, r->conn, res->evaluated ? token : NULL,
                                   failed, &known, cma_clock_now ());
}

typedef struct {
  CmaCli *cli;
  gboolean json;
  CmaRenewReport *reports;
  GError **errors;
  GPtrArray *facts; /* PROG.facts as the run found it, or NULL */
  int status;
} Run;

/* In configuration order, each as soon as it and those before are done. */
static void
connection_done (guint i, gpointer data)
{
  Run *run = data;
  CmaRenewReport *r = &run->reports[i];

  r->error = run->errors[i];
  r->state = state_after (run->cli, r, run->facts);
  r->exit_status = report_one (run->cli, run->json, r);
  /* The first failure decides the exit status, so a timer's unit fails
   * when any renewal did. */
  if (run->status == CMA_EXIT_OK)
    run->status = r->exit_status;
}

/* Every connection gets its attempt, several at once. */
static int
renew_all (CmaCli *cli, gboolean json, CmaRenewReport *reports, CmaRenewResult *results,
           GError **errors)
{
  CmaRenewOptions renew = {
    .force = cli->force,
    .dry_run = cli->dry_run,
    .renew_within = cli->renew_within,
    .trace = cli->verbose >= 2 ? cma_cli_trace_to_stderr : NULL,
    .trace_data = cli,
  };
  CmaFleetOptions options = {
    .product = cli->product,
    .policy = &cli->config->policy,
    .store = cli->store,
    .renew = &renew,
    .jobs = cli->jobs > 0 ? cli->jobs : (guint) cli->config->jobs,
  };
  /* Damaged: nothing known; the renewals' notes write it anew. */
  g_autoptr (GPtrArray) facts = cma_store_load_facts (cli->store, NULL);
  Run run = { cli, json, reports, errors, facts, CMA_EXIT_OK };

  for (guint i = 0; i < cli->selected->len; i++)
    {
      reports[i].conn = cli->selected->pdata[i];
      reports[i].result = &results[i];
      /* A failure before the ledger is read leaves the state unknown. */
      results[i].before.state = CMA_STATE_UNKNOWN;
      /* cma_renew() sets its own; this covers a failure before it. */
      results[i].started = cma_clock_now ();
    }
  cma_fleet_renew (&options, cli->selected, results, errors, connection_done, &run);
  return run.status;
}

/* Run as root, no hook that another user could change: refused before
 * any renewal, as a configuration error. A missing hook is left to fail
 * as a hook does. */
static gboolean
check_hooks (CmaCli *cli, GError **error)
{
  for (guint i = 0; i < cli->selected->len && !cli->dry_run; i++)
    {
      const CmaConnection *conn = cli->selected->pdata[i];
      const char *hook = cli->hook ? cli->hook : conn->hook;

      if (hook != NULL && g_file_test (hook, G_FILE_TEST_EXISTS) &&
          !cma_file_check_trusted ("hook", hook, error))
        return FALSE;
    }
  return TRUE;
}

static int
run_renew (CmaCli *cli, GError **error)
{
  CmaOutputFormat format;
  int status;
  guint n;
  g_autofree CmaRenewResult *results = NULL;
  g_autofree GError **errors = NULL;
  g_autofree CmaRenewReport *reports = NULL;
  g_autofree char *json = NULL;

  if (!cma_cli_parse_output (cli, CMA_CLI_FORMATS_DOC, &format, error))
    return CMA_EXIT_USAGE;
  if (!cma_cli_setup (cli, error) || !check_hooks (cli, error))
    return CMA_EXIT_CONFIG;
  n = cli->selected->len;
  results = g_new0 (CmaRenewResult, n);
  errors = g_new0 (GError *, n);
  reports = g_new0 (CmaRenewReport, n);
  status = renew_all (cli, format == CMA_OUTPUT_JSON, reports, results, errors);
  if (format == CMA_OUTPUT_JSON)
    {
      json = cma_output_renew_json (cli->product, reports, n, status);
      fputs (json, stdout);
    }
  for (guint i = 0; i < n; i++)
    {
      cma_renew_result_clear (&results[i]);
      g_clear_error (&errors[i]);
    }
  return status;
}

const CmaCliCommand cma_cli_cmd_renew = {
  .name = "renew",
  .summary = "Renew due connections' tokens through Atlassian's API",
  .options = renew_options,
  .run = run_renew,
};
