/* SPDX-License-Identifier: MIT */
/* test-status.c: the evaluator (lib/cma-status.c) that every output asks:
 * each rule and their combination, with injected instants, to the
 * second. */
#include "config.h"

#include "cma-error.h"
#include "cma-status.h"

#define DAY 86400
/* 2026-11-01T00:00:00Z */
#define T   1793491200

/* Default policy (21 days, WARNING from 5 left, CRITICAL at 0), renew
 * within 7 days, credentials warned of 30 days ahead. */
static CmaPolicy policy = { 21, 5, 0 };

static CmaConnection
conn_new (void)
{
  return (CmaConnection){
    .name = (char *) "prod",
    .server_url = (char *) "https://jira.example.com/",
    .cloud_url = (char *) "https://acme.atlassian.net/",
    .renew_within = 7,
    .credential_warning_days = 30,
  };
}

static const CmaRenewal renewed_at_t = { .at = T };

/* @conn renewed at T (or never: @last NULL), seen at @at. */
static void
evaluate (const CmaConnection *conn, const CmaRenewal *last, const CmaFailure *failure,
          CmaInstant at, CmaStatusEntry *e)
{
  CmaStatusInput in = {
    .policy = &policy, .conn = conn, .last = last, .failure = failure, .at = at
  };

  cma_status_evaluate (&in, e);
}

static CmaState
state_at (const CmaConnection *conn, const CmaRenewal *last, const CmaFailure *failure,
          CmaInstant at)
{
  CmaStatusEntry e;

  evaluate (conn, last, failure, at, &e);
  return e.state;
}

/* The token alone: WARNING from T+16d, CRITICAL from T+21d, each to the
 * second, and the entry keeps the token's own verdict. */
static void
test_token_boundaries (void)
{
  CmaConnection conn = conn_new ();
  CmaStatusEntry e;

  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T + 16 * DAY - 1), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T + 16 * DAY), ==, CMA_STATE_WARNING);
  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T + 21 * DAY - 1), ==, CMA_STATE_WARNING);
  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T + 21 * DAY), ==, CMA_STATE_CRITICAL);

  evaluate (&conn, &renewed_at_t, NULL, T + 16 * DAY, &e);
  g_assert_true (e.conn == &conn);
  g_assert_true (e.last == &renewed_at_t);
  g_assert_false (e.recorded_later);
  g_assert_true (e.verdict.known);
  g_assert_cmpint (e.verdict.usable_until, ==, T + 21 * DAY);
  g_assert_cmpint (e.verdict.seconds_left, ==, 5 * DAY);
  g_assert_null (e.failure);
  g_assert_false (e.failing);
  g_assert_cmpuint (e.n_credentials, ==, 0);

  /* Nothing recorded: UNKNOWN, no deadline. */
  evaluate (&conn, NULL, NULL, T, &e);
  g_assert_cmpint (e.state, ==, CMA_STATE_UNKNOWN);
  g_assert_false (e.verdict.known);
  g_assert_null (e.last);
  g_assert_false (e.recorded_later);
}

/* A past instant: a renewal recorded after it is not known yet, whether
 * the caller passes it or only says there is one. */
static void
test_recorded_later (void)
{
  CmaConnection conn = conn_new ();
  CmaStatusInput in = { .policy = &policy, .conn = &conn, .recorded_later = TRUE, .at = T - 1 };
  CmaStatusEntry e;

  cma_status_evaluate (&in, &e);
  g_assert_true (e.recorded_later);
  g_assert_false (e.verdict.known);
  g_assert_cmpint (e.state, ==, CMA_STATE_UNKNOWN);

  /* The renewal itself, one second after the instant. */
  evaluate (&conn, &renewed_at_t, NULL, T - 1, &e);
  g_assert_true (e.recorded_later);
  g_assert_null (e.last);
  g_assert_false (e.verdict.known);
  g_assert_cmpint (e.state, ==, CMA_STATE_UNKNOWN);

  /* At the renewal's own second it is known. */
  evaluate (&conn, &renewed_at_t, NULL, T, &e);
  g_assert_false (e.recorded_later);
  g_assert_true (e.last == &renewed_at_t);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);
}

/* Renewed at T, renew-within 7: a current failure raises the state to
 * WARNING from the first due second, T+14d+1, not before. */
