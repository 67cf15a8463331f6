/* SPDX-License-Identifier: MIT */
/* test-policy.c: the 21/16/5-day rule, day by day and to the second. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cma-error.h"
#include "cma-policy.h"

#define DAY ((gint64) 86400)

/* 2026-11-10T08:30:00Z: an arbitrary renewal, not on a day boundary. */
#define T ((CmaInstant) 1794299400)

static void
evaluate_default (CmaInstant renewed_at, CmaInstant now, CmaVerdict *out)
{
  CmaPolicy policy;

  cma_policy_init_default (&policy);
  cma_policy_evaluate (&policy, TRUE, renewed_at, now, out);
}

static void
test_policy_defaults (void)
{
  CmaPolicy policy;

  cma_policy_init_default (&policy);
  g_assert_cmpfloat (policy.lifetime_days, ==, 21.0);
  g_assert_cmpfloat (policy.warning_days, ==, 5.0);
  g_assert_cmpfloat (policy.critical_days, ==, 0.0);
  g_assert_true (cma_policy_validate (&policy, NULL));
}

/* Every whole day from the renewal to a day past the block. */
static void
test_policy_every_day (void)
{
  for (int day = 0; day <= 22; day++)
    {
      CmaVerdict v;
      CmaState expected = day < 16   ? CMA_STATE_OK
                          : day < 21 ? CMA_STATE_WARNING
                                     : CMA_STATE_CRITICAL;

      g_test_message ("day %d", day);
      evaluate_default (T, T + day * DAY, &v);
      g_assert_true (v.known);
      g_assert_cmpint (v.state, ==, expected);
      g_assert_cmpint (v.renewed_at, ==, T);
      g_assert_cmpint (v.warning_from, ==, T + 16 * DAY);
      g_assert_cmpint (v.usable_until, ==, T + 21 * DAY);
      g_assert_cmpfloat_with_epsilon (v.days_left, 21.0 - day, 1e-9);
    }
}

static const struct {
  gint64 offset; /* seconds after T */
  CmaState state;
  double days_left;
} boundaries[] = {
  { -DAY, CMA_STATE_OK, 22.0 }, /* recorded in the future */
  { 0, CMA_STATE_OK, 21.0 },
  { 16 * DAY - 1, CMA_STATE_OK, 5.0 + 1.0 / 86400 },
  { 16 * DAY, CMA_STATE_WARNING, 5.0 },
  { 16 * DAY + 1, CMA_STATE_WARNING, 5.0 - 1.0 / 86400 },
  { 21 * DAY - 1, CMA_STATE_WARNING, 1.0 / 86400 },
  { 21 * DAY, CMA_STATE_CRITICAL, 0.0 },
  { 21 * DAY + 1, CMA_STATE_CRITICAL, -1.0 / 86400 },
  { 30 * DAY, CMA_STATE_CRITICAL, -9.0 },
  { 365 * DAY, CMA_STATE_CRITICAL, -344.0 },
};

static void
test_policy_boundaries (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (boundaries); i++)
    {
      CmaVerdict v;

      g_test_message ("T%+" G_GINT64_FORMAT "s", boundaries[i].offset);
      evaluate_default (T, T + boundaries[i].offset, &v);
      g_assert_cmpstr (cma_state_to_string (v.state), ==,
                       cma_state_to_string (boundaries[i].state));
      g_assert_cmpfloat_with_epsilon (v.days_left, boundaries[i].days_left, 1e-9);
      /* Exact, for the Nagios perfdata: 21 days after T less the offset. */
      g_assert_cmpint (v.seconds_left, ==, 21 * DAY - boundaries[i].offset);
    }
}

/* Exactly on the warning boundary days_left is exactly 5, not 4.99999. */
static void
test_policy_warning_boundary_exact (void)
{
  CmaVerdict v;

  evaluate_default (T, T + 16 * DAY, &v);
  g_assert_cmpfloat (v.days_left, ==, 5.0);
  g_assert_cmpfloat (v.days_left, <=, CMA_DEFAULT_WARNING_DAYS);
}

