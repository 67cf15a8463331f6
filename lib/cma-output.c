/* SPDX-License-Identifier: MIT */
/* cma-output.c: one formatter per output format, shared by every command
 * that reports a state, so text, JSON and Nagios never disagree. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cma-json.h"
#include "cma-error.h"
#include "cma-output-formats.h"
#include "cma-output.h"
#include "cma-text.h"

static const char *const format_names[] = { "text", "json", "nagios", "prometheus", "ics" };

gboolean
cma_output_format_parse (const char *text, guint allowed, CmaOutputFormat *out, GError **error)
{
  g_autoptr (GString) choices = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    {
      if (!(allowed & (1u << i)))
        continue;
      if (g_strcmp0 (text, format_names[i]) == 0)
        {
          *out = (CmaOutputFormat) i;
          return TRUE;
        }
      g_string_append_printf (choices, "%s%s", choices->len ? ", " : "", format_names[i]);
    }
  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE, "unknown output format '%s' (choose %s)", text,
               choices->str);
  return FALSE;
}

/* Days as cma_days_shown() rounds them, as in every format; an expiry
 * that shows as 0.0 days ago reads "expired just now". */
char *
cma_output_days_phrase (const CmaVerdict *v)
{
  double shown = cma_days_shown (v->days_left);

  if (!v->known)
    return g_strdup ("no renewal recorded");
  if (v->days_left > 0)
    return g_strdup_printf ("%.1f days left", shown);
  if (shown == 0)
    return g_strdup ("expired just now");
  return g_strdup_printf ("expired %.1f days ago", -shown);
}

/* The Nagios summary reads as a sentence: "prod expires in 4.2 days". */
static char *
nagios_phrase (const CmaStatusEntry *e)
{
  const CmaVerdict *v = &e->verdict;
  g_autofree char *until = NULL;
  char days[G_ASCII_DTOSTR_BUF_SIZE];

  if (!v->known && e->recorded_later)
    return g_strdup_printf ("%s has nothing recorded by then", e->conn->name);
  if (!v->known)
    return g_strdup_printf ("%s has no renewal recorded", e->conn->name);
  until = cma_time_format_iso (v->usable_until);
  /* Monitoring parses this line: a decimal point whatever the locale. */
  g_ascii_formatd (days, sizeof days, "%.1f", fabs (cma_days_shown (v->days_left)));
  if (v->days_left > 0)
    return g_strdup_printf ("%s expires in %s days (%s)", e->conn->name, days, until);
  return g_strdup_printf ("%s expired %s days ago (%s)", e->conn->name, days, until);
}

/* The phrase, and why a due connection is WARNING early. A '|' would
 * start the performance data, so none gets through from a message. */
static char *
nagios_failing_phrase (const CmaStatusEntry *e)
{
  g_autofree char *phrase = nagios_phrase (e);
  g_autofree char *failing = NULL;
  g_autofree char *credentials = cma_output_credentials_nagios (e);
  g_autofree char *attach = cma_output_attach_nagios (e);
  g_autofree char *verdict = cma_output_verdict_nagios (e);

  const char *damaged = e->attempts_damaged ? ", " CMA_OUTPUT_ATTEMPTS_DAMAGED : "";

  if (!e->failing)
    return g_strconcat (phrase, verdict, damaged, credentials, attach, NULL);
  failing = cma_output_failure_phrase (e->failure, FALSE);
  g_strdelimit (failing, "|", '/');
  return g_strdup_printf ("%s, %s%s%s%s%s", phrase, failing, verdict, damaged, credentials, attach);
}

static const char *
state_color (CmaState state)
{
  switch (state)
    {
    case CMA_STATE_OK:
      return "\033[32m";
    case CMA_STATE_WARNING:
      return "\033[33m";
    case CMA_STATE_CRITICAL:
      return "\033[1;31m";
    case CMA_STATE_UNKNOWN:
    default:
      return "\033[35m";
    }
}

static void
append_state (GString *out, CmaState state, gboolean color)
{
  if (color)
    g_string_append_printf (out, "%s%s\033[0m", state_color (state), cma_state_to_string (state));
  else
    g_string_append (out, cma_state_to_string (state));
}

static void
append_local (GString *out, const char *label, CmaInstant instant)
{
  g_autofree char *when = cma_time_format_local (instant);

  g_string_append_printf (out, "  %-14s %s\n", label, when);
}

/* A copy of @r for a terminal: every string the ledger held escaped by
 * cma_text_sanitize (control characters as \xNN, backslashes doubled). */
