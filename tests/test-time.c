/* SPDX-License-Identifier: MIT */
/* test-time.c: the clock, TIME arguments and ISO 8601 formatting.
 *
 * Runs in Europe/Berlin (CET in winter, CEST in summer) so that "local"
 * differs from UTC, and differently in the two halves of the year.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "cma-error.h"
#include "cma-time.h"

static CmaInstant
fixed_clock (gpointer user_data)
{
  return *(const CmaInstant *) user_data;
}

static CmaInstant
utc (const char *iso)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, tz);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static const struct {
  const char *text;
  const char *expected; /* the instant, in UTC */
} accepted[] = {
  /* date only: local midnight */
  { "2026-12-01", "2026-11-30T23:00:00Z" },
  { "2026-07-01", "2026-06-30T22:00:00Z" },
  { "2028-02-29", "2028-02-28T23:00:00Z" },
  /* date and time without a zone: local */
  { "2026-12-01T09:30", "2026-12-01T08:30:00Z" },
  { "2026-12-01T09:30:15", "2026-12-01T08:30:15Z" },
  { "2026-07-01T09:30:15", "2026-07-01T07:30:15Z" },
  { "2026-12-01 09:30", "2026-12-01T08:30:00Z" },
  { "2026-12-01 09:30:15", "2026-12-01T08:30:15Z" },
  { "2026-12-01T00:00", "2026-11-30T23:00:00Z" },
  /* with a zone */
  { "2026-12-01T09:30:15Z", "2026-12-01T09:30:15Z" },
  { "2026-12-01T09:30Z", "2026-12-01T09:30:00Z" },
  { "2026-07-01 09:30Z", "2026-07-01T09:30:00Z" },
  { "2026-12-01T09:30:15+02:00", "2026-12-01T07:30:15Z" },
  { "2026-12-01T09:30+02:00", "2026-12-01T07:30:00Z" },
  { "2026-12-01T09:30:15-05:30", "2026-12-01T15:00:15Z" },
  { "2026-12-01T09:30:15+0200", "2026-12-01T07:30:15Z" },
  { "2026-12-01T09:30:15.75Z", "2026-12-01T09:30:15Z" }, /* to the second */
  { "2026-12-31T23:59:59Z", "2026-12-31T23:59:59Z" },
};

static void
test_time_parse_accepted (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *formatted = NULL;
      CmaInstant at = -1;

      g_test_message ("'%s'", accepted[i].text);
      g_assert_true (cma_time_parse (accepted[i].text, &at, &error));
      g_assert_no_error (error);
      formatted = cma_time_format_iso (at);
      g_assert_cmpstr (formatted, ==, accepted[i].expected);
      g_assert_cmpint (at, ==, utc (accepted[i].expected));
    }
}

static const char *const rejected[] = {
  "2026-02-30", /* no such day */
  "2026-02-29", /* not a leap year */
  "2026-13-01",
  "2026-00-10",
  "2026-W01", /* week date */
  "2026-W01-1",
  "2026-335", /* ordinal date */
  "2026-1-1", /* unpadded */
  "2026-12-1",
  "2026- 1-01", /* sscanf would take these numbers */
  "2026-+1-01",
  "+026-01-01",
  "20261201",
  "",
  "tomorrow",
  "yesterday",
  "NOW",
  "now ",
  " 2026-12-01",
  "2026-12-01 ",
  "2026-12-01x",
  "2026-12-01T",
  "2026-12-01T09",
  "2026-12-01T9:30",
  "2026-12-01T25:00",
  "2026-12-01T09:60",
  "2026-02-30T10:00",
  "2026-12-01T09:30:15Zjunk",
  "2026-12-01T09:30:15 Z",
  "2026-12-01T09:30:15+02:00:00",
  "2026-12-01T09:30:15CET",
  /* Outside the range: GLib formatted year 999 as "999", which no
   * parser reads back, and has no date past 9999. */
  "0999-01-01",
  "1969-12-31T23:59:59Z",
  "9999-12-31T23:59:59-14:00",
  "10000-01-01",
};

