/* SPDX-License-Identifier: MIT */
/* cma-product.h: what makes jcma-token differ from ccma-token.
 *
 * Each binary's folder defines one CmaProduct; libcma never names a
 * product itself, so all wording that is a fact about Jira or Confluence
 * (menu labels, plugin keys, versions) lives beside that binary.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *text;            /* what to do, with the UI's labels in quotes */
  const char *const *substeps; /* NULL-terminated alternatives or details, or NULL */
  gboolean picks_cloud_site;   /* the step where the user picks the site: name it */
} CmaGuideStep;

typedef struct {
  const char *id;                 /* "jira": the product in JSON, metrics and calendars */
  const char *program;            /* "jcma-token": config and ledger file names */
  const char *product_name;       /* "Jira" */
  const char *assistant_name;     /* "Jira Cloud Migration Assistant" */
  const char *assistant_abbrev;   /* "JCMA": Nagios prefix, messages */
  const char *plugin_key;         /* UPM key of the assistant */
  const char *min_api_version;    /* first assistant version with save/token */
  const char *min_attach_version; /* first with the Migration API's attach */
  const char *default_server_url;
  const char *direct_path;       /* screen relative to the server URL, or NULL */
  const char *direct_path_label; /* what that screen is called */
  const CmaGuideStep *steps;     /* terminated by an entry whose text is NULL */
  const char *confirm_label;     /* label of the last click, for --interactive */
  /* The key of the assistant's pre-migration check of the container token,
   * for a Check task limited to it (job-id); NULL when none is known, and
   * then the assistant's verdict is not asked. */
  const char *token_check_key;
} CmaProduct;

/* Number of steps in product->steps. */
guint cma_product_n_steps (const CmaProduct *product);

G_END_DECLS