static void
test_failing_escalation (void)
{
  CmaConnection conn = conn_new ();
  CmaFailure f = { .since = T + 10 * DAY, .at = T + 13 * DAY, .attempts = 3 };
  CmaStatusEntry e;

  evaluate (&conn, &renewed_at_t, &f, T + 14 * DAY, &e);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);
  g_assert_true (e.failure == &f); /* current, shown, but not yet alarming */
  g_assert_false (e.failing);

  evaluate (&conn, &renewed_at_t, &f, T + 14 * DAY + 1, &e);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);
  g_assert_cmpint (e.verdict.state, ==, CMA_STATE_OK); /* the token's own */
  g_assert_true (e.failing);

  /* renew-within is the connection's. */
  conn.renew_within = 6.5;
  g_assert_cmpint (state_at (&conn, &renewed_at_t, &f, T + 14 * DAY + DAY / 2), ==, CMA_STATE_OK);
  g_assert_cmpint (state_at (&conn, &renewed_at_t, &f, T + 14 * DAY + DAY / 2 + 1), ==,
                   CMA_STATE_WARNING);

  /* Already CRITICAL: a failure does not lower it. */
  g_assert_cmpint (state_at (&conn, &renewed_at_t, &f, T + 21 * DAY), ==, CMA_STATE_CRITICAL);
}

/* A failure only counts when it is current: after the last renewal, and
 * made by the instant. Nothing recorded and failing: WARNING. */
static void
test_failing_current (void)
{
  CmaConnection conn = conn_new ();
  CmaFailure before = { .since = T - 2 * DAY, .at = T - DAY, .attempts = 1 };
  CmaFailure later = { .since = T + 15 * DAY, .at = T + 15 * DAY, .attempts = 1 };
  CmaStatusEntry e;

  evaluate (&conn, &renewed_at_t, &before, T + 15 * DAY, &e);
  g_assert_null (e.failure);
  g_assert_false (e.failing);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);

  evaluate (&conn, &renewed_at_t, &later, T + 15 * DAY - 1, &e);
  g_assert_null (e.failure);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);
  evaluate (&conn, &renewed_at_t, &later, T + 15 * DAY, &e);
  g_assert_true (e.failing);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);

  evaluate (&conn, NULL, &before, T, &e);
  g_assert_true (e.failing);
  g_assert_cmpint (e.verdict.state, ==, CMA_STATE_UNKNOWN);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);
}

/* The state at @at of @conn renewed a day before: the token itself is
 * OK, so the state is what the other rules make it. */
static CmaState
fresh_state_at (const CmaConnection *conn, CmaInstant at)
{
  const CmaRenewal yesterday = { .at = at - DAY };

  return state_at (conn, &yesterday, NULL, at);
}

/* A credential expiring at E: WARNING from exactly 30 days before,
 * CRITICAL at E itself; credential-warning-days is the connection's. */
static void
test_credential_boundaries (void)
{
  const CmaInstant E = T + 60 * DAY;
  const CmaRenewal yesterday = { .at = E - DAY };
  CmaConnection conn = conn_new ();
  CmaStatusEntry e;

  conn.cloud_token_expires = (CmaMaybeInstant){ TRUE, E };
  g_assert_cmpint (fresh_state_at (&conn, E - 30 * DAY - 1), ==, CMA_STATE_OK);
  g_assert_cmpint (fresh_state_at (&conn, E - 30 * DAY), ==, CMA_STATE_WARNING);
  g_assert_cmpint (fresh_state_at (&conn, E - 1), ==, CMA_STATE_WARNING);
  g_assert_cmpint (fresh_state_at (&conn, E), ==, CMA_STATE_CRITICAL);

  evaluate (&conn, &yesterday, NULL, E, &e);
  g_assert_cmpint (e.state, ==, CMA_STATE_CRITICAL);
  g_assert_cmpint (e.verdict.state, ==, CMA_STATE_OK); /* the token's own */
  g_assert_cmpuint (e.n_credentials, ==, 1);
  g_assert_cmpstr (e.credentials[0].name, ==, "cloud API token");
  g_assert_cmpstr (e.credentials[0].source, ==, "cloud-token-expires");
  g_assert_cmpint (e.credentials[0].expires, ==, E);
  g_assert_cmpint (e.credentials[0].state, ==, CMA_STATE_CRITICAL);

  conn.credential_warning_days = 7;
  g_assert_cmpint (fresh_state_at (&conn, E - 7 * DAY - 1), ==, CMA_STATE_OK);
  g_assert_cmpint (fresh_state_at (&conn, E - 7 * DAY), ==, CMA_STATE_WARNING);
  /* 0: no warning ahead, CRITICAL from E. */
  conn.credential_warning_days = 0;
  g_assert_cmpint (fresh_state_at (&conn, E - 1), ==, CMA_STATE_OK);
  g_assert_cmpint (fresh_state_at (&conn, E), ==, CMA_STATE_CRITICAL);
}

