/* SPDX-License-Identifier: MIT */
/* cma-output-ics.c: status as an RFC 5545 calendar, so an admin who
 * renews by hand gets reminders in the calendar they already read.
 *
 * Per connection, three events: when 'renew' would first act, when the
 * assistant starts warning, and when migrations are blocked; and one when
 * each credential with a known expiry expires. Each UID is
 * a hash of product, server, cloud site and event kind, never of the
 * time, so a subscribed calendar moves the event after a renewal instead
 * of adding another. */
#include "config.h"

#include <string.h>

#include "cma-output-formats.h"

/* RFC 5545 3.1: lines of at most 75 octets, continued after CRLF and one
 * space; never inside a UTF-8 sequence. */
static void
append_line (GString *out, const char *line)
{
  gsize used = 0;

  for (const char *p = line; *p != '\0';)
    {
      const char *next = g_utf8_next_char (p);
      gsize len = (gsize) (next - p);

      if (used + len > 75)
        {
          g_string_append (out, "\r\n ");
          used = 1;
        }
      g_string_append_len (out, p, (gssize) len);
      used += len;
      p = next;
    }
  g_string_append (out, "\r\n");
}

/* RFC 5545 3.3.11: TEXT escapes backslash, semicolon, comma and newline. */
static char *
escape_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        continue;
      else
        {
          if (*p == '\\' || *p == ';' || *p == ',')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

static void
append_text (GString *out, const char *name, const char *value)
{
  g_autofree char *escaped = escape_text (value);
  g_autofree char *line = g_strconcat (name, ":", escaped, NULL);

  append_line (out, line);
}

/* UTC date-time, "20261201T093000Z". */
static void
append_time (GString *out, const char *name, CmaInstant instant)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (instant);
  g_autofree char *value = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
  g_autofree char *line = g_strconcat (name, ":", value, NULL);

  append_line (out, line);
}

typedef struct {
  const char *kind; /* in the UID: never change it */
  const char *what;
  const char *advice;
} EventKind;

static const EventKind event_kinds[] = {
  { "renewal-due", "renewal due", "Renew now" },
  { "warning", "warning from", "The assistant warns from now on; renew now" },
  { "blocked", "blocked from", "Migrations are blocked until the token is renewed" },
};

