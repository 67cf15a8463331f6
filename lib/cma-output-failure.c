/* SPDX-License-Identifier: MIT */
/* cma-output-failure.c: how every format says that renewals keep
 * failing, so text, Nagios and JSON tell the same story. */
#include "config.h"

#include "cma-json.h"
#include "cma-output-formats.h"

char *
cma_output_failure_phrase (const CmaFailure *f, gboolean local)
{
  g_autofree char *since =
      local ? cma_time_format_local (f->since) : cma_time_format_iso (f->since);

  return g_strdup_printf ("renewal failing since %s, %u attempt%s: last error %s", since,
                          f->attempts, f->attempts == 1 ? "" : "s", f->message);
}

/* The members a failure has, unknown: the attempts file that would tell
 * them is damaged. */
static void
damaged_json (JsonBuilder *b)
{
  json_builder_begin_object (b);
  cma_json_add_instant (b, "at", FALSE, 0);
  cma_json_add_instant (b, "since", FALSE, 0);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_null_value (b);
  cma_json_add_string (b, "class", "damaged");
  cma_json_add_string (b, "message", CMA_OUTPUT_ATTEMPTS_DAMAGED);
  json_builder_end_object (b);
}

void
cma_output_failure_json (JsonBuilder *b, const CmaFailure *f, gboolean damaged)
{
  json_builder_set_member_name (b, "last_failure");
  if (f == NULL && damaged)
    damaged_json (b);
  else if (f == NULL)
    {
      json_builder_add_null_value (b);
    }
  else
    {
      json_builder_begin_object (b);
      cma_failure_add_members (b, f);
      json_builder_end_object (b);
    }
}
