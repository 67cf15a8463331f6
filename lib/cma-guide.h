/* SPDX-License-Identifier: MIT */
/* cma-guide.h: the product's own click path, with each connection's deadline. */
#pragma once

#include <glib.h>

#include "cma-output.h"
#include "cma-product.h"

G_BEGIN_DECLS

/* Why the steps sometimes misbehave, from Atlassian's KB; shared by both. */
#define CMA_GUIDE_PRIVATE_TAB_TIP                                                                  \
  "If a step does not behave as described, repeat the steps in a private "                         \
  "(incognito) browser window: cached pages of the Migration Assistant are "                       \
  "a known cause."

/* Step @index (0-based), numbered, with its sub-steps indented; the step
 * where the site is picked names @cloud_site (NULL: not known). Lines are
 * folded at @width columns (0: not folded). */
char *cma_guide_format_step (const CmaProduct *product, guint index, const char *cloud_site,
                             guint width);

/* What comes before the steps: for each connection its state, deadlines,
 * cloud site and where to log in. */
char *cma_guide_format_header (const CmaProduct *product, const CmaStatusEntry *entries,
                               guint n_entries, gboolean color);

/* The whole guide: where to start for each connection (with the direct
 * URL where the product has one), the steps, each deadline, the command
 * that records each renewal (with @record_options, such as " -c FILE",
 * already quoted, or ""), and the tip. */
char *cma_guide_format (const CmaProduct *product, const CmaPolicy *policy,
                        const CmaStatusEntry *entries, guint n_entries, const char *record_options,
                        gboolean color, guint width);

G_END_DECLS
