/* SPDX-License-Identifier: MIT */
/* cma-output-attach.c: how every format says until when the cloud site
 * is attached for Migration API jobs (attach = yes), so text, Nagios and
 * JSON tell the same story as the evaluator's rule. */
#include "config.h"

#include <math.h>

#include "cma-json.h"
#include "cma-output-formats.h"

/* Hours with one decimal, whatever the locale. */
static void
format_hours (char *buf, gsize size, gint64 seconds)
{
  g_ascii_formatd (buf, (int) size, "%.1f", fabs ((double) seconds) / 3600);
}

char *
cma_output_attach_phrase (const CmaAttachVerdict *a, gboolean local)
{
  g_autofree char *until = NULL;
  char hours[G_ASCII_DTOSTR_BUF_SIZE];

  if (!a->known)
    return g_strdup ("never attached for Migration API jobs");
  until = local ? cma_time_format_local (a->until) : cma_time_format_iso (a->until);
  format_hours (hours, sizeof hours, a->seconds_left);
  if (a->seconds_left > 0)
    return g_strdup_printf ("attached until %s (%s h left)", until, hours);
  return g_strdup_printf ("attach lapsed %s h ago (%s)", hours, until);
}

void
cma_output_attach_text (GString *out, const char *prefix, const CmaStatusEntry *e)
{
  g_autofree char *phrase = NULL;

  if (!e->attach.watched)
    return;
  phrase = cma_output_attach_phrase (&e->attach, TRUE);
  g_string_append_printf (out, "%s%s%s\n", prefix, phrase,
                          e->attach.state == CMA_STATE_OK ? "" : ": run 'renew' to attach it");
}

char *
cma_output_attach_nagios (const CmaStatusEntry *e)
{
  g_autofree char *phrase = NULL;

  if (!e->attach.watched || e->attach.state == CMA_STATE_OK)
    return g_strdup ("");
  phrase = cma_output_attach_phrase (&e->attach, FALSE);
  return g_strdup_printf (", %s %s", e->conn->name, phrase);
}

void
cma_output_attach_json (JsonBuilder *b, const CmaStatusEntry *e)
{
  const CmaAttachVerdict *a = &e->attach;

  json_builder_set_member_name (b, "attach");
  if (!a->watched)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  cma_json_add_instant (b, "attached_at", a->known, a->attached_at);
  cma_json_add_instant (b, "until", a->known, a->until);
  json_builder_set_member_name (b, "seconds_left");
  if (a->known)
    json_builder_add_int_value (b, a->seconds_left);
  else
    json_builder_add_null_value (b);
  cma_json_add_string (b, "state", cma_state_to_string (a->state));
  json_builder_end_object (b);
}

/* Like the token's: whole seconds, "@~:N" alerting at N or fewer, so the
 * perfdata agrees with the state to the second (WARNING at 4 h left,
 * CRITICAL at 0). */
void
cma_output_attach_perfdata (GString *out, const char *label, const CmaStatusEntry *e)
{
  if (!e->attach.watched)
    return;
  g_string_append_printf (out, " %s=", label);
  if (e->attach.known)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "s", e->attach.seconds_left);
  else
    g_string_append (out, "U");
  g_string_append_printf (out, ";@~:%d;@~:0;;%d", CMA_ATTACH_WARNING_SECONDS,
                          CMA_ATTACH_LIFETIME_HOURS * 3600);
}
