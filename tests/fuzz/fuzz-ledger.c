/* SPDX-License-Identifier: MIT */
/* fuzz-ledger.c: the renewal ledger, one JSON object per line, read by
 * cma_ledger_load (tests/ledger-reference.c, over cma_ledger_scan),
 * then written back as JSON as `history --json` does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../ledger-reference.h"

/* The ledger reads lines in its own form ({"name":"value",...}, printable
 * ASCII, no escape) without json-glib, and every other line with it; the
 * two must agree. A leading space is still the same JSON but never the
 * own form: so each line, and the same line after a space, must give the
 * same record, or both none. */
static gboolean
same_string (const char *a, const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

static void
check_both_readers (const char *text, gsize len)
{
  g_autofree char *spaced = g_strdup_printf (" %.*s", (int) len, text);
  g_autofree char *why = NULL;
  g_autofree char *spaced_why = NULL;
  g_autoptr (CmaRenewal) r = cma_ledger_parse_line (text, len, &why);
  g_autoptr (CmaRenewal) s = cma_ledger_parse_line (spaced, len + 1, &spaced_why);

  if ((r == NULL) != (s == NULL))
    abort ();
  if (r != NULL &&
      (r->at != s->at || !same_string (r->connection, s->connection) ||
       !same_string (r->server_url, s->server_url) || !same_string (r->cloud_url, s->cloud_url) ||
       !same_string (r->method, s->method) || !same_string (r->user, s->user) ||
       !same_string (r->note, s->note) || !same_string (r->fingerprint, s->fingerprint)))
    abort ();
}

static void
check_lines (const uint8_t *data, size_t size)
{
  const char *p = (const char *) data;
  const char *end = p + size;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *stop = nl != NULL ? nl : end;

      check_both_readers (p, (gsize) (stop - p));
      p = stop + 1;
    }
}

/* Every record, as history's JSON: dates must print whatever they parsed. */
static void
rebuild (GPtrArray *renewals)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < renewals->len; i++)
    cma_renewal_build_json (renewals->pdata[i], builder, TRUE);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  g_free (json_generator_to_data (gen, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (CmaLedger) ledger = cma_ledger_new (fuzz_tmp_dir (), "fcma-token");
  g_autofree char *dir = g_path_get_dirname (cma_ledger_get_path (ledger));
  g_autofree char *name = g_path_get_basename (cma_ledger_get_path (ledger));
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) renewals = NULL;
  CmaConnection conn = { .server_url = (char *) "https://jira.example.com/",
                         .cloud_url = (char *) "https://acme.atlassian.net/" };

  fuzz_make_logs_fatal ();
  check_lines (data, size);
  /* The ledger lives where cma_ledger_new puts it in @dir. */
  if (g_strcmp0 (dir, fuzz_tmp_dir ()) != 0)
    abort ();
  path = fuzz_write_file (name, data, size);
  renewals = cma_ledger_load (ledger, &error);
  if (renewals == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  rebuild (renewals);
  (void) cma_ledger_find_last (renewals, &conn);
  return 0;
}
