/* SPDX-License-Identifier: MIT */
/* cma-api-marketplace.h: the newest version of an app, as the Atlassian
 * Marketplace's public REST API (v2, no authentication) publishes it. */
#pragma once

#include <glib.h>

#include "cma-http.h"

G_BEGIN_DECLS

#define CMA_MARKETPLACE_URL "https://marketplace.atlassian.com/"

typedef struct {
  char *version;  /* "name" of the latest version: "1.12.40" */
  char *released; /* its release date as published ("2026-11-20"), or NULL */
} CmaMarketplaceLatest;

void cma_marketplace_latest_clear (CmaMarketplaceLatest *latest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmaMarketplaceLatest, cma_marketplace_latest_clear)

/* GET {marketplace}rest/2/addons/{@app_key}/versions/latest. Both strings
 * are made safe to print (cma_text_sanitize). */
gboolean cma_marketplace_get_latest (CmaHttp *http, const char *app_key,
                                     CmaMarketplaceLatest *latest, GError **error);

G_END_DECLS
