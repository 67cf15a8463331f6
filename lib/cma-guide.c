/* SPDX-License-Identifier: MIT */
/* cma-guide.c: render a product's renewal steps for a person. */
#include "config.h"

#include <string.h>

#include "cma-guide.h"
#include "cma-output-formats.h"
#include "cma-url.h"

/* Appends @text after @first (the number or letter column), folded at
 * word boundaries to @width columns with a hanging indent of @indent; a
 * word longer than the line is kept whole. @width 0: one line. */
static void
append_wrapped (GString *out, const char *first, const char *text, guint indent, guint width)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  guint column = (guint) g_utf8_strlen (first, -1);

  g_string_append (out, first);
  for (guint i = 0; words[i] != NULL; i++)
    {
      guint len = (guint) g_utf8_strlen (words[i], -1);

      if (i > 0 && width > 0 && column + 1 + len > width)
        {
          g_string_append_printf (out, "\n%*s", (int) indent, "");
          column = indent;
        }
      else if (i > 0)
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += len;
    }
  g_string_append_c (out, '\n');
}

char *
cma_guide_format_step (const CmaProduct *product, guint index, const char *cloud_site, guint width)
{
  const CmaGuideStep *step = &product->steps[index];
  GString *out = g_string_new (NULL);
  g_autofree char *number = g_strdup_printf ("%2u. ", index + 1);

  append_wrapped (out, number, step->text, 4, width);
  if (step->picks_cloud_site && cloud_site != NULL)
    {
      g_autofree char *site = cma_url_cloud_site (cloud_site);
      g_autofree char *line = g_strdup_printf ("Your site: %s", site);

      append_wrapped (out, "      ", line, 6, width);
    }
  for (guint i = 0; step->substeps != NULL && step->substeps[i] != NULL; i++)
    {
      g_autofree char *letter = g_strdup_printf ("      %c) ", 'a' + i);

      append_wrapped (out, letter, step->substeps[i], 9, width);
    }
  return g_string_free (out, FALSE);
}

/* What else made the state worse than the token's own deadline: the
 * renewal to renew by hand may not be the only thing to fix. */
static void
append_reasons (GString *out, const CmaStatusEntry *e)
{
  if (e->failing)
    {
      g_autofree char *failing = cma_output_failure_phrase (e->failure, TRUE);
      g_string_append_printf (out, "    %s\n", failing);
    }
  if (e->token_check != NULL && e->token_check_state != CMA_STATE_OK)
    {
      g_autofree char *verdict = cma_output_verdict_phrase (e, TRUE);
      g_string_append_printf (out, "    %s\n", verdict);
    }
  for (guint i = 0; i < e->n_credentials; i++)
    if (e->credentials[i].state != CMA_STATE_OK)
      {
        g_autofree char *phrase = cma_credential_phrase (&e->credentials[i], TRUE);
        g_string_append_printf (out, "    %s\n", phrase);
      }
}

static void
append_deadline (GString *out, const CmaStatusEntry *e, gboolean color)
{
  g_autofree char *phrase = cma_output_days_phrase (&e->verdict);
  const char *state = cma_state_to_string (e->state);

  g_string_append_printf (out, "  %s (%s)\n", e->conn->name, e->conn->cloud_url);
  if (color)
    g_string_append_printf (out, "    state:        \033[1m%s\033[0m, %s\n", state, phrase);
  else
    g_string_append_printf (out, "    state:        %s, %s\n", state, phrase);
  append_reasons (out, e);
  if (e->verdict.known)
    {
      g_autofree char *warn = cma_time_format_local (e->verdict.warning_from);
      g_autofree char *until = cma_time_format_local (e->verdict.usable_until);

      g_string_append_printf (out, "    warning from: %s\n", warn);
      g_string_append_printf (out, "    blocked from: %s\n", until);
    }
  /* A manual renewal does not attach: 'renew' does, for attach = yes. */
  cma_output_attach_text (out, "    attach:       ", e);
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
cma_guide_format_header (const CmaProduct *product, const CmaStatusEntry *entries, guint n_entries,
                         gboolean color)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "Renew the %s (%s) container token\n\n", product->assistant_name,
                          product->assistant_abbrev);
  for (guint i = 0; i < n_entries; i++)
    {
      append_deadline (out, &entries[i], color);
      append_start (out, product, &entries[i]);
    }
  return g_string_free (out, FALSE);
}

/* How to record: the whole command, one a line, with -C for each
 * connection of a configuration (record refuses to guess among several)
 * and @options for the rest of the command line, so it can be copied. A
 * name is letters, digits, '-', '_' and '.' only: it needs no quoting. */
static void
append_record_commands (GString *out, const CmaProduct *product, const CmaPolicy *policy,
                        const CmaStatusEntry *entries, guint n_entries, const char *options,
                        guint width)
{
  g_autofree char *footer = g_strdup_printf (
      "The token is then usable for %g days; record the renewal so the countdown starts again:",
      policy->lifetime_days);
  gboolean command_line = n_entries == 1 && strcmp (entries[0].conn->name, "default") == 0;

  append_wrapped (out, "", footer, 0, width);
  for (guint i = 0; i < n_entries; i++)
    g_string_append_printf (out, "  %s record%s%s%s\n", product->program, options,
                            command_line ? "" : " -C ", command_line ? "" : entries[i].conn->name);
}

char *
cma_guide_format (const CmaProduct *product, const CmaPolicy *policy, const CmaStatusEntry *entries,
                  guint n_entries, const char *record_options, gboolean color, guint width)
{
  GString *out = g_string_new (NULL);
  g_autofree char *header = cma_guide_format_header (product, entries, n_entries, color);
  /* With several connections the steps cannot name one site; each is
   * listed above with its site. */
  const char *site = n_entries == 1 ? entries[0].conn->cloud_url : NULL;
  guint n_steps = cma_product_n_steps (product);

  g_string_append (out, header);
  g_string_append_printf (out, "\nIn %s Server or Data Center, as an administrator:\n\n",
                          product->product_name);
  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *step = cma_guide_format_step (product, i, site, width);
      g_string_append (out, step);
    }
  g_string_append_c (out, '\n');
  append_record_commands (out, product, policy, entries, n_entries, record_options, width);
  g_string_append_c (out, '\n');
  append_wrapped (out, "Tip: ", CMA_GUIDE_PRIVATE_TAB_TIP, 0, width);
  return g_string_free (out, FALSE);
}
