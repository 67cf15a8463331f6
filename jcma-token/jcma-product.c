/* SPDX-License-Identifier: MIT */
/* jcma-product.c: Jira and its Cloud Migration Assistant, as jcma-token
 * knows them. Labels are quoted exactly as the Jira UI shows them
 * (Atlassian KB "How to renew authentication token for the Cloud Migration
 * Assistant apps"); change them here when Atlassian renames a button. */
#include "config.h"

#include "jcma-product.h"

static const char *const create_migration_screens[] = {
  "first migration plan: the home screen shows only \"Create a Migration\"",
  "existing migration plans: \"Create a Migration\" sits above the list of plans", NULL
};

static const char *const change_account[] = {
  "only to use another Atlassian account (for example one with site or org "
  "admin rights): click \"Change account\" and log in again",
  NULL
};

static const CmaGuideStep jira_steps[] = {
  { "In Jira, go to Settings (cog) > \"System\".", NULL },
  { "In the left panel, under \"Import and Export\", select \"Migrate to cloud\". "
    "The Migration Assistant home screen appears.",
    NULL },
  { "In the \"Migrate your data\" section, click \"Create a Migration\".",
    create_migration_screens },
  { "On the \"How It Works\" screen, click \"Connect to cloud\" in the action bar "
    "at the bottom.",
    NULL },
  { "Click \"Choose cloud site\" below the \"Choose your destination cloud site\" "
    "drop-down.",
    NULL },
  { "In the \"Choose your Cloud Destination\" pop-up, click \"Continue\".", NULL },
  { "Optional: \"Change account\".", change_account },
  { "Choose the cloud site right below the \"Migrate to\" drop-down.", NULL, TRUE },
  { "Tick \"Allow Atlassian to access migrations data\".", NULL },
  { "Click \"Confirm\".", NULL },
  { NULL, NULL }
};

const CmaProduct jcma_product = {
  .id = "jira",
  .program = "jcma-token",
  .product_name = "Jira",
  .assistant_name = "Jira Cloud Migration Assistant",
  .assistant_abbrev = "JCMA",
  .plugin_key = "com.atlassian.jira.migration.jira-migration-plugin",
  .min_api_version = "1.12.5",
  /* Atlassian's Migration API guide: attach needs 1.11.4 or later. */
  .min_attach_version = "1.11.4",
  .default_server_url = "http://localhost:8080/",
  /* Jira publishes no stable URL for the assistant's screen. */
  .direct_path = NULL,
  .direct_path_label = NULL,
  .steps = jira_steps,
  .confirm_label = "Confirm",
  /* Atlassian's published list of Jira check keys (Migration API, "Status
   * examples") has no check of the container token, and no other source
   * names one: JCMA's verdict is not asked rather than the whole check set
   * run under a guess. */
  .token_check_key = NULL,
};