/* Both credentials, in a fixed order, each judged on its own; a date the
 * configuration leaves out is no credential at all. */
static void
test_credentials_both (void)
{
  CmaConnection conn = conn_new ();
  CmaCredentialExpiry c;
  CmaStatusEntry e;

  g_assert_false (cma_status_credential (&conn, CMA_CREDENTIAL_CLOUD_TOKEN, T, &c));
  conn.server_token_expires = (CmaMaybeInstant){ TRUE, T + 40 * DAY };
  evaluate (&conn, &renewed_at_t, NULL, T, &e);
  g_assert_cmpuint (e.n_credentials, ==, 1);
  g_assert_cmpstr (e.credentials[0].name, ==, "server personal access token");
  g_assert_cmpstr (e.credentials[0].source, ==, "server-token-expires");
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);

  conn.cloud_token_expires = (CmaMaybeInstant){ TRUE, T + 10 * DAY };
  evaluate (&conn, &renewed_at_t, NULL, T, &e);
  g_assert_cmpuint (e.n_credentials, ==, 2);
  g_assert_cmpstr (e.credentials[0].source, ==, "cloud-token-expires");
  g_assert_cmpint (e.credentials[0].state, ==, CMA_STATE_WARNING);
  g_assert_cmpstr (e.credentials[1].source, ==, "server-token-expires");
  g_assert_cmpint (e.credentials[1].state, ==, CMA_STATE_OK);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);

  /* A date learnt elsewhere (doctor: the server's token list) is judged
   * by the same rule, under its own source. */
  cma_status_credential_from (&conn, CMA_CREDENTIAL_SERVER_TOKEN, "the server's token list",
                              T + 30 * DAY, T, &c);
  g_assert_cmpstr (c.name, ==, "server personal access token");
  g_assert_cmpstr (c.source, ==, "the server's token list");
  g_assert_cmpint (c.state, ==, CMA_STATE_WARNING);
}

static CmaState
facts_state_at (const CmaConnection *conn, const CmaFacts *facts, CmaInstant at, CmaStatusEntry *e)
{
  /* Renewed at the instant itself: the token's own state is OK. */
  static CmaRenewal now;
  CmaStatusInput in = { .policy = &policy, .conn = conn, .last = &now, .facts = facts, .at = at };

  now.at = at;

  cma_status_evaluate (&in, e);
  return e->state;
}

/* The personal access token's expiry the server listed, read at R:
 * known from R on (not before, for --at), judged by the same rule to
 * the second, "as of" R; a configured date wins; nothing for Basic
 * authentication or a token that never expires. */
