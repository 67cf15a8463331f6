/* SPDX-License-Identifier: MIT */
/* cma-allowlist.h: the hosts a server must reach to migrate, as Atlassian
 * lists them for firewalls, and the concrete host doctor tests for each. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the list comes from; the table in cma-allowlist.c says more. */
#define CMA_ALLOWLIST_SOURCE                                                                       \
  "support.atlassian.com, \"IP addresses and domains for Atlassian cloud products\", "             \
  "migration section"

typedef struct {
  const char *listed;  /* as the allowlist names it: a host, or "*.atlassian.net" */
  const char *host;    /* the host tested; NULL: the connection's cloud site's */
  const char *purpose; /* what the assistant uses it for */
} CmaAllowlistEntry;

/* The table, terminated by an entry whose @listed is NULL. */
extern const CmaAllowlistEntry cma_allowlist[];

/* The host tested for @entry on a connection to @cloud_url (a normalised
 * https URL): its own host, or for the wildcard the cloud site's. Never
 * NULL. */
char *cma_allowlist_host (const CmaAllowlistEntry *entry, const char *cloud_url);

G_END_DECLS