static void
test_time_parse_rejected (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr (GError) error = NULL;
      CmaInstant at = 42;

      g_test_message ("'%s'", rejected[i]);
      g_assert_false (cma_time_parse (rejected[i], &at, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
      /* The message quotes the input so a typo is easy to spot. */
      g_assert_nonnull (strstr (error->message, rejected[i]));
      g_assert_cmpint (at, ==, 42);
    }
}

static void
test_time_now (void)
{
  CmaInstant fake = utc ("2026-11-26T08:30:00Z");
  CmaInstant at = 0;
  CmaInstant before, after;

  cma_clock_set_func (fixed_clock, &fake);
  g_assert_cmpint (cma_clock_now (), ==, fake);
  g_assert_true (cma_time_parse ("now", &at, NULL));
  g_assert_cmpint (at, ==, fake);

  /* The clock is read at each call, not cached. */
  fake += 3600;
  g_assert_true (cma_time_parse ("now", &at, NULL));
  g_assert_cmpint (at, ==, fake);

  /* NULL restores the real clock. */
  cma_clock_set_func (NULL, NULL);
  before = (CmaInstant) time (NULL);
  g_assert_true (cma_time_parse ("now", &at, NULL));
  after = (CmaInstant) time (NULL);
  g_assert_cmpint (at, >=, before);
  g_assert_cmpint (at, <=, after);
}

static const struct {
  CmaInstant instant;
  const char *iso;
  const char *local;
} formats[] = {
  { 0, "1970-01-01T00:00:00Z", "1970-01-01 01:00 CET" },
  { CMA_TIME_MAX, "9999-12-31T23:59:59Z", "9999-12-31 23:59 UTC" },
  { 1794299400, "2026-11-10T08:30:00Z", "2026-11-10 09:30 CET" },
  { 1782894615, "2026-07-01T08:30:15Z", "2026-07-01 10:30 CEST" },
  { 4102444799, "2099-12-31T23:59:59Z", "2100-01-01 00:59 CET" },
};

static void
test_time_format (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *iso = cma_time_format_iso (formats[i].instant);
      g_autofree char *local = cma_time_format_local (formats[i].instant);
      CmaInstant back = 0;

      g_test_message ("%" G_GINT64_FORMAT, formats[i].instant);
      g_assert_cmpstr (iso, ==, formats[i].iso);
      g_assert_cmpstr (local, ==, formats[i].local);
      /* What we write, we read back to the same second. */
      g_assert_true (cma_time_parse (iso, &back, NULL));
      g_assert_cmpint (back, ==, formats[i].instant);
    }
}

/* The ends of the range parse; one second past them does not, and
 * formatting clamps so nothing prints "(null)" or a three-digit year. */
static void
test_time_range (void)
{
  g_autoptr (GError) error = NULL;
  CmaInstant at = 0;
  g_autofree char *before = cma_time_format_iso (G_MININT64);
  g_autofree char *after = cma_time_format_iso (CMA_TIME_MAX + 1);
  g_autofree char *after_local = cma_time_format_local (G_MAXINT64);

  g_assert_true (cma_time_parse ("1970-01-01T00:00:00Z", &at, NULL));
  g_assert_cmpint (at, ==, CMA_TIME_MIN);
  g_assert_true (cma_time_parse ("9999-12-31T23:59:59Z", &at, NULL));
  g_assert_cmpint (at, ==, CMA_TIME_MAX);
  g_assert_false (cma_time_parse ("0999-01-01", &at, &error));
  g_assert_nonnull (strstr (error->message, "outside the supported range " CMA_TIME_RANGE_TEXT));
  g_assert_cmpstr (before, ==, "1970-01-01T00:00:00Z");
  g_assert_cmpstr (after, ==, "9999-12-31T23:59:59Z");
  g_assert_cmpstr (after_local, ==, "9999-12-31 23:59 UTC");
  g_assert_true (cma_time_in_range (0));
  g_assert_false (cma_time_in_range (-1));
  g_assert_false (cma_time_in_range (CMA_TIME_MAX + 1));
}

/* The instants a state is evaluated at leave room for every instant
 * derived from them, so no format has to clamp one; iCalendar's form is
 * clamped like the others (it was empty past 9999, with a critical). */
