/* SPDX-License-Identifier: MIT */
/* test-facts.c: what the server told us, in PROG.facts beside the ledger:
 * read back as written, merged member by member, a newer release's
 * members kept, a damaged file reported and then written anew, and the
 * store's modes. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-facts.h"
#include "cma-store.h"

#define PROGRAM "tcma-token"
#define HOUR    3600
/* 2026-11-01T00:00:00Z */
#define T       1793491200

static CmaConnection prod = {
  .name = (char *) "prod",
  .server_url = (char *) "https://jira.example.com/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

/* Another name for the same token: the same entry. */
static CmaConnection prod_again = {
  .name = (char *) "prod-again",
  .server_url = (char *) "https://jira.example.com/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static CmaConnection staging = {
  .name = (char *) "staging",
  .server_url = (char *) "http://localhost:8080/",
  .cloud_url = (char *) "https://acme.atlassian.net/",
};

static char *
state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "cma-token", NULL);
}

static char *
facts_file (void)
{
  g_autofree char *dir = state_dir ();

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, PROGRAM ".facts", NULL);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static GPtrArray *
load_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *facts = cma_facts_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (facts);
  return facts;
}

static void
note_ok (const char *path, const CmaConnection *conn, const CmaFacts *learnt)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_facts_note (path, conn, learnt, 0600, &error));
  g_assert_no_error (error);
}

static CmaFacts *
learnt_server_token (const CmaConnection *conn, CmaInstant read_at, CmaInstant expires_at)
{
  CmaFacts *f = cma_facts_new (conn);

  f->server_token.known = TRUE;
  f->server_token.read_at = read_at;
  f->server_token.expires = TRUE;
  f->server_token.expires_at = expires_at;
  f->server_token.name = g_strdup ("renewals");
  f->server_token.match = g_strdup ("the only token of this user");
  return f;
}

static CmaFacts *
learnt_everything (const CmaConnection *conn)
{
  CmaFacts *f = learnt_server_token (conn, T, T + 10 * 24 * HOUR);

  f->assistant.known = TRUE;
  f->assistant.read_at = T + 1;
  f->assistant.version = g_strdup ("1.12.4");
  f->token_check.known = TRUE;
  f->token_check.at = T + 2;
  f->token_check.task_id = g_strdup ("task-7");
  f->token_check.status = g_strdup ("FINISHED");
  f->token_check.outcome = g_strdup ("FAILED");
  f->token_check.message = g_strdup ("The token was revoked");
  f->attach.known = TRUE;
  f->attach.read_at = T + 3;
  f->attach.attached_at = T + 3;
  f->attach.until = T + 3 + 24 * HOUR;
  return f;
}

static void
assert_everything (const CmaFacts *f)
{
  g_assert_nonnull (f);
  g_assert_true (f->server_token.known);
  g_assert_cmpint (f->server_token.read_at, ==, T);
  g_assert_true (f->server_token.expires);
  g_assert_cmpint (f->server_token.expires_at, ==, T + 10 * 24 * HOUR);
  g_assert_cmpstr (f->server_token.name, ==, "renewals");
  g_assert_cmpstr (f->server_token.match, ==, "the only token of this user");
  g_assert_true (f->assistant.known);
  g_assert_cmpint (f->assistant.read_at, ==, T + 1);
  g_assert_cmpstr (f->assistant.version, ==, "1.12.4");
  g_assert_true (f->token_check.known);
  g_assert_cmpint (f->token_check.at, ==, T + 2);
  g_assert_cmpstr (f->token_check.task_id, ==, "task-7");
  g_assert_cmpstr (f->token_check.status, ==, "FINISHED");
  g_assert_cmpstr (f->token_check.outcome, ==, "FAILED");
  g_assert_cmpstr (f->token_check.message, ==, "The token was revoked");
  g_assert_true (f->attach.known);
  g_assert_cmpint (f->attach.read_at, ==, T + 3);
  g_assert_cmpint (f->attach.attached_at, ==, T + 3);
  g_assert_cmpint (f->attach.until, ==, T + 3 + 24 * HOUR);
}