static void
test_credential_learnt (void)
{
  const CmaInstant R = T + DAY, E = T + 40 * DAY;
  CmaConnection conn = conn_new ();
  CmaFacts facts = { .server_token = {
                         .known = TRUE, .read_at = R, .expires = TRUE, .expires_at = E } };
  CmaStatusEntry e;

  g_assert_cmpint (facts_state_at (&conn, &facts, R - 1, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 0);
  g_assert_cmpint (facts_state_at (&conn, &facts, R, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 1);
  g_assert_cmpstr (e.credentials[0].name, ==, "server personal access token");
  g_assert_cmpstr (e.credentials[0].source, ==, CMA_STATUS_SERVER_TOKEN_LIST);
  g_assert_true (e.credentials[0].as_of.known);
  g_assert_cmpint (e.credentials[0].as_of.at, ==, R);
  g_assert_cmpint (e.credentials[0].expires, ==, E);
  g_assert_cmpint (facts_state_at (&conn, &facts, E - 30 * DAY - 1, &e), ==, CMA_STATE_OK);
  g_assert_cmpint (facts_state_at (&conn, &facts, E - 30 * DAY, &e), ==, CMA_STATE_WARNING);
  g_assert_cmpint (facts_state_at (&conn, &facts, E, &e), ==, CMA_STATE_CRITICAL);

  /* server-token-expires wins, even a later date. */
  conn.server_token_expires = (CmaMaybeInstant){ TRUE, E + 365 * DAY };
  g_assert_cmpint (facts_state_at (&conn, &facts, E, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 1);
  g_assert_cmpstr (e.credentials[0].source, ==, "server-token-expires");
  g_assert_false (e.credentials[0].as_of.known);
  conn.server_token_expires.known = FALSE;

  conn.server_user = (char *) "admin";
  g_assert_cmpint (facts_state_at (&conn, &facts, E, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 0);
  conn.server_user = NULL;
  facts.server_token.expires = FALSE;
  g_assert_cmpint (facts_state_at (&conn, &facts, E, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 0);
  facts.server_token.expires = TRUE;
  facts.server_token.known = FALSE;
  g_assert_cmpint (facts_state_at (&conn, &facts, E, &e), ==, CMA_STATE_OK);
  g_assert_cmpuint (e.n_credentials, ==, 0);
}

/* The connection's state is the worst any rule found; CRITICAL beats
 * UNKNOWN, so an expired credential shows even with nothing recorded. */
static void
test_worst_of (void)
{
  CmaConnection conn = conn_new ();
  CmaFailure f = { .since = T, .at = T + 17 * DAY, .attempts = 2 };
  CmaStatusEntry e;

  conn.cloud_token_expires = (CmaMaybeInstant){ TRUE, T + 17 * DAY };
  /* Token WARNING, failing (WARNING), credential CRITICAL. */
  evaluate (&conn, &renewed_at_t, &f, T + 17 * DAY, &e);
  g_assert_cmpint (e.verdict.state, ==, CMA_STATE_WARNING);
  g_assert_true (e.failing);
  g_assert_cmpint (e.credentials[0].state, ==, CMA_STATE_CRITICAL);
  g_assert_cmpint (e.state, ==, CMA_STATE_CRITICAL);

  /* Nothing recorded (UNKNOWN) and an expired credential. */
  g_assert_cmpint (state_at (&conn, NULL, NULL, T + 17 * DAY), ==, CMA_STATE_CRITICAL);
  /* Nothing recorded and a credential within its warning: WARNING. */
  g_assert_cmpint (state_at (&conn, NULL, NULL, T), ==, CMA_STATE_WARNING);
  /* Token CRITICAL, credential fine long ago: CRITICAL. */
  conn.cloud_token_expires.at = T + 365 * DAY;
  g_assert_cmpint (state_at (&conn, &renewed_at_t, NULL, T + 21 * DAY), ==, CMA_STATE_CRITICAL);
}

static void
test_entries_worst (void)
{
  CmaStatusEntry entries[3] = {
    { .state = CMA_STATE_OK },
    { .state = CMA_STATE_UNKNOWN },
    { .state = CMA_STATE_WARNING },
  };

  g_assert_cmpint (cma_status_entries_worst (entries, 0), ==, CMA_STATE_UNKNOWN);
  g_assert_cmpint (cma_status_entries_worst (entries, 1), ==, CMA_STATE_OK);
  g_assert_cmpint (cma_status_entries_worst (entries, 2), ==, CMA_STATE_UNKNOWN);
  g_assert_cmpint (cma_status_entries_worst (entries, 3), ==, CMA_STATE_WARNING);
  /* The entry's state counts, not the token's verdict alone. */
  entries[0].verdict.state = CMA_STATE_OK;
  entries[0].state = CMA_STATE_CRITICAL;
  g_assert_cmpint (cma_status_entries_worst (entries, 1), ==, CMA_STATE_CRITICAL);
}

/* renew's report and hooks: the state an attempt leaves, as status
 * will show it once the attempt is kept. */
/* The attach clock, only for attach = yes: CRITICAL never attached,
 * OK while more than 4 h remain, WARNING inside the last 4 h, CRITICAL
 * from the instant it lapses, each to the second. */
static void
test_attach_boundaries (void)
{
  CmaConnection conn = conn_new ();
  CmaFacts facts = { .attach = {
                         .known = TRUE, .read_at = T, .attached_at = T, .until = T + DAY } };
  CmaStatusInput in = {
    .policy = &policy, .conn = &conn, .last = &renewed_at_t, .facts = &facts, .at = T + 1
  };
  CmaStatusEntry e;

  /* Off (the default): the attach is not watched, whatever is recorded. */
  cma_status_evaluate (&in, &e);
  g_assert_false (e.attach.watched);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);

  conn.attach = CMA_SWITCH_ON;
  cma_status_evaluate (&in, &e);
  g_assert_true (e.attach.watched && e.attach.known);
  g_assert_cmpint (e.attach.until, ==, T + DAY);
  g_assert_cmpint (e.attach.seconds_left, ==, DAY - 1);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);

  in.at = T + DAY - 4 * 3600 - 1;
  cma_status_evaluate (&in, &e);
  g_assert_cmpint (e.attach.state, ==, CMA_STATE_OK);
  in.at = T + DAY - 4 * 3600;
  cma_status_evaluate (&in, &e);
  g_assert_cmpint (e.attach.state, ==, CMA_STATE_WARNING);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);
  in.at = T + DAY - 1;
  cma_status_evaluate (&in, &e);
  g_assert_cmpint (e.state, ==, CMA_STATE_WARNING);
  in.at = T + DAY;
  cma_status_evaluate (&in, &e);
  g_assert_cmpint (e.attach.seconds_left, ==, 0);
  g_assert_cmpint (e.state, ==, CMA_STATE_CRITICAL);
}

/* Never attached, or attached only after the instant evaluated: CRITICAL,
 * whatever the token's own state. */
static void
test_attach_never (void)
{
  CmaConnection conn = conn_new ();
  CmaFacts facts = { .attach = { .known = TRUE, .attached_at = T + 10, .until = T + 10 + DAY } };
  CmaStatusInput in = { .policy = &policy, .conn = &conn, .last = &renewed_at_t, .at = T + 1 };
  CmaStatusEntry e;

  conn.attach = CMA_SWITCH_ON;
  cma_status_evaluate (&in, &e);
  g_assert_true (e.attach.watched);
  g_assert_false (e.attach.known);
  g_assert_cmpint (e.state, ==, CMA_STATE_CRITICAL);

  in.facts = &facts;
  in.at = T + 9;
  cma_status_evaluate (&in, &e);
  g_assert_false (e.attach.known);
  g_assert_cmpint (e.state, ==, CMA_STATE_CRITICAL);
  in.at = T + 10;
  cma_status_evaluate (&in, &e);
  g_assert_true (e.attach.known);
  g_assert_cmpint (e.state, ==, CMA_STATE_OK);
}

/* renew's CMA_STATE counts the attach it leaves recorded. */
static void
test_after_attempt_attach (void)
{
  CmaConnection conn = conn_new ();
  CmaVerdict token;
  CmaFacts attach = { .attach = { .known = TRUE, .attached_at = T, .until = T + DAY } };

  conn.attach = CMA_SWITCH_ON;
  cma_policy_evaluate (&policy, TRUE, T, T, &token);
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, NULL, T), ==,
                   CMA_STATE_CRITICAL);
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, &attach, T), ==,
                   CMA_STATE_OK);
  g_assert_cmpint (
      cma_status_after_attempt (&policy, &conn, &token, NULL, &attach, T + DAY - 4 * 3600), ==,
      CMA_STATE_WARNING);
}