static const struct {
  CmaPolicy policy;
  gint64 warning_from; /* seconds after the renewal */
  gint64 critical_from;
  gint64 usable_until;
} overrides[] = {
  { { 21, 5, 0 }, 16 * DAY, 21 * DAY, 21 * DAY },
  { { 30, 10, 2 }, 20 * DAY, 28 * DAY, 30 * DAY },
  { { 21, 7, 7 }, 14 * DAY, 14 * DAY, 21 * DAY },
  { { 21, 0.5, 0 }, 20 * DAY + DAY / 2, 21 * DAY, 21 * DAY },
  { { 1.5, 1, 0.25 }, DAY / 2, DAY + DAY / 4, DAY + DAY / 2 },
};

static void
test_policy_overrides (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overrides); i++)
    {
      const CmaPolicy *p = &overrides[i].policy;
      CmaVerdict v;

      g_test_message ("lifetime %g warning %g critical %g", p->lifetime_days, p->warning_days,
                      p->critical_days);
      g_assert_true (cma_policy_validate (p, NULL));

      cma_policy_evaluate (p, TRUE, T, T, &v);
      g_assert_cmpint (v.usable_until, ==, T + overrides[i].usable_until);
      g_assert_cmpint (v.warning_from, ==, T + overrides[i].warning_from);

      /* warning == critical leaves no WARNING second at all */
      cma_policy_evaluate (p, TRUE, T, T + overrides[i].warning_from - 1, &v);
      g_assert_cmpint (v.state, ==, CMA_STATE_OK);
      cma_policy_evaluate (p, TRUE, T, T + overrides[i].warning_from, &v);
      g_assert_cmpint (v.state, ==,
                       overrides[i].warning_from == overrides[i].critical_from ? CMA_STATE_CRITICAL
                                                                               : CMA_STATE_WARNING);
      cma_policy_evaluate (p, TRUE, T, T + overrides[i].critical_from - 1, &v);
      g_assert_cmpint (v.state, !=, CMA_STATE_CRITICAL);
      cma_policy_evaluate (p, TRUE, T, T + overrides[i].critical_from, &v);
      g_assert_cmpint (v.state, ==, CMA_STATE_CRITICAL);
    }
}

static const struct {
  double lifetime, warning, critical;
  const char *fragment; /* expected in the message */
} invalid_policies[] = {
  { 0, 5, 0, "lifetime" },
  { -21, 5, 0, "lifetime" },
  { 3651, 5, 0, "lifetime" },
  { NAN, 5, 0, "lifetime" },
  { INFINITY, 5, 0, "lifetime" },
  { 21, 21, 0, "thresholds" }, /* warning must be below the lifetime */
  { 21, 30, 0, "thresholds" },
  { 21, 5, 6, "thresholds" }, /* critical above warning */
  { 21, 5, -1, "thresholds" },
  { 21, -1, 0, "thresholds" },
  { 21, NAN, 0, "thresholds" },
  { 21, 5, NAN, "thresholds" },
  { 21, 5, -INFINITY, "thresholds" },
};

