/* SPDX-License-Identifier: MIT */
/* test-output.c: the formats of lib/cma-output-*.c on hand-made entries,
 * for what the command line cannot reach (label escaping). */
#include "config.h"

#include <string.h>

#include "cma-output-formats.h"

static const CmaProduct test_product = {
  .id = "jira",
  .program = "jcma-token",
  .product_name = "Jira",
};

/* A connection whose name and URLs hold every character the exposition
 * format escapes: backslash, double quote, line feed. */
static CmaConnection hostile_conn = {
  .name = (char *) "a\"b\\c\nd",
  .server_url = (char *) "https://x.example/\"q\"",
  .cloud_url = (char *) "https://y.example/\\",
};

/* @e for @conn at 2026-11-17T00:00:00Z, by the evaluator: renewed on
 * 2026-11-01 (WARNING from that day), or never. */
static void
evaluate (const CmaConnection *conn, gboolean renewed, CmaStatusEntry *e)
{
  static const CmaPolicy policy = { 21, 5, 0 };
  static const CmaRenewal last = { .at = 1793491200 };
  CmaStatusInput in = {
    .policy = &policy,
    .conn = conn,
    .last = renewed ? &last : NULL,
    .at = 1794873600,
  };

  cma_status_evaluate (&in, e);
}

static void
test_prometheus_escaping (void)
{
  CmaStatusEntry e;
  g_autofree char *out = NULL;

  evaluate (&hostile_conn, TRUE, &e);
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
  CmaStatusEntry e;
  g_autofree char *out = NULL;

  evaluate (&hostile_conn, FALSE, &e);
  out = cma_output_prometheus_status (&test_product, &e, 1);
  /* The header stays, so the family is declared; the series is absent. */
  g_assert_nonnull (strstr (out, "# TYPE cma_token_expiry_timestamp_seconds gauge\n# HELP"));
  g_assert_nonnull (strstr (out, "} 3\n"));
  g_assert_null (strstr (out, "cma_token_expiry_timestamp_seconds{"));
}

/* Every line of @ics ends in CRLF, holds at most 75 octets and is valid
 * UTF-8 on its own (folding never splits a character). */
static void
assert_rfc5545_lines (const char *ics)
{
  g_auto (GStrv) lines = g_strsplit (ics, "\r\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_null (strchr (lines[i], '\n'));
      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
    }
}

/* Undo folding: a CRLF followed by one space disappears. */
static char *
unfold (const char *ics)
{
  g_auto (GStrv) parts = g_strsplit (ics, "\r\n ", -1);

  return g_strjoinv ("", parts);
}

static void
test_ics_escaping_and_folding (void)
{
  static CmaConnection conn = {
    .name = (char *) "a,b;c\\d",
    .server_url =
        (char *) "https://x.example/\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
    .cloud_url = (char *) "https://acme.atlassian.net/",
    .renew_within = 7,
  };
  CmaStatusEntry e;
  g_autofree char *ics = NULL;
  g_autofree char *unfolded = NULL;

  evaluate (&conn, TRUE, &e);
  ics = cma_output_ics_status (&test_product, &e, 1, 1794873600);
  assert_rfc5545_lines (ics);
  unfolded = unfold (ics);
  /* , ; and \ escaped in TEXT; the description's newlines as \n. */
  g_assert_nonnull (strstr (unfolded,
                            "SUMMARY:Jira container token renewal due: a\\,b\\;c\\\\d on "
                            "acme.atlassian.net\\, run jcma-token renew -C a\\,b\\;c\\\\d\r\n"));
  g_assert_nonnull (strstr (unfolded, "\\nServer: https://x.example/\xc3\xa9"));
  /* Renewed 2026-11-01: due 14 days later, warning 16, blocked 21. */
  g_assert_nonnull (strstr (unfolded, "DTSTART:20261115T000000Z\r\n"));
  g_assert_nonnull (strstr (unfolded, "DTSTART:20261117T000000Z\r\n"));
  g_assert_nonnull (strstr (unfolded, "DTSTART:20261122T000000Z\r\n"));
  g_assert_nonnull (strstr (unfolded, "DTSTAMP:20261117T000000Z\r\n"));
}

/* history -o json writes each row itself: exactly as the document
 * printer lays out the record built as JSON, two levels in, for a full
 * row, one with absent members (null) and one with characters to escape. */
static void
test_history_json_rows (void)
{
  const CmaRenewal rows[] = {
    { 1793491200, (char *) "prod", (char *) "https://jira.example.com/",
      (char *) "https://acme.atlassian.net/", (char *) "api", (char *) "alice", (char *) "CHG-1",
      (char *) "0123456789abcdef" },
    { 1793491200, (char *) "c", (char *) "s", (char *) "u", (char *) "manual", NULL, NULL, NULL },
    { 0, (char *) "a\"b\\c\nd\x1b\x1f\x7f", (char *) "s\t", (char *) "caf\xc3\xa9",
      (char *) "manual", (char *) "\x01", (char *) "\"", NULL },
  };
  g_autoptr (CmaHistoryOutput) out = cma_history_output_new (&test_product, CMA_OUTPUT_JSON);
  g_autoptr (GString) got = g_string_new (NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *end = NULL;
  g_autofree char *expected = NULL;

  json_builder_begin_object (b);
  cma_output_json_header (b, &test_product);
  json_builder_set_member_name (b, "renewals");
  json_builder_begin_array (b);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *row = cma_history_output_row (out, &rows[i]);

      g_string_append (got, row);
      cma_renewal_build_json (&rows[i], b, TRUE);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  end = cma_history_output_end (out);
  g_string_append (got, end);
  expected = cma_output_json_to_string (b);
  g_assert_cmpstr (got->str, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/output/prometheus/escaping", test_prometheus_escaping);
  g_test_add_func ("/output/prometheus/unknown", test_prometheus_unknown);
  g_test_add_func ("/output/ics/escaping-and-folding", test_ics_escaping_and_folding);
  g_test_add_func ("/output/history/json-rows", test_history_json_rows);
  return g_test_run ();
}