static void
test_after_attempt (void)
{
  CmaConnection conn = conn_new ();
  g_autoptr (GError) failure = g_error_new_literal (CMA_ERROR, CMA_ERROR_NETWORK, "down");
  CmaVerdict token;

  cma_policy_evaluate (&policy, TRUE, T, T + 14 * DAY, &token);
  /* Not due (7 days left): a failed forced attempt does not alarm. */
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, failure, NULL, T + 14 * DAY),
                   ==, CMA_STATE_OK);
  cma_policy_evaluate (&policy, TRUE, T, T + 14 * DAY + 1, &token);
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, NULL, T + 14 * DAY + 1),
                   ==, CMA_STATE_OK);
  g_assert_cmpint (
      cma_status_after_attempt (&policy, &conn, &token, failure, NULL, T + 14 * DAY + 1), ==,
      CMA_STATE_WARNING);
  /* The ledger never read: unknown, whatever happened. */
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, NULL, failure, NULL, T), ==,
                   CMA_STATE_UNKNOWN);
  cma_policy_evaluate (&policy, TRUE, T, T, &token);
  /* What the server said counts as in status: a PAT within its warning. */
  {
    CmaFacts facts = {
      .server_token = { .known = TRUE, .read_at = T, .expires = TRUE, .expires_at = T + 10 * DAY }
    };

    g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, NULL, T), ==,
                     CMA_STATE_OK);
    g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, &facts, T), ==,
                     CMA_STATE_WARNING);
  }
  /* A credential past its date: CRITICAL, though the token is fine. */
  conn.cloud_token_expires = (CmaMaybeInstant){ TRUE, T - 1 };
  cma_policy_evaluate (&policy, TRUE, T, T, &token);
  g_assert_cmpint (cma_status_after_attempt (&policy, &conn, &token, NULL, NULL, T), ==,
                   CMA_STATE_CRITICAL);
}