static void
test_absent (void)
{
  g_autofree char *path = facts_file ();
  g_autoptr (GPtrArray) facts = load_ok (path);

  g_assert_cmpuint (facts->len, ==, 0);
  g_assert_null (cma_facts_find (facts, &prod));
}

static void
test_round_trip (void)
{
  g_autofree char *path = facts_file ();
  g_autoptr (CmaFacts) learnt = learnt_everything (&prod);
  g_autoptr (GPtrArray) facts = NULL;
  const CmaFacts *f;

  note_ok (path, &prod, learnt);
  facts = load_ok (path);
  g_assert_cmpuint (facts->len, ==, 1);
  f = cma_facts_find (facts, &prod);
  assert_everything (f);
  g_assert_cmpstr (f->connection, ==, "prod");
  g_assert_null (cma_facts_find (facts, &staging));
}

/* A caller sets only what it learnt: the other facts stay, another
 * token's entry stays, a second name for the same token writes the same
 * entry. */
static void
test_merge (void)
{
  g_autofree char *path = facts_file ();
  g_autoptr (CmaFacts) everything = learnt_everything (&prod);
  g_autoptr (CmaFacts) other = learnt_server_token (&staging, T, T + 90 * 24 * HOUR);
  g_autoptr (CmaFacts) version = cma_facts_new (&prod_again);
  g_autoptr (CmaFacts) never = cma_facts_new (&staging);
  g_autoptr (GPtrArray) facts = NULL;
  const CmaFacts *f;

  note_ok (path, &prod, everything);
  note_ok (path, &staging, other);
  version->assistant.known = TRUE;
  version->assistant.read_at = T + 100;
  version->assistant.version = g_strdup ("1.13.0");
  note_ok (path, &prod_again, version);
  never->server_token.known = TRUE;
  never->server_token.read_at = T + 200;
  never->server_token.expires = FALSE;
  note_ok (path, &staging, never);

  facts = load_ok (path);
  g_assert_cmpuint (facts->len, ==, 2);
  f = cma_facts_find (facts, &prod);
  g_assert_cmpstr (f->connection, ==, "prod-again");
  g_assert_cmpstr (f->assistant.version, ==, "1.13.0");
  g_assert_cmpint (f->assistant.read_at, ==, T + 100);
  g_assert_cmpint (f->server_token.expires_at, ==, T + 10 * 24 * HOUR);
  g_assert_cmpstr (f->token_check.outcome, ==, "FAILED");
  g_assert_cmpint (f->attach.until, ==, T + 3 + 24 * HOUR);
  /* A fact is one observation, replaced whole: no name left over. */
  f = cma_facts_find (facts, &staging);
  g_assert_true (f->server_token.known);
  g_assert_false (f->server_token.expires);
  g_assert_cmpint (f->server_token.read_at, ==, T + 200);
  g_assert_null (f->server_token.name);
  g_assert_false (f->assistant.known);
  g_assert_false (f->attach.known);
}

/* A newer release's members, at every level, survive an older writer. */
static void
test_unknown_kept (void)
{
  static const char doc[] =
      "{\"facts\": [{\"server_url\": \"https://jira.example.com/\", "
      "\"cloud_url\": \"https://acme.atlassian.net/\", \"marketplace\": {\"latest\": \"2.0\"}, "
      "\"assistant\": {\"read_at\": \"2026-11-01T00:00:00Z\", \"version\": \"1.0\"}}, "
      "{\"server_url\": \"https://wiki.example.com/\", \"cloud_url\": "
      "\"https://acme.atlassian.net/\", "
      "\"future\": 1}], \"format\": 2}";
  g_autofree char *path = facts_file ();
  g_autoptr (CmaFacts) learnt = learnt_server_token (&prod, T, T + HOUR);
  g_autofree char *after = NULL;
  g_autoptr (GPtrArray) facts = NULL;

  g_assert_true (g_file_set_contents (path, doc, -1, NULL));
  note_ok (path, &prod, learnt);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_nonnull (strstr (after, "\"marketplace\""));
  g_assert_nonnull (strstr (after, "\"latest\" : \"2.0\""));
  g_assert_nonnull (strstr (after, "\"future\" : 1"));
  g_assert_nonnull (strstr (after, "\"format\" : 2"));
  facts = load_ok (path);
  g_assert_cmpuint (facts->len, ==, 2);
  g_assert_cmpstr (cma_facts_find (facts, &prod)->assistant.version, ==, "1.0");
  g_assert_cmpint (cma_facts_find (facts, &prod)->server_token.expires_at, ==, T + HOUR);
}

