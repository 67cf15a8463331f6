/* SPDX-License-Identifier: MIT */
/* cma-policy.c: the 21/16/5-day rule, to the second. */
#include "config.h"

#include <math.h>

#include "cma-error.h"
#include "cma-policy.h"

#define SECONDS_PER_DAY 86400.0

void
cma_policy_init_default (CmaPolicy *policy)
{
  policy->lifetime_days = CMA_DEFAULT_LIFETIME_DAYS;
  policy->warning_days = CMA_DEFAULT_WARNING_DAYS;
  policy->critical_days = CMA_DEFAULT_CRITICAL_DAYS;
}

gboolean
cma_policy_validate (const CmaPolicy *policy, GError **error)
{
  if (!isfinite (policy->lifetime_days) || policy->lifetime_days <= 0 ||
      policy->lifetime_days > 3650)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "lifetime must be more than 0 and at most 3650 days, not %g",
                   policy->lifetime_days);
      return FALSE;
    }
  if (!isfinite (policy->critical_days) || policy->critical_days < 0 ||
      !isfinite (policy->warning_days) || policy->warning_days < policy->critical_days ||
      policy->warning_days >= policy->lifetime_days)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "thresholds must satisfy 0 <= critical (%g) <= warning (%g) "
                   "< lifetime (%g) days",
                   policy->critical_days, policy->warning_days, policy->lifetime_days);
      return FALSE;
    }
  return TRUE;
}

gint64
cma_days_to_seconds (double days)
{
  return (gint64) llround (days * SECONDS_PER_DAY);
}

/* To the nearest tenth, except that time still left never shows as 0.0:
 * a token usable for one more second reads 0.1 days left everywhere, and
 * 0.0 means expired just now. Adding 0.0 turns -0.0 into 0.0. */
double
cma_days_shown (double days)
{
  double tenths = round (days * 10) / 10 + 0.0;

  return days > 0 && tenths < 0.1 ? 0.1 : tenths;
}

void
cma_policy_evaluate (const CmaPolicy *policy, gboolean known, CmaInstant renewed_at, CmaInstant now,
                     CmaVerdict *out)
{
  CmaInstant critical_from;

  *out = (CmaVerdict){ .state = CMA_STATE_UNKNOWN, .known = known };
  if (!known)
    return;

  out->renewed_at = renewed_at;
  out->usable_until = renewed_at + cma_days_to_seconds (policy->lifetime_days);
  out->warning_from = out->usable_until - cma_days_to_seconds (policy->warning_days);
  critical_from = out->usable_until - cma_days_to_seconds (policy->critical_days);
  out->seconds_left = out->usable_until - now;
  out->days_left = (double) out->seconds_left / SECONDS_PER_DAY;

  /* "N days or fewer remain" includes the boundary instant: exactly 16
   * days after a renewal the assistant already says "expires in 5 days". */
  if (now >= critical_from)
    out->state = CMA_STATE_CRITICAL;
  else if (now >= out->warning_from)
    out->state = CMA_STATE_WARNING;
  else
    out->state = CMA_STATE_OK;
}

static int
severity (CmaState state)
{
  switch (state)
    {
    case CMA_STATE_OK:
      return 0;
    case CMA_STATE_UNKNOWN:
      return 1;
    case CMA_STATE_WARNING:
      return 2;
    case CMA_STATE_CRITICAL:
    default:
      return 3;
    }
}

CmaState
cma_state_worst (CmaState a, CmaState b)
{
  return severity (a) >= severity (b) ? a : b;
}

const char *
cma_state_to_string (CmaState state)
{
  switch (state)
    {
    case CMA_STATE_OK:
      return "OK";
    case CMA_STATE_WARNING:
      return "WARNING";
    case CMA_STATE_CRITICAL:
      return "CRITICAL";
    case CMA_STATE_UNKNOWN:
    default:
      return "UNKNOWN";
    }
}