CmaRenewal *
cma_output_renewal_for_display (const CmaRenewal *r)
{
  CmaRenewal *d = g_new0 (CmaRenewal, 1);

  d->at = r->at;
  d->connection = cma_text_sanitize (r->connection, G_MAXSIZE);
  d->server_url = cma_text_sanitize (r->server_url, G_MAXSIZE);
  d->cloud_url = cma_text_sanitize (r->cloud_url, G_MAXSIZE);
  d->method = cma_text_sanitize (r->method, G_MAXSIZE);
  d->user = cma_text_sanitize (r->user, G_MAXSIZE);
  d->note = cma_text_sanitize (r->note, G_MAXSIZE);
  d->fingerprint = cma_text_sanitize (r->fingerprint, G_MAXSIZE);
  return d;
}

static void
status_text_entry (GString *out, const CmaStatusEntry *e, gboolean color)
{
  g_autofree char *phrase = e->recorded_later ? g_strdup ("nothing recorded by then")
                                              : cma_output_days_phrase (&e->verdict);

  g_string_append_printf (out, "%s: ", e->conn->name);
  append_state (out, e->state, color);
  g_string_append_printf (out, ", %s\n", phrase);
  g_string_append_printf (out, "  %-14s %s\n", "server:", e->conn->server_url);
  g_string_append_printf (out, "  %-14s %s\n", "cloud site:", e->conn->cloud_url);
  if (e->failing)
    {
      g_autofree char *failing = cma_output_failure_phrase (e->failure, TRUE);
      g_string_append_printf (out, "  %s\n", failing);
    }
  if (e->attempts_damaged)
    g_string_append (out, "  " CMA_OUTPUT_ATTEMPTS_DAMAGED "\n");
  cma_output_verdict_text (out, e);
  cma_output_credentials_text (out, e);
  cma_output_attach_text (out, "  ", e);
  if (e->recorded_later)
    return; /* a past instant: advice for now would mislead */
  if (!e->verdict.known)
    {
      g_string_append (out, "  renew the token now, then record it (or run 'renew')\n");
      return;
    }
  {
    g_autoptr (CmaRenewal) last = cma_output_renewal_for_display (e->last);
    g_autofree char *when = cma_time_format_local (last->at);
    g_string_append_printf (out, "  %-14s %s (%s%s%s)\n", "last renewed:", when, last->method,
                            last->user ? " by " : "", last->user ? last->user : "");
  }
  append_local (out, "warning from:", e->verdict.warning_from);
  append_local (out, "usable until:", e->verdict.usable_until);
}

static char *
status_text (const CmaStatusEntry *entries, guint n, CmaInstant at, gboolean color)
{
  GString *out = g_string_new (NULL);
  g_autofree char *when = cma_time_format_local (at);

  g_string_append_printf (out, "Container token status at %s\n\n", when);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      status_text_entry (out, &entries[i], color);
    }
  return g_string_free (out, FALSE);
}

static void
status_json_entry (JsonBuilder *b, const CmaStatusEntry *e)
{
  const CmaVerdict *v = &e->verdict;

  json_builder_begin_object (b);
  cma_json_add_string (b, "name", e->conn->name);
  cma_json_add_string (b, "server_url", e->conn->server_url);
  cma_json_add_string (b, "cloud_url", e->conn->cloud_url);
  cma_json_add_string (b, "state", cma_state_to_string (e->state));
  cma_json_add_instant (b, "last_renewed", v->known, v->renewed_at);
  cma_json_add_string (b, "last_method", e->last ? e->last->method : NULL);
  cma_json_add_instant (b, "warning_from", v->known, v->warning_from);
  cma_json_add_instant (b, "usable_until", v->known, v->usable_until);
  json_builder_set_member_name (b, "days_left");
  if (v->known)
    json_builder_add_double_value (b, cma_days_shown (v->days_left));
  else
    json_builder_add_null_value (b);
  cma_output_failure_json (b, e->failure, e->attempts_damaged);
  cma_output_credentials_json (b, e);
  cma_output_attach_json (b, e);
  cma_output_verdict_json (b, e);
  json_builder_end_object (b);
}

