/* SPDX-License-Identifier: MIT */
/* cma-credentials.c: the expiry of the credentials renewals depend on. */
#include "config.h"

#include <string.h>

#include "cma-credentials.h"
#include "cma-error.h"

void
cma_credential_evaluate (const char *name, const char *source, CmaInstant expires, CmaInstant now,
                         double warning_days, CmaCredentialExpiry *out)
{
  gint64 left = expires - now;

  out->name = name;
  out->source = source;
  out->as_of = (CmaMaybeInstant){ FALSE, 0 };
  out->expires = expires;
  out->days_left = (double) left / 86400.0;
  /* Whole seconds on both sides: "within 30 days" includes the instant
   * exactly 30 days before, as the token's own warning day does. */
  if (left <= 0)
    out->state = CMA_STATE_CRITICAL;
  else if (left <= cma_days_to_seconds (warning_days))
    out->state = CMA_STATE_WARNING;
  else
    out->state = CMA_STATE_OK;
}

gboolean
cma_credential_parse_expiry (const char *text, CmaInstant *out, GError **error)
{
  /* "now" would make the setting mean a different day on every run. The
   * text is not quoted: it comes from a file the caller may not read. */
  if (g_ascii_strcasecmp (text, "now") == 0 || !cma_time_parse (text, out, NULL))
    {
      g_set_error_literal (error, CMA_ERROR, CMA_ERROR_CONFIG,
                           "not a date; write the day the token expires, such as 2027-03-01");
      return FALSE;
    }
  return TRUE;
}

char *
cma_credential_phrase (const CmaCredentialExpiry *c, gboolean local)
{
  g_autofree char *when =
      local ? cma_time_format_local (c->expires) : cma_time_format_iso (c->expires);
  g_autofree char *read_at = !c->as_of.known ? NULL
                             : local         ? cma_time_format_local (c->as_of.at)
                                             : cma_time_format_iso (c->as_of.at);
  g_autofree char *from =
      read_at != NULL ? g_strdup_printf ("%s as of %s", c->source, read_at) : g_strdup (c->source);
  double shown = cma_days_shown (c->days_left);

  if (c->days_left > 0)
    return g_strdup_printf ("%s expires in %.1f days (%s, from %s)", c->name, shown, when, from);
  /* 0.0 - x, not -x: at the instant itself that would print "-0.0". */
  return g_strdup_printf ("%s expired %.1f days ago (%s, from %s)", c->name, 0.0 - shown, when,
                          from);
}
