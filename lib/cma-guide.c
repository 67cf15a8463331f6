/* cma-guide.c: render a product's renewal steps for a person. */
#include "config.h"

#include "cma-guide.h"
#include "cma-url.h"

char *
cma_guide_format_step (const CmaProduct *product, guint index)
{
  const CmaGuideStep *step = &product->steps[index];
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%2u. %s\n", index + 1, step->text);
  for (guint i = 0; step->substeps != NULL && step->substeps[i] != NULL; i++)
    g_string_append_printf (out, "      %c) %s\n", 'a' + i, step->substeps[i]);
  return g_string_free (out, FALSE);
}

static void
append_deadline (GString *out, const CmaStatusEntry *e, gboolean color)
{
  g_autofree char *phrase = cma_output_days_phrase (&e->verdict);
  const char *state = cma_state_to_string (e->verdict.state);

  g_string_append_printf (out, "  %s (%s)\n", e->conn->name, e->conn->cloud_url);
  if (color)
    g_string_append_printf (out, "    state:        \033[1m%s\033[0m, %s\n", state, phrase);
  else
    g_string_append_printf (out, "    state:        %s, %s\n", state, phrase);
  if (e->verdict.known)
    {
      g_autofree char *warn = cma_time_format_local (e->verdict.warning_from);
      g_autofree char *until = cma_time_format_local (e->verdict.usable_until);

      g_string_append_printf (out, "    warning from: %s\n", warn);
      g_string_append_printf (out, "    blocked from: %s\n", until);
    }
}

static void
append_start (GString *out, const CmaProduct *product, const CmaStatusEntry *e)
{
  if (product->direct_path != NULL)
    {
      g_autofree char *url = cma_url_join (e->conn->server_url, product->direct_path);
      g_string_append_printf (out, "    open:         %s  (%s)\n", url, product->direct_path_label);
    }
  else
    g_string_append_printf (out, "    log in to:    %s  as an administrator\n",
                            e->conn->server_url);
}

char *
cma_guide_format (const CmaProduct *product, const CmaPolicy *policy, const CmaStatusEntry *entries,
                  guint n_entries, gboolean color)
{
  GString *out = g_string_new (NULL);
  guint n_steps = cma_product_n_steps (product);

  g_string_append_printf (out, "Renew the %s (%s) container token\n\n", product->assistant_name,
                          product->assistant_abbrev);
  for (guint i = 0; i < n_entries; i++)
    {
      append_deadline (out, &entries[i], color);
      append_start (out, product, &entries[i]);
    }
  g_string_append_printf (out, "\nIn %s Server or Data Center, as an administrator:\n\n",
                          product->product_name);
  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *step = cma_guide_format_step (product, i);
      g_string_append (out, step);
    }
  g_string_append_printf (out,
                          "\nThe token is then usable for %g days; record the renewal "
                          "with '%s record' so the countdown starts again.\n\n"
                          "Tip: %s\n",
                          policy->lifetime_days, product->program, CMA_GUIDE_PRIVATE_TAB_TIP);
  return g_string_free (out, FALSE);
}