static char *
status_json (const CmaProduct *product, const CmaStatusEntry *entries, guint n, CmaInstant at)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_output_json_header (b, product);
  cma_json_add_string (b, "state", cma_state_to_string (cma_status_entries_worst (entries, n)));
  cma_json_add_instant (b, "at", TRUE, at);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    status_json_entry (b, &entries[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return cma_output_json_to_string (b);
}

/* Nagios perfdata labels are quoted; a quote inside is doubled. */
static char *
perf_label (const char *name)
{
  g_auto (GStrv) parts = g_strsplit (name, "'", -1);
  g_autofree char *escaped = g_strjoinv ("''", parts);

  return g_strdup_printf ("'%s_seconds_left'", escaped);
}

/* One perfdata item that agrees with the state at every second: the value
 * is whole seconds left (exact, as the policy counts), and "@~:N" alerts
 * when the value is N or less, boundary included, which is the policy's
 * "N days or fewer remain". Rounded days could not: 5.0 days is both
 * the last OK second and the first WARNING one. */
static void
append_perfdata (GString *out, const CmaPolicy *policy, const CmaStatusEntry *e)
{
  g_autofree char *label = perf_label (e->conn->name);
  g_autofree char *attach_name = g_strconcat (e->conn->name, "_attach", NULL);
  g_autofree char *attach_label = perf_label (attach_name);
  const CmaVerdict *v = &e->verdict;

  g_string_append_printf (out, " %s=", label);
  if (v->known)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "s", v->seconds_left);
  else
    g_string_append (out, "U");
  g_string_append_printf (
      out, ";@~:%" G_GINT64_FORMAT ";@~:%" G_GINT64_FORMAT ";;%" G_GINT64_FORMAT,
      cma_days_to_seconds (policy->warning_days), cma_days_to_seconds (policy->critical_days),
      cma_days_to_seconds (policy->lifetime_days));
  cma_output_attach_perfdata (out, attach_label, e);
}

static void
nagios_summary (GString *out, const CmaStatusEntry *entries, guint n)
{
  gboolean first = TRUE;

  /* Worst first, so the line a pager truncates still names the problem
   * that decided the state; config order within one state. */
  static const CmaState order[] = { CMA_STATE_CRITICAL, CMA_STATE_WARNING, CMA_STATE_UNKNOWN,
                                    CMA_STATE_OK };

  for (guint pass = 0; pass < G_N_ELEMENTS (order); pass++)
    for (guint i = 0; i < n; i++)
      {
        const CmaStatusEntry *e = &entries[i];
        g_autofree char *phrase = NULL;

        if (e->state != order[pass])
          continue;
        phrase = nagios_failing_phrase (e);
        g_string_append_printf (out, "%s%s", first ? "" : ", ", phrase);
        first = FALSE;
      }
}

/* "JCMA TOKEN WARNING - ": what monitoring matches on, success or not. */
static void
nagios_head (GString *out, const CmaProduct *product, CmaState state)
{
  g_string_append_printf (out, "%s TOKEN %s - ", product->assistant_abbrev,
                          cma_state_to_string (state));
}

static char *
status_nagios (const CmaProduct *product, const CmaPolicy *policy, const CmaStatusEntry *entries,
               guint n)
{
  GString *out = g_string_new (NULL);

  nagios_head (out, product, cma_status_entries_worst (entries, n));
  nagios_summary (out, entries, n);
  g_string_append (out, " |");
  for (guint i = 0; i < n; i++)
    append_perfdata (out, policy, &entries[i]);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

char *
cma_output_status (const CmaProduct *product, const CmaPolicy *policy,
                   const CmaStatusEntry *entries, guint n, CmaInstant at, CmaOutputFormat format,
                   gboolean color)
{
  switch (format)
    {
    case CMA_OUTPUT_JSON:
      return status_json (product, entries, n, at);
    case CMA_OUTPUT_NAGIOS:
      return status_nagios (product, policy, entries, n);
    case CMA_OUTPUT_PROMETHEUS:
      return cma_output_prometheus_status (product, entries, n);
    case CMA_OUTPUT_ICS:
      return cma_output_ics_status (product, entries, n, at);
    case CMA_OUTPUT_TEXT:
    default:
      return status_text (entries, n, at, color);
    }
}

static char *
status_failure_json (const CmaProduct *product, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_output_json_header (b, product);
  cma_json_add_string (b, "state", cma_state_to_string (CMA_STATE_UNKNOWN));
  cma_json_add_string (b, "error", message);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return cma_output_json_to_string (b);
}

static char *
status_failure_nagios (const CmaProduct *product, const char *message)
{
  GString *out = g_string_new (NULL);

  nagios_head (out, product, CMA_STATE_UNKNOWN);
  g_string_append_printf (out, "%s\n", message);
  return g_string_free (out, FALSE);
}

char *
cma_output_status_failure (const CmaProduct *product, CmaOutputFormat format, const char *message)
{
  switch (format)
    {
    case CMA_OUTPUT_JSON:
      return status_failure_json (product, message);
    case CMA_OUTPUT_NAGIOS:
      return status_failure_nagios (product, message);
    case CMA_OUTPUT_PROMETHEUS:
      return cma_output_prometheus_failure (product);
    case CMA_OUTPUT_TEXT:
    default:
      /* People read the error where every command reports it: stderr. */
      return g_strdup ("");
    }
}
