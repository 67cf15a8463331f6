/* SPDX-License-Identifier: MIT */
/* cma-output-verdict.c: how every format says what the assistant's own
 * check of the container token found (job-id), as the evaluator took it,
 * so text, Nagios, JSON, Prometheus and guide tell the same story. The
 * message is the assistant's: escaped like all server text. */
#include "config.h"

#include "cma-output-formats.h"
#include "cma-json.h"
#include "cma-text.h"

#define MAX_MESSAGE 300

/* "the CCMA's check: FAILED (2026-12-07 12:00 CET), \"...\"" */
char *
cma_output_verdict_phrase (const CmaStatusEntry *e, gboolean local_time)
{
  const CmaTokenCheckFact *v = e->token_check;
  g_autofree char *when = NULL;
  g_autofree char *message = NULL;

  if (v == NULL)
    return NULL;
  when = local_time ? cma_time_format_local (v->at) : cma_time_format_iso (v->at);
  message = v->message != NULL ? cma_text_sanitize (v->message, MAX_MESSAGE) : NULL;
  return g_strdup_printf ("the assistant's token check: %s as of %s%s%s%s", v->outcome, when,
                          message ? ", \"" : "", message ? message : "", message ? "\"" : "");
}

void
cma_output_verdict_text (GString *out, const CmaStatusEntry *e)
{
  g_autofree char *phrase = cma_output_verdict_phrase (e, TRUE);

  if (phrase == NULL)
    return;
  g_string_append_printf (out, "  %s%s\n", phrase,
                          e->token_check_state == CMA_STATE_CRITICAL
                              ? ": the token is dead whatever the dates say; renew it now"
                              : "");
}

/* ", the assistant's token check: FAILED ..." when it is not OK; "". A
 * '|' would start the performance data: none gets through. */
char *
cma_output_verdict_nagios (const CmaStatusEntry *e)
{
  g_autofree char *phrase = NULL;

  if (e->token_check == NULL || e->token_check_state == CMA_STATE_OK)
    return g_strdup ("");
  phrase = cma_output_verdict_phrase (e, FALSE);
  g_strdelimit (phrase, "|", '/');
  return g_strconcat (", ", phrase, NULL);
}

/* "assistant_check": {outcome, status, message, task_id, at, state}, or
 * null when no verdict counts. */
void
cma_output_verdict_json (JsonBuilder *b, const CmaStatusEntry *e)
{
  const CmaTokenCheckFact *v = e->token_check;

  json_builder_set_member_name (b, "assistant_check");
  if (v == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  cma_json_add_string (b, "outcome", v->outcome);
  cma_json_add_string (b, "status", v->status);
  cma_json_add_string (b, "message", v->message);
  cma_json_add_string (b, "task_id", v->task_id);
  cma_json_add_instant (b, "at", TRUE, v->at);
  cma_json_add_string (b, "state", cma_state_to_string (e->token_check_state));
  json_builder_end_object (b);
}