/* Damaged: refused by readers, named but never quoted; the next writer
 * writes it anew rather than stop. */
static const char *const damaged[] = {
  "not json",
  "[]",
  "{\"facts\": {}}",
  "{\"facts\": [5]}",
  "{\"facts\": [{\"server_url\": \"https://jira.example.com/\"}]}",
  "{\"facts\": [{\"server_url\": 5, \"cloud_url\": \"https://acme.atlassian.net/\"}]}",
  "",
};

static void
test_damaged (void)
{
  g_autofree char *path = facts_file ();

  for (gsize i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr (CmaFacts) learnt = learnt_server_token (&prod, T, T + HOUR);
      g_autoptr (GPtrArray) facts = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", damaged[i]);
      g_assert_true (g_file_set_contents (path, damaged[i], -1, NULL));
      g_assert_null (cma_facts_load (path, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_STATE);
      g_assert_nonnull (strstr (error->message, path));
      if (damaged[i][0] != '\0')
        g_assert_null (strstr (error->message, damaged[i]));
      note_ok (path, &prod, learnt);
      facts = load_ok (path);
      g_assert_cmpuint (facts->len, ==, 1);
      g_assert_cmpint (cma_facts_find (facts, &prod)->server_token.expires_at, ==, T + HOUR);
    }
}

/* A fact of the wrong shape is not known; the entry and its others are. */
static const char *const malformed[] = {
  "\"server_token\": {\"read_at\": \"2026-11-01T00:00:00Z\", \"expires\": \"yes\"}",
  "\"server_token\": {\"read_at\": \"2026-11-01T00:00:00Z\", \"expires\": true}",
  "\"server_token\": {\"expires\": false}",
  "\"server_token\": []",
  "\"assistant\": {\"read_at\": \"2026-11-01T00:00:00Z\", \"version\": 12}",
  "\"token_check\": {\"at\": 5, \"status\": \"FINISHED\"}",
  "\"attach\": {\"read_at\": \"2026-11-01T00:00:00Z\", \"attached_at\": \"x\", \"until\": \"y\"}",
};

static void
test_malformed_fact (void)
{
  g_autofree char *path = facts_file ();

  for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *doc = g_strdup_printf (
          "{\"facts\": [{\"server_url\": \"https://jira.example.com/\", "
          "\"cloud_url\": \"https://acme.atlassian.net/\", \"connection\": [], %s}]}",
          malformed[i]);
      g_autoptr (GPtrArray) facts = NULL;
      const CmaFacts *f;

      g_test_message ("%s", malformed[i]);
      g_assert_true (g_file_set_contents (path, doc, -1, NULL));
      facts = load_ok (path);
      f = cma_facts_find (facts, &prod);
      g_assert_nonnull (f);
      g_assert_null (f->connection);
      g_assert_false (f->server_token.known || f->assistant.known || f->token_check.known ||
                      f->attach.known);
    }
}

/* renew asks for the token list when nothing is known, or the last read
 * or ask is a day old or more, to the second; a clock set back asks. */
