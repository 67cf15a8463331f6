/* SPDX-License-Identifier: MIT */
/* cma-output-report.c: the JSON every command prints, self-describing:
 * a reader that collects both programs' output can tell them apart
 * without knowing which one it ran. */
#include "config.h"

#include "cma-json.h"
#include "cma-attempts.h"
#include "cma-output-formats.h"
#include "cma-json-pretty.h"
#include "cma-output-report.h"

void
cma_output_json_header (JsonBuilder *b, const CmaProduct *product)
{
  json_builder_set_member_name (b, "schema_version");
  json_builder_add_int_value (b, CMA_OUTPUT_SCHEMA_VERSION);
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, product->program);
  json_builder_set_member_name (b, "product");
  json_builder_add_string_value (b, product->id);
}

/* Every JSON document the programs print: numbers without binary-fraction
 * tails (cma_json_pretty), one trailing newline. */
char *
cma_output_json_to_string (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *data = cma_json_pretty (root);

  return g_strconcat (data, "\n", NULL);
}

static void
add_connection (JsonBuilder *b, const CmaConnection *conn)
{
  cma_json_add_string (b, "name", conn->name);
  cma_json_add_string (b, "server_url", conn->server_url);
  cma_json_add_string (b, "cloud_url", conn->cloud_url);
}

static const char *
renew_outcome (const CmaRenewReport *r)
{
  static const char *const names[] = {
    [CMA_RENEW_RENEWED] = "renewed",
    [CMA_RENEW_NOT_DUE] = "not-due",
    [CMA_RENEW_WOULD_RENEW] = "would-renew",
  };

  return r->error != NULL ? "failed" : names[r->result->outcome];
}

static void
add_error (JsonBuilder *b, const GError *error)
{
  json_builder_set_member_name (b, "error");
  if (error == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  cma_json_add_string (b, "class", cma_attempts_error_class (error));
  cma_json_add_string (b, "message", error->message);
  json_builder_end_object (b);
}

/* "attach": null for attach = no, else what the attempt did and the
 * attach in effect after it. */
static void
add_attach (JsonBuilder *b, const CmaRenewReport *r)
{
  const char *action = cma_renew_attach_action (r->conn, r->result, r->error != NULL);
  const CmaAttachFact *a = cma_renew_attach_in_effect (r->result);

  json_builder_set_member_name (b, "attach");
  if (action == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  cma_json_add_string (b, "outcome", action);
  cma_json_add_instant (b, "attached_at", a != NULL, a != NULL ? a->attached_at : 0);
  cma_json_add_instant (b, "until", a != NULL, a != NULL ? a->until : 0);
  json_builder_end_object (b);
}

static void
renew_entry (JsonBuilder *b, const CmaRenewReport *r)
{
  const CmaRenewResult *res = r->error == NULL ? r->result : NULL;
  gboolean renewed = res != NULL && res->outcome == CMA_RENEW_RENEWED;
  gboolean not_due = res != NULL && res->outcome == CMA_RENEW_NOT_DUE;
  const CmaVerdict *v = renewed ? &res->after : &r->result->before;

  json_builder_begin_object (b);
  add_connection (b, r->conn);
  cma_json_add_string (b, "outcome", renew_outcome (r));
  json_builder_set_member_name (b, "exit_status");
  json_builder_add_int_value (b, r->exit_status);
  cma_json_add_string (b, "state", cma_state_to_string (r->state));
  cma_json_add_instant (b, "usable_until", v->known, v->usable_until);
  cma_json_add_instant (b, "due_from", not_due, not_due ? res->due_at : 0);
  cma_json_add_string (b, "fingerprint", renewed ? res->fingerprint : NULL);
  cma_json_add_string (b, "assistant_version", res != NULL ? res->assistant_version : NULL);
  add_error (b, r->error);
  /* A renewal that stands, with something to check (another cloud site
   * confirmed, the site missing from the assistant's list). */
  cma_json_add_string (b, "warning", renewed ? res->warning : NULL);
  add_attach (b, r);
  json_builder_end_object (b);
}

char *
cma_output_renew_json (const CmaProduct *product, const CmaRenewReport *reports, guint n,
                       int exit_status)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_output_json_header (b, product);
  json_builder_set_member_name (b, "exit_status");
  json_builder_add_int_value (b, exit_status);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    renew_entry (b, &reports[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return cma_output_json_to_string (b);
}

static void
add_checks (JsonBuilder *b, GPtrArray *checks)
{
  static const char *const results[] = { "pass", "fail", "warn", "skip" };

  json_builder_set_member_name (b, "passed");
  json_builder_add_boolean_value (b, cma_doctor_all_passed (checks));
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < checks->len; i++)
    {
      const CmaCheck *c = checks->pdata[i];

      json_builder_begin_object (b);
      cma_json_add_string (b, "result", results[c->result]);
      cma_json_add_string (b, "title", c->title);
      cma_json_add_string (b, "detail", c->detail);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

char *
cma_output_doctor_json (const CmaProduct *product, const char *config_path,
                        GPtrArray *config_checks, const CmaDoctorReport *reports, guint n,
                        gboolean passed)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_output_json_header (b, product);
  json_builder_set_member_name (b, "passed");
  json_builder_add_boolean_value (b, passed);
  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  cma_json_add_string (b, "path", config_path);
  add_checks (b, config_checks);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      add_connection (b, reports[i].conn);
      add_checks (b, reports[i].checks);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return cma_output_json_to_string (b);
}
