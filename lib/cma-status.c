/* SPDX-License-Identifier: MIT */
/* cma-status.c: one evaluator for a connection's state. Each rule is a
 * function that may raise the state; the table below is the whole list,
 * so a new rule (the attach clock) is one more function and one line. */
#include "config.h"

#include "cma-status.h"

/* Where each credential's expiry is configured, and how it is named in
 * every output. */
static const struct {
  const char *name;
  const char *source;
  gsize offset; /* of its CmaMaybeInstant in CmaConnection */
} credential_kinds[] = {
  [CMA_CREDENTIAL_CLOUD_TOKEN] = { "cloud API token", "cloud-token-expires",
                                   G_STRUCT_OFFSET (CmaConnection, cloud_token_expires) },
  [CMA_CREDENTIAL_SERVER_TOKEN] = { "server personal access token", "server-token-expires",
                                    G_STRUCT_OFFSET (CmaConnection, server_token_expires) },
};

G_STATIC_ASSERT (G_N_ELEMENTS (credential_kinds) == CMA_MAX_CREDENTIALS);

void
cma_status_credential_from (const CmaConnection *conn, CmaCredentialKind kind, const char *source,
                            CmaInstant expires, CmaInstant at, CmaCredentialExpiry *out)
{
  cma_credential_evaluate (credential_kinds[kind].name, source, expires, at,
                           conn->credential_warning_days, out);
}

gboolean
cma_status_credential (const CmaConnection *conn, CmaCredentialKind kind, CmaInstant at,
                       CmaCredentialExpiry *out)
{
  const CmaMaybeInstant *expires = G_STRUCT_MEMBER_P (conn, credential_kinds[kind].offset);

  if (!expires->known)
    return FALSE;
  cma_status_credential_from (conn, kind, credential_kinds[kind].source, expires->at, at, out);
  return TRUE;
}

static void
raise_state (CmaStatusEntry *e, CmaState state)
{
  e->state = cma_state_worst (e->state, state);
}

/* The container token: the policy's verdict on the last renewal known
 * at the instant. Evaluating a past instant ignores later renewals. */
static void
rule_token_expiry (const CmaStatusInput *in, CmaStatusEntry *e)
{
  e->last = in->last != NULL && in->last->at <= in->at ? in->last : NULL;
  e->recorded_later = e->last == NULL && (in->recorded_later || in->last != NULL);
  cma_policy_evaluate (in->policy, e->last != NULL, e->last != NULL ? e->last->at : 0, in->at,
                       &e->verdict);
  raise_state (e, e->verdict.state);
}

/* A renewal that keeps failing must show before the assistant warns:
 * WARNING once the connection is due (renew-within). */
static void
rule_failing_renewals (const CmaStatusInput *in, CmaStatusEntry *e)
{
  if (!cma_failure_is_current (in->failure, &e->verdict, in->at))
    return;
  e->failure = in->failure;
  e->failing = cma_failure_escalates (in->failure, &e->verdict, in->conn->renew_within, in->at);
  if (e->failing)
    raise_state (e, CMA_STATE_WARNING);
}

/* A damaged attempts file may have lost failures the rule above would
 * count: not knowing is no OK. WARNING, whether due or not, until the
 * next attempt rewrites it. */
static void
rule_attempts_damaged (const CmaStatusInput *in, CmaStatusEntry *e)
{
  e->attempts_damaged = in->attempts_damaged;
  if (e->attempts_damaged)
    raise_state (e, CMA_STATE_WARNING);
}

/* The personal access token's expiry as the server listed it, when
 * that was known at the instant: read by then, for a token in use (not
 * Basic authentication), and one that expires. */
static gboolean
credential_learnt (const CmaStatusInput *in, CmaCredentialKind kind, CmaCredentialExpiry *out)
{
  const CmaServerTokenFact *f = in->facts != NULL ? &in->facts->server_token : NULL;

  if (kind != CMA_CREDENTIAL_SERVER_TOKEN || f == NULL || !f->known || !f->expires ||
      f->read_at > in->at || in->conn->server_user != NULL)
    return FALSE;
  cma_status_credential_from (in->conn, kind, CMA_STATUS_SERVER_TOKEN_LIST, f->expires_at, in->at,
                              out);
  out->as_of = (CmaMaybeInstant){ TRUE, f->read_at };
  return TRUE;
}

/* A credential the renewals need that is about to expire makes the
 * connection WARNING (CRITICAL once expired) before any renewal fails.
 * A date in the configuration wins over one the server gave: the
 * administrator wrote it down on purpose. */
static void
rule_credential_expiry (const CmaStatusInput *in, CmaStatusEntry *e)
{
  for (guint k = 0; k < G_N_ELEMENTS (credential_kinds); k++)
    {
      CmaCredentialExpiry *c = &e->credentials[e->n_credentials];

      if (!cma_status_credential (in->conn, (CmaCredentialKind) k, in->at, c) &&
          !credential_learnt (in, (CmaCredentialKind) k, c))
        continue;
      e->n_credentials++;
      raise_state (e, c->state);
    }
}