static void
test_policy_validate (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_policies); i++)
    {
      CmaPolicy p = { invalid_policies[i].lifetime, invalid_policies[i].warning,
                      invalid_policies[i].critical };
      g_autoptr (GError) error = NULL;

      g_test_message ("lifetime %g warning %g critical %g", p.lifetime_days, p.warning_days,
                      p.critical_days);
      g_assert_false (cma_policy_validate (&p, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
      g_assert_nonnull (strstr (error->message, invalid_policies[i].fragment));
    }
}

static void
test_policy_unknown (void)
{
  CmaPolicy policy;
  CmaVerdict v;

  cma_policy_init_default (&policy);
  /* Garbage in the output fields must not leak into the verdict. */
  memset (&v, 0xa5, sizeof v);
  cma_policy_evaluate (&policy, FALSE, T, T + 30 * DAY, &v);
  g_assert_false (v.known);
  g_assert_cmpint (v.state, ==, CMA_STATE_UNKNOWN);
  g_assert_cmpint (v.renewed_at, ==, 0);
  g_assert_cmpint (v.usable_until, ==, 0);
  g_assert_cmpfloat (v.days_left, ==, 0.0);
}

static void
test_policy_worst (void)
{
  /* worst[a][b], indexed by the enum values OK, WARNING, CRITICAL, UNKNOWN */
  static const CmaState worst[4][4] = {
    { CMA_STATE_OK, CMA_STATE_WARNING, CMA_STATE_CRITICAL, CMA_STATE_UNKNOWN },
    { CMA_STATE_WARNING, CMA_STATE_WARNING, CMA_STATE_CRITICAL, CMA_STATE_WARNING },
    { CMA_STATE_CRITICAL, CMA_STATE_CRITICAL, CMA_STATE_CRITICAL, CMA_STATE_CRITICAL },
    { CMA_STATE_UNKNOWN, CMA_STATE_WARNING, CMA_STATE_CRITICAL, CMA_STATE_UNKNOWN },
  };
  static const CmaState order[] = {
    CMA_STATE_UNKNOWN,
    CMA_STATE_OK,
    CMA_STATE_CRITICAL,
    CMA_STATE_WARNING,
  };
  CmaState merged = CMA_STATE_OK;

  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      {
        g_test_message ("worst (%s, %s)", cma_state_to_string (a), cma_state_to_string (b));
        g_assert_cmpint (cma_state_worst (a, b), ==, worst[a][b]);
      }

  /* Folding as the status command does: the order of connections is irrelevant. */
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    merged = cma_state_worst (merged, order[i]);
  g_assert_cmpint (merged, ==, CMA_STATE_CRITICAL);
}

static void
test_policy_strings (void)
{
  g_assert_cmpstr (cma_state_to_string (CMA_STATE_OK), ==, "OK");
  g_assert_cmpstr (cma_state_to_string (CMA_STATE_WARNING), ==, "WARNING");
  g_assert_cmpstr (cma_state_to_string (CMA_STATE_CRITICAL), ==, "CRITICAL");
  g_assert_cmpstr (cma_state_to_string (CMA_STATE_UNKNOWN), ==, "UNKNOWN");
  g_assert_cmpint (CMA_STATE_OK, ==, 0);
  g_assert_cmpint (CMA_STATE_WARNING, ==, 1);
  g_assert_cmpint (CMA_STATE_CRITICAL, ==, 2);
  g_assert_cmpint (CMA_STATE_UNKNOWN, ==, 3);

  g_assert_cmpint (cma_days_to_seconds (21), ==, 21 * DAY);
  g_assert_cmpint (cma_days_to_seconds (0.5), ==, DAY / 2);
  g_assert_cmpint (cma_days_to_seconds (1.0 / 86400 * 0.6), ==, 1); /* rounded */
}

/* The one rounding rule every format uses for days. */
static void
test_policy_days_shown (void)
{
  static const struct {
    double days, shown;
  } cases[] = {
    { 21.0, 21.0 },       { 3.18680, 3.2 }, { 83.6927, 83.7 }, { 0.0014, 0.1 },
    { 1.0 / 86400, 0.1 }, { 0.05, 0.1 },    { 0.0, 0.0 },      { -1.0 / 86400, 0.0 },
    { -0.04, 0.0 },       { -0.05, -0.1 },  { -9.0, -9.0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double shown = cma_days_shown (cases[i].days);

      g_assert_cmpfloat_with_epsilon (shown, cases[i].shown, 1e-12);
      g_assert_false (signbit (shown) && shown == 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy/defaults", test_policy_defaults);
  g_test_add_func ("/policy/every-day", test_policy_every_day);
  g_test_add_func ("/policy/boundaries", test_policy_boundaries);
  g_test_add_func ("/policy/boundaries/warning-exact", test_policy_warning_boundary_exact);
  g_test_add_func ("/policy/overrides", test_policy_overrides);
  g_test_add_func ("/policy/validate", test_policy_validate);
  g_test_add_func ("/policy/unknown", test_policy_unknown);
  g_test_add_func ("/policy/worst", test_policy_worst);
  g_test_add_func ("/policy/strings", test_policy_strings);
  g_test_add_func ("/policy/days-shown", test_policy_days_shown);

  return g_test_run ();
}
