/* SPDX-License-Identifier: MIT */
/* fuzz-ledger.c: the renewal ledger, one JSON object per line, read by
 * cma_ledger_load (tests/ledger-reference.c, over cma_ledger_scan),
 * then written back as JSON as `history --json` does. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "../ledger-reference.h"

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
