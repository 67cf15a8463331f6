/* SPDX-License-Identifier: MIT */
/* cma-api-attach.h: the Migration API's attach, which keeps a cloud site
 * usable by API-driven migration jobs for 24 hours (developer.atlassian.com,
 * "Migrate Jira or Confluence from on-premises to cloud using APIs"). */
#pragma once

#include <glib.h>

#include "cma-api.h"

G_BEGIN_DECLS

/* POST {server-url}rest/migration/latest/public/v1/attach?cloudUrl=SITE
 * with the server administrator's credentials, as the save uses them.
 * Any 2xx is success: the answer's members are not documented. A busy
 * server (429, 503) is retried. The assistant's "not authorized with the
 * server" (no valid container token for the site) fails with
 * CMA_ERROR_REJECTED, a 404 from a server that is there with
 * CMA_ERROR_NOT_SUPPORTED and the assistant's minimum version. */
gboolean cma_api_attach (CmaHttp *http, const CmaApiContext *ctx, GError **error);

/* Fail unless @version is at least the product's minimum for attach. */
gboolean cma_api_check_attach_version (const CmaProduct *product, const char *version,
                                       GError **error);

G_END_DECLS