static void
test_time_evaluated_range (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ics_max = cma_time_format_ics (CMA_TIME_MAX);
  g_autofree char *ics_past = cma_time_format_ics (G_MAXINT64);
  g_autofree char *ics = cma_time_format_ics (1796083200); /* 2026-12-01T00:00:00Z */
  g_autofree char *last = cma_time_format_iso (CMA_TIME_EVALUATED_MAX);
  CmaInstant lifetime = G_GINT64_CONSTANT (3650) * 86400;

  g_assert_cmpstr (ics_max, ==, "99991231T235959Z");
  g_assert_cmpstr (ics_past, ==, "99991231T235959Z");
  g_assert_cmpstr (ics, ==, "20261201T000000Z");
  g_assert_true (g_str_has_suffix (CMA_TIME_EVALUATED_RANGE_TEXT, last));
  /* A record CMA_RECORD_MAX_SKEW_SECONDS ahead of the last instant, plus
   * the longest lifetime, still has a date. */
  g_assert_true (
      cma_time_in_range (CMA_TIME_EVALUATED_MAX + CMA_RECORD_MAX_SKEW_SECONDS + lifetime));
  g_assert_true (cma_time_check_evaluated (CMA_TIME_EVALUATED_MAX, "the clock", NULL));
  g_assert_true (cma_time_check_evaluated (0, "the clock", NULL));
  g_assert_false (cma_time_check_evaluated (-1, "the clock", NULL));
  g_assert_false (cma_time_check_evaluated (CMA_TIME_EVALUATED_MAX + 1, "the clock", &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, "the clock ("));
  g_assert_nonnull (strstr (error->message, CMA_TIME_EVALUATED_RANGE_TEXT));
}

/* Every parsed form survives format → parse unchanged. */
static void
test_time_round_trip (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *iso = NULL;
      CmaInstant first = 0, second = 0;

      g_assert_true (cma_time_parse (accepted[i].text, &first, NULL));
      iso = cma_time_format_iso (first);
      g_assert_true (g_str_has_suffix (iso, "Z"));
      g_assert_cmpuint (strlen (iso), ==, strlen ("2026-12-01T09:30:00Z"));
      g_assert_true (cma_time_parse (iso, &second, NULL));
      g_assert_cmpint (second, ==, first);
    }
}

/* --at relative to an injected now, to the second. */
static void
test_time_parse_at (void)
{
  const CmaInstant now = 1795000000; /* 2026-11-18T09:46:40Z */
  static const struct {
    const char *text;
    gint64 offset; /* from now */
  } relative[] = {
    { "now", 0 },          { "+14d", 14 * 86400 }, { "-3d", -3 * 86400 },
    { "+36h", 36 * 3600 }, { "-90m", -90 * 60 },   { "+2w", 14 * 86400 },
    { "+1s", 1 },          { "-0d", 0 },           { "+36525d", (gint64) 36525 * 86400 },
  };
  static const char *const refused[] = {
    "+",       "+d", "14d", "+14",  "+14x",          "+1.5d", "+ 14d", "+-3d", "++3d", "+14dd",
    "-36526d", "@",  "@-1", "@1.5", "@253402300800", "@ 1",   "soon",  "Now",  "+14D",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (relative); i++)
    {
      CmaInstant at = 0;

      g_test_message ("'%s'", relative[i].text);
      g_assert_true (cma_time_parse_at (relative[i].text, now, &at, NULL));
      g_assert_cmpint (at, ==, now + relative[i].offset);
    }
  {
    CmaInstant at = 0;

    g_assert_true (cma_time_parse_at ("@1796112000", now, &at, NULL));
    g_assert_cmpint (at, ==, 1796112000);
    g_assert_true (cma_time_parse_at ("@0", now, &at, NULL));
    g_assert_cmpint (at, ==, 0);
    /* Absolute forms ignore now. */
    g_assert_true (cma_time_parse_at ("2026-12-01T00:00:00Z", now, &at, NULL));
    g_assert_cmpint (at, ==, 1796083200);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      CmaInstant at = 42;

      g_test_message ("'%s'", refused[i]);
      g_assert_false (cma_time_parse_at (refused[i], now, &at, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
      g_assert_nonnull (strstr (error->message, refused[i]));
      g_assert_nonnull (strstr (error->message, "2026-12-01T09:30"));
      g_assert_nonnull (strstr (error->message, "+14d"));
      g_assert_cmpint (at, ==, 42);
    }
}

int
main (int argc, char **argv)
{
  /* Before anything reads the local zone: GLib caches it. */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time/parse/accepted", test_time_parse_accepted);
  g_test_add_func ("/time/parse/rejected", test_time_parse_rejected);
  g_test_add_func ("/time/now", test_time_now);
  g_test_add_func ("/time/parse-at", test_time_parse_at);
  g_test_add_func ("/time/format", test_time_format);
  g_test_add_func ("/time/round-trip", test_time_round_trip);
  g_test_add_func ("/time/range", test_time_range);
  g_test_add_func ("/time/evaluated-range", test_time_evaluated_range);

  return g_test_run ();
}
