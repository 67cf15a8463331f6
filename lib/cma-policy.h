/* SPDX-License-Identifier: MIT */
/* cma-policy.h: when a container token warns, and when it blocks.
 *
 * Atlassian's rule (KB "How to renew authentication token for the Cloud
 * Migration Assistant apps"): usable for 21 days after a renewal; from day
 * 16 the assistant warns that it expires in 5 days; from day 21 preflight
 * checks block. Both products share it, so it lives here and nowhere else.
 */
#pragma once

#include <glib.h>

#include "cma-time.h"

G_BEGIN_DECLS

/* Ordered as monitoring-plugins' exit codes. */
typedef enum {
  CMA_STATE_OK = 0,
  CMA_STATE_WARNING = 1,
  CMA_STATE_CRITICAL = 2,
  CMA_STATE_UNKNOWN = 3,
} CmaState;

#define CMA_DEFAULT_LIFETIME_DAYS 21.0
#define CMA_DEFAULT_WARNING_DAYS  5.0
#define CMA_DEFAULT_CRITICAL_DAYS 0.0

typedef struct {
  double lifetime_days; /* usable this long after a renewal */
  double warning_days;  /* WARNING when this many days or fewer remain */
  double critical_days; /* CRITICAL when this many days or fewer remain */
} CmaPolicy;

void cma_policy_init_default (CmaPolicy *policy);
/* Rejects negative or non-finite values and thresholds that do not fit
 * inside the lifetime (critical <= warning < lifetime). */
gboolean cma_policy_validate (const CmaPolicy *policy, GError **error);

/* The verdict for one connection at one instant. */
typedef struct {
  CmaState state;
  gboolean known; /* FALSE: nothing recorded, the rest is unset */
  CmaInstant renewed_at;
  CmaInstant warning_from; /* first instant in WARNING */
  CmaInstant usable_until; /* first instant in CRITICAL */
  gint64 seconds_left;     /* usable_until - now, exact; <= 0 once expired */
  double days_left;        /* fractional; negative once expired */
} CmaVerdict;

void cma_policy_evaluate (const CmaPolicy *policy, gboolean known, CmaInstant renewed_at,
                          CmaInstant now, CmaVerdict *out);

/* Worst first: CRITICAL > WARNING > UNKNOWN > OK (monitoring-plugins'
 * max_state_alt), so a blocked connection is never hidden. */
CmaState cma_state_worst (CmaState a, CmaState b);
const char *cma_state_to_string (CmaState state);

/* Seconds in a (possibly fractional) number of days, rounded to the second. */
gint64 cma_days_to_seconds (double days);

/* Days as every output shows them: the one rounding rule of text, Nagios,
 * JSON, renew and doctor alike. */
double cma_days_shown (double days);

G_END_DECLS
