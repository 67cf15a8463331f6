/* SPDX-License-Identifier: MIT */
/* cma-time.h: instants, the injectable clock, and TIME arguments.
 *
 * An instant is a gint64 count of seconds since the Unix epoch (UTC).
 * Expiry is decided to the second, so nothing finer is kept.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gint64 CmaInstant;

/* An instant that may be unknown, such as a date the configuration may
 * leave out. Zero-initialised, it is unknown, never the epoch. */
typedef struct {
  gboolean known;
  CmaInstant at;
} CmaMaybeInstant;

/* Largest clock skew tolerated when a person records a renewal "now". */
#define CMA_RECORD_MAX_SKEW_SECONDS (5 * 60)

/* The instants the tool accepts, writes and reads back: every one of them
 * has a four-digit year in every time zone's calendar and in ISO 8601. */
#define CMA_TIME_MIN        G_GINT64_CONSTANT (0)            /* 1970-01-01T00:00:00Z */
#define CMA_TIME_MAX        G_GINT64_CONSTANT (253402300799) /* 9999-12-31T23:59:59Z */
#define CMA_TIME_RANGE_TEXT "1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z"

gboolean cma_time_in_range (CmaInstant instant);

/* The instants a state is evaluated at (the clock, --at): at most this,
 * so that every instant derived from one (a record made up to
 * CMA_RECORD_MAX_SKEW_SECONDS after it, plus a lifetime of at most 3650
 * days) is still in the range above, and every format shows the same
 * date: a clock in year 9999 made text say "usable until 9999-12-31"
 * with 20 days left. Later ones are refused, never clamped. */
#define CMA_TIME_EVALUATED_MAX        (CMA_TIME_MAX - G_GINT64_CONSTANT (3651) * 86400)
#define CMA_TIME_EVALUATED_RANGE_TEXT "1970-01-01T00:00:00Z .. 9990-01-01T23:59:59Z"

/* CMA_ERROR_USAGE unless @at (@what: "the clock", "--at") is one a state
 * may be evaluated at. */
gboolean cma_time_check_evaluated (CmaInstant at, const char *what, GError **error);

typedef CmaInstant (*CmaClockFunc) (gpointer user_data);

/* The library reads the time only through cma_clock_now(), so tests can
 * replace the clock. Pass NULL to restore the system clock. */
void cma_clock_set_func (CmaClockFunc func, gpointer user_data);
CmaInstant cma_clock_now (void);

/* Parse a TIME argument: "2026-12-01" (local midnight), "2026-12-01T09:30",
 * "2026-12-01T09:30:15" (local), any of those with "Z" or "+02:00", or "now". */
gboolean cma_time_parse (const char *text, CmaInstant *out, GError **error);

/* --at TIME: what cma_time_parse() takes, "now" (@now), an offset from
 * @now ("+14d", "-3d", "+36h"; units s, m, h, d, w; at most a century), or
 * "@SECONDS" since the epoch. */
gboolean cma_time_parse_at (const char *text, CmaInstant now, CmaInstant *out, GError **error);

/* "2026-12-01T08:30:00Z": for JSON, the ledger and hooks. Both formats
 * clamp an instant outside the range to its nearest end. */
char *cma_time_format_iso (CmaInstant instant);
/* "2026-12-01 09:30 CET": for people, in the local time zone. */
char *cma_time_format_local (CmaInstant instant);
/* "20261201T083000Z": iCalendar's UTC form, clamped the same way. */
char *cma_time_format_ics (CmaInstant instant);

G_END_DECLS
