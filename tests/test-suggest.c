/* SPDX-License-Identifier: MIT */
/* test-suggest.c: did-you-mean for commands, keys and connection names. */
#include "config.h"

#include "cma-suggest.h"

static const char *const commands[] = { "status", "record", "guide", "history",
                                        "renew",  "doctor", NULL };
static const char *const keys[] = { "server-url", "cloud-url", "server-user",
                                    "cloud-user", "timeout",   NULL };
static const char *const names[] = { "prod", "test", "staging", NULL };

static void
test_suggest_close (void)
{
  static const struct {
    const char *const *candidates;
    const char *word;
    const char *expected; /* NULL: no suggestion */
  } cases[] = {
    { commands, "stauts", "status" }, /* adjacent swap: one edit */
    { commands, "statsu", "status" }, /* swap at the end */
    { commands, "Status", "status" }, /* case */
    { commands, "staus", "status" },  /* deletion */
    { commands, "recrod", "record" },
    { commands, "histroy", "history" },
    { commands, "renwe", "renew" },
    { commands, "doctro", "doctor" },
    { commands, "stat", "status" }, /* unique prefix */
    { commands, "hist", "history" },
    { commands, "re", NULL }, /* prefix of record and renew */
    { commands, "frobnicate", NULL },
    { commands, "", NULL },
    { commands, "status", NULL }, /* nothing to correct */
    { keys, "server_url", "server-url" },
    { keys, "serverurl", "server-url" },
    { keys, "cloud_user", "cloud-user" },
    { keys, "time-out", "timeout" },
    { keys, "colour", NULL },
    { names, "prdo", "prod" },
    { names, "prd", "prod" },
    { names, "tset", "test" },
    { names, "stagign", "staging" },
    { names, "qa", NULL },
    { names, "dev", NULL }, /* 3 letters, two edits from "test"... */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("'%s'", cases[i].word);
      g_assert_cmpstr (cma_suggest (cases[i].word, cases[i].candidates), ==, cases[i].expected);
    }
}

static void
test_suggest_distance (void)
{
  g_assert_cmpuint (cma_suggest_distance ("", ""), ==, 0);
  g_assert_cmpuint (cma_suggest_distance ("abc", ""), ==, 3);
  g_assert_cmpuint (cma_suggest_distance ("", "abc"), ==, 3);
  g_assert_cmpuint (cma_suggest_distance ("status", "status"), ==, 0);
  g_assert_cmpuint (cma_suggest_distance ("stauts", "status"), ==, 1);
  g_assert_cmpuint (cma_suggest_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (cma_suggest_distance ("ca", "abc"), ==, 3); /* OSA, not full Damerau */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/suggest/close", test_suggest_close);
  g_test_add_func ("/suggest/distance", test_suggest_distance);

  return g_test_run ();
}
