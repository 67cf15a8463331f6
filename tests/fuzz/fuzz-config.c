/* SPDX-License-Identifier: MIT */
/* fuzz-config.c: the configuration file (cma_config_load), then selecting
 * its connections, as every command does before anything else. */
#include "config.h"

#include <stdlib.h>

#include "cma-config.h"
#include "fuzz.h"

static const CmaGuideStep no_steps[] = { { NULL, NULL } };

static const CmaProduct fuzz_product = {
  .program = "fcma-token",
  .product_name = "Fuzz",
  .assistant_name = "Fuzz Cloud Migration Assistant",
  .assistant_abbrev = "FCMA",
  .plugin_key = "com.example.fuzz",
  .min_api_version = "1.0.0",
  .default_server_url = "http://localhost:8080/",
  .steps = no_steps,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = fuzz_write_file ("fcma-token.conf", data, size);
  g_autoptr (CmaConfig) config = cma_config_new (&fuzz_product);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) selected = NULL;

  fuzz_make_logs_fatal ();
  if (!cma_config_load (config, path, TRUE, &error))
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  selected = cma_config_select (config, NULL, &error);
  if (selected == NULL && error == NULL)
    abort ();
  return 0;
}
