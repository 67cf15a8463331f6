/* SPDX-License-Identifier: MIT */
/* cma-allowlist.c: the migration hosts, as data.
 *
 * Atlassian's page "IP addresses and domains for Atlassian cloud products"
 * (support.atlassian.com, organization administration) names, in its
 * section on migrations, the domains a Server or Data Center host must be
 * allowed to reach for the Cloud Migration Assistants to work. Copied
 * here as of December 2026; the same hosts appear in the connectivity
 * scripts administrators publish for JCMA and CCMA, and match the domain
 * groups the assistant's own network check asks Atlassian for (attachment
 * upload, app version check, migration platform, catalogue and task
 * storage). When Atlassian changes the page, change this table and the
 * list in the doctor section of the man page.
 *
 * The one wildcard, *.atlassian.net, stands for the cloud sites: doctor
 * tests the connection's own cloud site, the one host of it that matters.
 */
#include "config.h"

#include "cma-allowlist.h"

const CmaAllowlistEntry cma_allowlist[] = {
  { "api.atlassian.com", "api.atlassian.com", "Migration API, tokens, jobs and checks" },
  { "api-private.atlassian.com", "api-private.atlassian.com", "migration platform services" },
  { "api.media.atlassian.com", "api.media.atlassian.com", "attachment upload" },
  { "migration.atlassian.com", "migration.atlassian.com", "migration platform" },
  { "marketplace.atlassian.com", "marketplace.atlassian.com", "app version checks" },
  { "rps--prod-east--app-migration-service--ams.s3.amazonaws.com",
    "rps--prod-east--app-migration-service--ams.s3.amazonaws.com", "app migration data" },
  { "rps--prod-west2--migration-orchestrator--task-data-repository.s3.us-west-2.amazonaws.com",
    "rps--prod-west2--migration-orchestrator--task-data-repository.s3.us-west-2.amazonaws.com",
    "migration task data" },
  { "rps--prod-west2--migration-catalogue--migration-storage.s3.us-west-2.amazonaws.com",
    "rps--prod-west2--migration-catalogue--migration-storage.s3.us-west-2.amazonaws.com",
    "migration catalogue storage" },
  { "*.atlassian.net", NULL, "the cloud site itself" },
  { NULL, NULL, NULL },
};

char *
cma_allowlist_host (const CmaAllowlistEntry *entry, const char *cloud_url)
{
  g_autoptr (GUri) uri = NULL;

  if (entry->host != NULL)
    return g_strdup (entry->host);
  uri = g_uri_parse (cloud_url, G_URI_FLAGS_NONE, NULL);
  return g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : cloud_url);
}