static void
test_server_token_due (void)
{
  const CmaInstant D = CMA_FACTS_SERVER_TOKEN_INTERVAL_SECONDS;
  g_autoptr (CmaFacts) f = cma_facts_new (&prod);
  g_autofree char *path = facts_file ();
  g_autoptr (GPtrArray) facts = NULL;

  g_assert_cmpint (D, ==, 24 * HOUR);
  g_assert_true (cma_facts_server_token_due (NULL, T));
  g_assert_true (cma_facts_server_token_due (f, T));
  f->server_token.known = TRUE;
  f->server_token.read_at = T;
  g_assert_false (cma_facts_server_token_due (f, T));
  g_assert_false (cma_facts_server_token_due (f, T + D - 1));
  g_assert_true (cma_facts_server_token_due (f, T + D));
  g_assert_true (cma_facts_server_token_due (f, T - 1));
  /* A failed ask counts as much as a read. */
  f->server_token_asked = (CmaMaybeInstant){ TRUE, T + D };
  g_assert_false (cma_facts_server_token_due (f, T + D));
  g_assert_false (cma_facts_server_token_due (f, T + 2 * D - 1));
  g_assert_true (cma_facts_server_token_due (f, T + 2 * D));
  /* The assistant's verdict, by the same rule. */
  g_assert_true (cma_facts_token_check_due (NULL, T));
  g_assert_true (cma_facts_token_check_due (f, T));
  f->token_check.known = TRUE;
  f->token_check.at = T;
  g_assert_false (cma_facts_token_check_due (f, T + D - 1));
  g_assert_true (cma_facts_token_check_due (f, T + D));
  g_assert_true (cma_facts_token_check_due (f, T - 1));
  f->token_check.known = FALSE;

  /* It is kept, beside the fact it does not replace. */
  note_ok (path, &prod, f);
  cma_server_token_fact_clear (&f->server_token);
  f->server_token_asked.at = T + 3 * D;
  note_ok (path, &prod, f);
  facts = load_ok (path);
  g_assert_true (cma_facts_find (facts, &prod)->server_token.known);
  g_assert_cmpint (cma_facts_find (facts, &prod)->server_token.read_at, ==, T);
  g_assert_true (cma_facts_find (facts, &prod)->server_token_asked.known);
  g_assert_cmpint (cma_facts_find (facts, &prod)->server_token_asked.at, ==, T + 3 * D);
}

/* Through the store: the writer lock, and the state's modes and group. */
static void
test_store_modes (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "s", "cma-token", NULL);
  g_autofree char *path = g_build_filename (dir, PROGRAM ".facts", NULL);
  g_autoptr (CmaStore) store = cma_store_new (dir, PROGRAM);
  g_autoptr (CmaFacts) learnt = learnt_everything (&prod);
  g_autoptr (GPtrArray) facts = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  facts = cma_store_load_facts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (facts->len, ==, 0);
  g_clear_pointer (&facts, g_ptr_array_unref);
  /* Readers create nothing. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_true (cma_store_note_facts (store, &prod, learnt, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (dir), ==, 0700);
  g_assert_cmpuint (mode_of (path), ==, 0600);
  cma_store_set_group (store, getegid ());
  g_assert_true (cma_store_note_facts (store, &staging, learnt, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (path), ==, 0640);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_gid, ==, getegid ());
  facts = cma_store_load_facts (store, &error);
  g_assert_no_error (error);
  assert_everything (cma_facts_find (facts, &prod));
  assert_everything (cma_facts_find (facts, &staging));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/facts/absent", test_absent);
  g_test_add_func ("/facts/round-trip", test_round_trip);
  g_test_add_func ("/facts/merge", test_merge);
  g_test_add_func ("/facts/unknown-kept", test_unknown_kept);
  g_test_add_func ("/facts/damaged", test_damaged);
  g_test_add_func ("/facts/malformed-fact", test_malformed_fact);
  g_test_add_func ("/facts/server-token-due", test_server_token_due);
  g_test_add_func ("/facts/store-modes", test_store_modes);
  return g_test_run ();
}
