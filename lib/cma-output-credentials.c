/* SPDX-License-Identifier: MIT */
/* cma-output-credentials.c: how every format says that a credential the
 * renewals need is about to expire, so text, Nagios, JSON and Prometheus
 * tell the same story. */
#include "config.h"

#include <math.h>

#include "cma-json.h"
#include "cma-output-formats.h"

void
cma_output_credentials_text (GString *out, const CmaStatusEntry *e)
{
  for (guint i = 0; i < e->n_credentials; i++)
    {
      const CmaCredentialExpiry *c = &e->credentials[i];
      g_autofree char *phrase = cma_credential_phrase (c, TRUE);

      g_string_append_printf (
          out, "  %s%s\n", phrase,
          c->state == CMA_STATE_OK ? "" : ": replace it before renewals fail, and update the date");
    }
}

/* ", cloud API token expires in 12.0 days (...)" for each credential that
 * is not OK; "" when none. No '|' can come through: all text is ours. */
char *
cma_output_credentials_nagios (const CmaStatusEntry *e)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < e->n_credentials; i++)
    if (e->credentials[i].state != CMA_STATE_OK)
      {
        g_autofree char *phrase = cma_credential_phrase (&e->credentials[i], FALSE);
        g_string_append_printf (out, ", %s", phrase);
      }
  return g_string_free (out, FALSE);
}

void
cma_output_credentials_json (JsonBuilder *b, const CmaStatusEntry *e)
{
  json_builder_set_member_name (b, "credentials");
  json_builder_begin_array (b);
  for (guint i = 0; i < e->n_credentials; i++)
    {
      const CmaCredentialExpiry *c = &e->credentials[i];
      g_autofree char *iso = cma_time_format_iso (c->expires);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "expires");
      json_builder_add_string_value (b, iso);
      json_builder_set_member_name (b, "days_left");
      json_builder_add_double_value (b, cma_days_shown (c->days_left));
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, c->source);
      /* When the server said so; null for a date the configuration gives. */
      cma_json_add_instant (b, "as_of", c->as_of.known, c->as_of.at);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, cma_state_to_string (c->state));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}
