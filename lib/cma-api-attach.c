/* SPDX-License-Identifier: MIT */
/* cma-api-attach.c: attach the cloud site for Migration API jobs. */
#include "config.h"

#include <string.h>

#include "cma-api-answer.h"
#include "cma-api-attach.h"
#include "cma-error.h"
#include "cma-url.h"

/* The assistant's words when it holds no valid container token for the
 * site (shared/reference: "The destination cloud site is not authorized
 * with the server. Please authorize the cloud site and retry."). */
#define NOT_AUTHORIZED "not authorized with the server"

static char *
attach_url (const CmaApiContext *ctx)
{
  g_autofree char *site = cma_url_cloud_site (ctx->conn->cloud_url);
  g_autofree char *escaped = g_uri_escape_string (site, NULL, FALSE);
  g_autofree char *rel =
      g_strconcat ("rest/migration/latest/public/v1/attach?cloudUrl=", escaped, NULL);

  return cma_url_join (ctx->conn->server_url, rel);
}

static gboolean
is_not_authorized (const CmaHttpResponse *r)
{
  g_autofree char *message = cma_answer_message (r);
  g_autofree char *folded = message ? g_ascii_strdown (message, -1) : NULL;

  return r->status >= 400 && folded != NULL && strstr (folded, NOT_AUTHORIZED) != NULL;
}

static gboolean
fail_attach (CmaHttp *http, const CmaApiContext *ctx, const char *url, const CmaHttpResponse *r,
             GError **error)
{
  const CmaProduct *p = ctx->product;
  g_autofree char *said = cma_answer_suffix (r);

  if (is_not_authorized (r))
    g_set_error (error, CMA_ERROR, CMA_ERROR_REJECTED,
                 "server %s would not attach cloud site %s (HTTP %ld%s): the %s holds no valid "
                 "container token for it; renew it ('%s renew --force') or connect the site "
                 "again ('%s guide')",
                 ctx->conn->server_url, ctx->conn->cloud_url, r->status, said, p->assistant_name,
                 p->program, p->program);
  else if (!cma_api_check_server_answer (ctx, r, error))
    return FALSE;
  else if (r->status == 404 && cma_api_server_is_there (http, ctx, "attach endpoint", error))
    g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
                 "server %s has no attach endpoint (HTTP 404): the %s is missing, disabled or "
                 "older than %s, the first version with the Migration API; upgrade it",
                 ctx->conn->server_url, p->assistant_name, p->min_attach_version);
  else if (r->status != 404)
    cma_api_fail_status (CMA_SIDE_SERVER, url, r, error);
  return FALSE;
}

gboolean
cma_api_attach (CmaHttp *http, const CmaApiContext *ctx, GError **error)
{
  g_autofree char *url = attach_url (ctx);
  g_auto (CmaWiped) auth = cma_api_server_authorization (ctx);
  g_autoptr (CmaHttpResponse) r = NULL;

  /* An empty body: the site is in the query, and a POST without a length
   * is refused by some proxies. */
  r = cma_http_request (http, CMA_SIDE_SERVER, "POST", url, auth, "", error);
  if (r == NULL)
    return FALSE;
  /* A 2xx may still be the login page, which says nothing was attached. */
  if (r->status >= 200 && r->status < 300)
    return cma_api_check_server_answer (ctx, r, error);
  return fail_attach (http, ctx, url, r, error);
}

gboolean
cma_api_check_attach_version (const CmaProduct *product, const char *version, GError **error)
{
  if (cma_version_compare (version, product->min_attach_version) >= 0)
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_NOT_SUPPORTED,
               "the %s is version %s; attaching the cloud site for Migration API jobs needs %s "
               "or later: upgrade it, or set attach = no",
               product->assistant_name, version, product->min_attach_version);
  return FALSE;
}