/* @conn renewed at @last seen at @at, with the assistant's verdict
 * @outcome read at @read_at. */
static CmaState
state_with_verdict (const CmaConnection *conn, const CmaRenewal *last, const char *outcome,
                    CmaInstant read_at, CmaInstant at, CmaStatusEntry *e)
{
  CmaFacts facts = {
    .token_check = { .known = TRUE,
                     .at = read_at,
                     .task_id = (char *) "task-1",
                     .status = (char *) "FINISHED",
                     .outcome = (char *) outcome,
                     .message = (char *) "Your cloud token has expired." },
  };
  CmaStatusInput in = { .policy = &policy, .conn = conn, .last = last, .facts = &facts, .at = at };

  /* e->token_check points into @facts: the callers only test it for NULL. */
  cma_status_evaluate (&in, e);
  return e->state;
}

/* The assistant's verdict: FAILED is CRITICAL however young the token,
 * WARNING a warning, SUCCESS changes nothing; a verdict read before the
 * last renewal, or after the instant evaluated, is ignored, to the
 * second. */
static void
test_assistant_verdict (void)
{
  CmaConnection conn = conn_new ();
  CmaStatusEntry e;

  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "FAILED", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_CRITICAL);
  g_assert_nonnull (e.token_check);
  g_assert_cmpint (e.token_check_state, ==, CMA_STATE_CRITICAL);
  g_assert_cmpint (e.verdict.state, ==, CMA_STATE_OK); /* the ledger's own, kept */
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "WARNING", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_WARNING);
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "SUCCESS", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_OK);
  g_assert_nonnull (e.token_check);
  /* SUCCESS does not lower what the ledger says. */
  g_assert_cmpint (
      state_with_verdict (&conn, &renewed_at_t, "SUCCESS", T + 21 * DAY, T + 21 * DAY, &e), ==,
      CMA_STATE_CRITICAL);

  /* Read at the renewal's second: it counts; one second before: ignored. */
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "FAILED", T, T + DAY, &e), ==,
                   CMA_STATE_CRITICAL);
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "FAILED", T - 1, T + DAY, &e), ==,
                   CMA_STATE_OK);
  g_assert_null (e.token_check);
  /* Read after the instant evaluated: not known then. */
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "FAILED", T + DAY, T + DAY - 1, &e),
                   ==, CMA_STATE_OK);
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "FAILED", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_CRITICAL);
  /* Nothing in the ledger: the verdict still counts. */
  g_assert_cmpint (state_with_verdict (&conn, NULL, "FAILED", T, T, &e), ==, CMA_STATE_CRITICAL);
  /* SKIPPED judged nothing; an outcome not documented is no OK (doctor
   * warns of it too). */
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "SKIPPED", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_OK);
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, "BLOCKED", T + DAY, T + DAY, &e), ==,
                   CMA_STATE_WARNING);
  g_assert_cmpint (e.token_check_state, ==, CMA_STATE_WARNING);
  /* Unfinished (no outcome): nothing. */
  g_assert_cmpint (state_with_verdict (&conn, &renewed_at_t, NULL, T + DAY, T + DAY, &e), ==,
                   CMA_STATE_OK);
  g_assert_null (e.token_check);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/status/token/boundaries", test_token_boundaries);
  g_test_add_func ("/status/token/recorded-later", test_recorded_later);
  g_test_add_func ("/status/failing/escalation", test_failing_escalation);
  g_test_add_func ("/status/failing/current", test_failing_current);
  g_test_add_func ("/status/credentials/boundaries", test_credential_boundaries);
  g_test_add_func ("/status/credentials/both", test_credentials_both);
  g_test_add_func ("/status/credentials/learnt", test_credential_learnt);
  g_test_add_func ("/status/worst-of", test_worst_of);
  g_test_add_func ("/status/entries-worst", test_entries_worst);
  g_test_add_func ("/status/after-attempt", test_after_attempt);
  g_test_add_func ("/status/attach/boundaries", test_attach_boundaries);
  g_test_add_func ("/status/attach/never", test_attach_never);
  g_test_add_func ("/status/attach/after-attempt", test_after_attempt_attach);
  g_test_add_func ("/status/assistant-verdict", test_assistant_verdict);
  return g_test_run ();
}
