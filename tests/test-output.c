/* test-output.c: the formats of lib/cma-output-*.c on hand-made entries,
 * for what the command line cannot reach (label escaping). */
#include "config.h"

#include <string.h>

#include "cma-output-formats.h"

static const CmaProduct test_product = { .id = "jira", .program = "jcma-token" };

/* A connection whose name and URLs hold every character the exposition
 * format escapes: backslash, double quote, line feed. */
static CmaConnection hostile_conn = {
  .name = (char *) "a\"b\\c\nd",
  .server_url = (char *) "https://x.example/\"q\"",
  .cloud_url = (char *) "https://y.example/\\",
};

static void
test_prometheus_escaping (void)
{
  CmaStatusEntry e = { .conn = &hostile_conn };
  g_autofree char *out = NULL;

  cma_policy_evaluate (&(CmaPolicy){ 21, 5, 0 }, TRUE, 1793491200, 1794873600, &e.verdict);
  out = cma_output_prometheus_status (&test_product, &e, 1);
  g_assert_nonnull (strstr (out, "cma_token_state{product=\"jira\",connection=\"a\\\"b\\\\c\\nd\","
                                 "server_url=\"https://x.example/\\\"q\\\"\","
                                 "cloud_url=\"https://y.example/\\\\\"} 1\n"));
  g_assert_nonnull (strstr (out, "cma_token_expiry_timestamp_seconds{product=\"jira\",connection="
                                 "\"a\\\"b\\\\c\\nd\","));
  g_assert_nonnull (strstr (out, "} 1795305600\n"));
}

static void
test_prometheus_unknown (void)
{
  CmaStatusEntry e = { .conn = &hostile_conn };
  g_autofree char *out = NULL;

  cma_policy_evaluate (&(CmaPolicy){ 21, 5, 0 }, FALSE, 0, 1794873600, &e.verdict);
  out = cma_output_prometheus_status (&test_product, &e, 1);
  /* The header stays, so the family is declared; the series is absent. */
  g_assert_nonnull (strstr (out, "# TYPE cma_token_expiry_timestamp_seconds gauge\n# HELP"));
  g_assert_nonnull (strstr (out, "} 3\n"));
  g_assert_null (strstr (out, "cma_token_expiry_timestamp_seconds{"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/output/prometheus/escaping", test_prometheus_escaping);
  g_test_add_func ("/output/prometheus/unknown", test_prometheus_unknown);
  return g_test_run ();
}