void
cma_status_attach (const CmaConnection *conn, const CmaAttachFact *fact, CmaInstant at,
                   CmaAttachVerdict *out)
{
  *out = (CmaAttachVerdict){ .watched = conn->attach == CMA_SWITCH_ON };
  if (!out->watched)
    return;
  /* An attach recorded after @at was not made yet at @at. */
  out->known = fact != NULL && fact->known && fact->attached_at <= at;
  if (out->known)
    {
      out->attached_at = fact->attached_at;
      out->until = fact->until;
      out->seconds_left = fact->until - at;
    }
  if (!out->known || out->seconds_left <= 0)
    out->state = CMA_STATE_CRITICAL;
  else if (out->seconds_left <= CMA_ATTACH_WARNING_SECONDS)
    out->state = CMA_STATE_WARNING;
  else
    out->state = CMA_STATE_OK;
}

/* Migration API jobs run only while the cloud site is attached (24 h
 * each time): a connection that keeps the attach clock is WARNING in its
 * last 4 h, CRITICAL once it lapsed or when it was never attached. */
static void
rule_attach_expiry (const CmaStatusInput *in, CmaStatusEntry *e)
{
  cma_status_attach (in->conn, in->facts != NULL ? &in->facts->attach : NULL, in->at, &e->attach);
  if (e->attach.watched)
    raise_state (e, e->attach.state);
}

CmaState
cma_status_token_check_state (const char *outcome)
{
  static const struct {
    const char *outcome;
    CmaState state;
  } states[] = {
    { "SUCCESS", CMA_STATE_OK },
    { "SKIPPED", CMA_STATE_OK },
    { "WARNING", CMA_STATE_WARNING },
    { "FAILED", CMA_STATE_CRITICAL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    if (g_strcmp0 (outcome, states[i].outcome) == 0)
      return states[i].state;
  /* An outcome Atlassian has not documented: not knowing is no OK. */
  return CMA_STATE_WARNING;
}

/* The assistant's own check of the container token (a Check task of
 * job-id) knows what the ledger cannot, such as a token it marked failed
 * when the site was connected from elsewhere: FAILED makes the connection
 * CRITICAL whatever the ledger says, WARNING (or an outcome not
 * documented) a warning. A verdict read
 * before the last renewal judged the token since replaced, and one read
 * after the instant evaluated was not known then: both are ignored. */
static void
rule_assistant_verdict (const CmaStatusInput *in, CmaStatusEntry *e)
{
  const CmaTokenCheckFact *v = in->facts != NULL ? &in->facts->token_check : NULL;

  if (v == NULL || !v->known || v->outcome == NULL || v->at > in->at ||
      (e->last != NULL && v->at < e->last->at))
    return;
  e->token_check = v;
  e->token_check_state = cma_status_token_check_state (v->outcome);
  raise_state (e, e->token_check_state);
}

/* In order: a rule may read what those before it found (failing
 * renewals and the assistant's verdict read the token's). */
static void (*const rules[]) (const CmaStatusInput *in, CmaStatusEntry *e) = {
  rule_token_expiry,      rule_failing_renewals, rule_attempts_damaged,
  rule_credential_expiry, rule_attach_expiry,    rule_assistant_verdict,
};

void
cma_status_evaluate (const CmaStatusInput *in, CmaStatusEntry *out)
{
  *out = (CmaStatusEntry){ .conn = in->conn, .state = CMA_STATE_OK };
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    rules[i](in, out);
}

CmaState
cma_status_after_attempt (const CmaPolicy *policy, const CmaConnection *conn,
                          const CmaVerdict *token, const GError *failure, const CmaFacts *facts,
                          CmaInstant at)
{
  CmaRenewal last = { .at = token != NULL ? token->renewed_at : 0 };
  /* What the attempts file holds once the attempt is noted: a failure
   * after the last renewal, which is all the failing rule reads. */
  CmaFailure failed = { .since = at, .at = at, .attempts = 1 };
  CmaStatusInput in = {
    .policy = policy,
    .conn = conn,
    .last = token != NULL && token->known ? &last : NULL,
    .failure = failure != NULL ? &failed : NULL,
    .facts = facts,
    .at = at,
  };
  CmaStatusEntry e;

  if (token == NULL)
    return CMA_STATE_UNKNOWN;
  cma_status_evaluate (&in, &e);
  return e.state;
}

CmaState
cma_status_entries_worst (const CmaStatusEntry *entries, guint n)
{
  CmaState worst = CMA_STATE_OK;

  for (guint i = 0; i < n; i++)
    worst = cma_state_worst (worst, entries[i].state);
  return n == 0 ? CMA_STATE_UNKNOWN : worst;
}