static char *
event_uid (const CmaProduct *product, const CmaConnection *conn, const EventKind *kind)
{
  g_autofree char *key =
      g_strjoin ("\n", product->id, conn->server_url, conn->cloud_url, kind->kind, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  hash[32] = '\0';
  return g_strdup_printf ("%s@%s", hash, product->program);
}

/* "acme.atlassian.net": the cloud site as people name it. */
static char *
site_name (const char *cloud_url)
{
  g_autoptr (GUri) uri = g_uri_parse (cloud_url, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL && g_uri_get_host (uri) ? g_uri_get_host (uri) : cloud_url);
}

static void
append_alarm (GString *out, const char *summary)
{
  append_line (out, "BEGIN:VALARM");
  append_line (out, "ACTION:DISPLAY");
  append_line (out, "TRIGGER:-PT1H");
  append_text (out, "DESCRIPTION", summary);
  append_line (out, "END:VALARM");
}

/* One event of half an hour at @start with its alarm; LAST-MODIFIED
 * when @modified is known. */
static void
append_vevent (GString *out, const char *uid, CmaInstant stamp, CmaMaybeInstant modified,
               CmaInstant start, const char *summary, const char *description)
{
  append_line (out, "BEGIN:VEVENT");
  append_text (out, "UID", uid);
  append_time (out, "DTSTAMP", stamp);
  if (modified.known)
    append_time (out, "LAST-MODIFIED", modified.at);
  append_time (out, "DTSTART", start);
  append_line (out, "DURATION:PT30M");
  append_line (out, "TRANSP:TRANSPARENT");
  append_text (out, "SUMMARY", summary);
  append_text (out, "DESCRIPTION", description);
  append_alarm (out, summary);
  append_line (out, "END:VEVENT");
}

static void
append_event (GString *out, const CmaProduct *product, const CmaStatusEntry *e,
              const EventKind *kind, CmaInstant when, CmaInstant stamp)
{
  g_autofree char *uid = event_uid (product, e->conn, kind);
  g_autofree char *site = site_name (e->conn->cloud_url);
  g_autofree char *until = cma_time_format_iso (e->verdict.usable_until);
  g_autofree char *summary =
      g_strdup_printf ("%s container token %s: %s on %s, run %s renew -C %s", product->product_name,
                       kind->what, e->conn->name, site, product->program, e->conn->name);
  g_autofree char *description =
      g_strdup_printf ("%s.\nConnection: %s\nServer: %s\nCloud site: %s\nUsable until: %s\n"
                       "Run: %s renew -C %s, or renew by hand with %s guide -C %s",
                       kind->advice, e->conn->name, e->conn->server_url, e->conn->cloud_url, until,
                       product->program, e->conn->name, product->program, e->conn->name);

  const CmaMaybeInstant modified = { TRUE, e->verdict.renewed_at };

  append_vevent (out, uid, stamp, modified, when, summary, description);
}

/* When a credential the renewals need expires; its UID's kind is the
 * credential's name, so a new date moves the event. */
static void
append_credential (GString *out, const CmaProduct *product, const CmaStatusEntry *e,
                   const CmaCredentialExpiry *c, CmaInstant stamp)
{
  const EventKind kind = { c->name, "expires", NULL };
  g_autofree char *uid = event_uid (product, e->conn, &kind);
  g_autofree char *site = site_name (e->conn->cloud_url);
  g_autofree char *phrase = cma_credential_phrase (c, FALSE);
  g_autofree char *summary = g_strdup_printf ("%s renewals: %s expires: %s on %s, replace it",
                                              product->product_name, c->name, e->conn->name, site);
  g_autofree char *description = g_strdup_printf (
      "Replace it before renewals fail, and update the date.\nConnection: %s\nServer: %s\n"
      "Cloud site: %s\nThe %s",
      e->conn->name, e->conn->server_url, e->conn->cloud_url, phrase);

  append_vevent (out, uid, stamp, c->as_of, c->expires, summary, description);
}

static void
append_connection (GString *out, const CmaProduct *product, const CmaStatusEntry *e,
                   CmaInstant stamp)
{
  const CmaVerdict *v = &e->verdict;
  const CmaInstant when[] = {
    /* The first instant 'renew' counts as due, as it reports "due from". */
    v->usable_until - cma_days_to_seconds (e->conn->renew_within),
    v->warning_from,
    v->usable_until,
  };

  for (guint i = 0; i < e->n_credentials; i++)
    append_credential (out, product, e, &e->credentials[i], stamp);
  /* Without a recorded renewal there is no deadline to remind of. */
  if (!v->known)
    return;
  for (guint k = 0; k < G_N_ELEMENTS (event_kinds); k++)
    append_event (out, product, e, &event_kinds[k], when[k], stamp);
}

char *
cma_output_ics_status (const CmaProduct *product, const CmaStatusEntry *entries, guint n,
                       CmaInstant stamp)
{
  GString *out = g_string_new (NULL);
  g_autofree char *prodid =
      g_strdup_printf ("PRODID:-//cma-token//%s %s//EN", product->program, PACKAGE_VERSION);
  g_autofree char *name = g_strdup_printf ("%s container token", product->product_name);

  append_line (out, "BEGIN:VCALENDAR");
  append_line (out, "VERSION:2.0");
  append_line (out, prodid);
  append_line (out, "CALSCALE:GREGORIAN");
  append_line (out, "METHOD:PUBLISH");
  append_text (out, "X-WR-CALNAME", name);
  for (guint i = 0; i < n; i++)
    append_connection (out, product, &entries[i], stamp);
  append_line (out, "END:VCALENDAR");
  return g_string_free (out, FALSE);
}
