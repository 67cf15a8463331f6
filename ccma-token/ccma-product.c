/* SPDX-License-Identifier: MIT */
/* ccma-product.c: Confluence and its Cloud Migration Assistant, as
 * ccma-token knows them. Labels are quoted exactly as the Confluence UI
 * shows them (Atlassian KB "How to renew authentication token for the
 * Cloud Migration Assistant apps"); change them here when Atlassian
 * renames a button. */
#include "config.h"

#include "ccma-product.h"

static const char *const create_new_migration[] = {
  "older versions of the assistant: in the \"App Assessment\" pop-up that "
  "follows, click \"Continue without assessing\"",
  NULL
};

static const char *const change_account[] = {
  "only to use another Atlassian account (for example one with site or org "
  "admin rights): click \"Change account\" and log in again",
  NULL
};

static const CmaGuideStep confluence_steps[] = {
  { "In Confluence, go to \"Confluence Administration\" > \"General Configuration\".", NULL },
  { "In the left panel, under \"Atlassian Cloud\", select \"Migration Assistant\".", NULL },
  { "On the Migration Assistant home screen, click \"Migrate your data\".", NULL },
  { "Click \"Create New Migration\".", create_new_migration },
  { "On the \"How It Works\" screen, click \"Connect to cloud\" in the action bar "
    "at the bottom.",
    NULL },
  { "Click \"Choose cloud site\" below the \"Choose your destination cloud site\" "
    "drop-down.",
    NULL },
  { "In the \"Choose your cloud destination\" pop-up, click \"Continue\".", NULL },
  { "Optional: \"Change account\".", change_account },
  { "Choose the cloud site right below the \"Migrate to\" drop-down.", NULL, TRUE },
  { "Tick \"Allow Atlassian to access migrations data\".", NULL },
  { "Click \"Confirm\".", NULL },
  { NULL, NULL }
};

const CmaProduct ccma_product = {
  .id = "confluence",
  .program = "ccma-token",
  .product_name = "Confluence",
  .assistant_name = "Confluence Cloud Migration Assistant",
  .assistant_abbrev = "CCMA",
  .plugin_key = "com.atlassian.migration.agent",
  .min_api_version = "3.10.8",
  /* Atlassian's Migration API guide: attach needs 3.9.6 or later. */
  .min_attach_version = "3.9.6",
  .default_server_url = "http://localhost:8090/",
  .direct_path = "admin/migration.action",
  .direct_path_label = "Migration Assistant home screen",
  .steps = confluence_steps,
  .confirm_label = "Confirm",
  /* Unofficial: not in Atlassian's published lists, but the key of CCMA's
   * own container token check in the assistant's code (fails under 19 days
   * of real token life, warns under 24). */
  .token_check_key = "ContainerTokenExpiration",
};
