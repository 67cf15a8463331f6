/* SPDX-License-Identifier: MIT */
/* cma-time.c: the clock, TIME parsing and instant formatting. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cma-error.h"
#include "cma-time.h"

static CmaClockFunc clock_func;
static gpointer clock_data;

void
cma_clock_set_func (CmaClockFunc func, gpointer user_data)
{
  clock_func = func;
  clock_data = user_data;
}

CmaInstant
cma_clock_now (void)
{
  if (clock_func != NULL)
    return clock_func (clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* "YYYY-MM-DD" alone: GLib's ISO 8601 parser wants a time, and a person
 * typing a date means the start of that day where they are. */
static gboolean
parse_date_only (const char *text, CmaInstant *out)
{
  guint y, m, d;
  char tail;
  g_autoptr (GDateTime) dt = NULL;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  /* sscanf's %u would also take a sign or a space ("2026- 1-01"). */
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  if (sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  dt = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
parse_date_time (const char *text, CmaInstant *out)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  g_autoptr (GDateTime) dt = NULL;

  /* Require the calendar form; GLib also accepts week and ordinal dates,
   * which nobody types by accident and which would surprise a reader. */
  if (!g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
                             "(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$",
                             text, 0, 0))
    return FALSE;
  {
    /* GLib wants seconds; people often leave them out. */
    GString *copy = g_string_new (text);

    copy->str[10] = 'T';
    if (copy->len == 16 || (copy->len > 16 && copy->str[16] != ':'))
      g_string_insert (copy, 16, ":00");
    dt = g_date_time_new_from_iso8601 (copy->str, local);
    g_string_free (copy, TRUE);
  }
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

gboolean
cma_time_parse (const char *text, CmaInstant *out, GError **error)
{
  CmaInstant parsed;

  g_return_val_if_fail (text != NULL, FALSE);

  if (g_strcmp0 (text, "now") == 0)
    {
      *out = cma_clock_now ();
      return TRUE;
    }
  if (parse_date_only (text, &parsed) || parse_date_time (text, &parsed))
    {
      if (cma_time_in_range (parsed))
        {
          *out = parsed;
          return TRUE;
        }
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "time '%s' is outside the supported range " CMA_TIME_RANGE_TEXT, text);
      return FALSE;
    }

  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
               "invalid time '%s': use an ISO 8601 date or date-time such as "
               "2026-12-01, 2026-12-01T09:30 or 2026-12-01T09:30:00Z",
               text);
  return FALSE;
}

gboolean
cma_time_in_range (CmaInstant instant)
{
  return instant >= CMA_TIME_MIN && instant <= CMA_TIME_MAX;
}

/* GLib's %Y is not zero-padded ("999-01-01"), and no GDateTime exists
 * past year 9999: clamp to the range, whose every instant has a date. */
static GDateTime *
date_time_for (CmaInstant instant, gboolean local)
{
  instant = CLAMP (instant, CMA_TIME_MIN, CMA_TIME_MAX);
  if (local)
    {
      GDateTime *dt = g_date_time_new_from_unix_local (instant);

      /* 9999-12-31T23:59:59Z is past the end in zones east of UTC. */
      if (dt != NULL)
        return dt;
    }
  return g_date_time_new_from_unix_utc (instant);
}

/* "YYYY-MM-DD" then @rest in @dt's format. */
static char *
format_with_year (GDateTime *dt, const char *rest)
{
  g_autofree char *tail = g_date_time_format (dt, rest);

  return g_strdup_printf ("%04d-%02d-%02d%s", g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), tail);
}

char *
cma_time_format_iso (CmaInstant instant)
{
  g_autoptr (GDateTime) dt = date_time_for (instant, FALSE);

  return format_with_year (dt, "T%H:%M:%SZ");
}

char *
cma_time_format_local (CmaInstant instant)
{
  g_autoptr (GDateTime) dt = date_time_for (instant, TRUE);

  return format_with_year (dt, " %H:%M %Z");
}

char *
cma_time_format_ics (CmaInstant instant)
{
  g_autoptr (GDateTime) dt = date_time_for (instant, FALSE);
  g_autofree char *tail = g_date_time_format (dt, "T%H%M%SZ");

  return g_strdup_printf ("%04d%02d%02d%s", g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), tail);
}

gboolean
cma_time_check_evaluated (CmaInstant at, const char *what, GError **error)
{
  g_autofree char *when = NULL;

  if (at >= CMA_TIME_MIN && at <= CMA_TIME_EVALUATED_MAX)
    return TRUE;
  when = cma_time_format_iso (at);
  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
               "%s (%s%s) is outside the range a token's state can be computed "
               "in, " CMA_TIME_EVALUATED_RANGE_TEXT,
               what, at > CMA_TIME_MAX ? "after " : "", when);
  return FALSE;
}

/* ---- --at: a TIME, or one relative to an injected now ---- */

/* A century either way: far enough for any plan, and no overflow. */
#define MAX_OFFSET_SECONDS ((gint64) 36525 * 86400)
/* 9999-12-31T23:59:59Z, the last instant ISO 8601 output can show. */
#define MAX_EPOCH          G_GINT64_CONSTANT (253402300799)

static gint64
unit_seconds (char unit)
{
  switch (unit)
    {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 7 * 86400;
    default:
      return 0;
    }
}

/* "+14d", "-3d", "+36h", "+90m", "+2w", "-30s": sign, digits, one unit. */
static gboolean
parse_offset (const char *text, CmaInstant now, CmaInstant *out)
{
  gsize len = strlen (text);
  g_autofree char *digits = NULL;
  gint64 unit = len >= 3 ? unit_seconds (text[len - 1]) : 0;
  guint64 n;

  if ((text[0] != '+' && text[0] != '-') || unit == 0)
    return FALSE;
  digits = g_strndup (text + 1, len - 2);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, (guint64) (MAX_OFFSET_SECONDS / unit), &n, NULL))
    return FALSE;
  *out = now + (text[0] == '-' ? -1 : 1) * (gint64) n * unit;
  return TRUE;
}

/* "@1796112000": seconds since the epoch, as date(1) takes them. */
static gboolean
parse_epoch (const char *text, CmaInstant *out)
{
  guint64 n;

  if (text[0] != '@' ||
      !g_ascii_string_to_unsigned (text + 1, 10, 0, (guint64) MAX_EPOCH, &n, NULL))
    return FALSE;
  *out = (CmaInstant) n;
  return TRUE;
}

gboolean
cma_time_parse_at (const char *text, CmaInstant now, CmaInstant *out, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strcmp (text, "now") == 0)
    {
      *out = now;
      return TRUE;
    }
  if (parse_offset (text, now, out) || parse_epoch (text, out) ||
      cma_time_parse (text, out, &local_error))
    return TRUE;
  g_set_error (error, local_error->domain, local_error->code,
               "%s; or now, an offset from now such as +14d, -3d or +36h (units s, m, h, d, "
               "w), or @SECONDS since the epoch",
               local_error->message);
  return FALSE;
}
