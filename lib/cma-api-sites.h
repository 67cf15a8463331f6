/* SPDX-License-Identifier: MIT */
/* cma-api-sites.h: is the cloud site among the assistant's connected sites?
 *
 * The assistant's own view, through an UNDOCUMENTED resource
 * (GET {server-url}rest/migration/latest/cloud/, seen in CCMA; Atlassian
 * documents no equivalent for JCMA, so it is asked the same and may well
 * answer 404). Its absence is never an error: the answer only confirms. */
#pragma once

#include <glib.h>

#include "cma-api.h"

G_BEGIN_DECLS

typedef enum {
  CMA_SITE_LISTED,     /* the connection's cloud site is listed */
  CMA_SITE_NOT_LISTED, /* a list came, without it */
  CMA_SITE_NO_LIST,    /* no usable list: missing resource, refusal, garbled answer */
} CmaSiteVerdict;

/* Ask, and say in *@detail (always set) what was found. */
CmaSiteVerdict cma_sites_check (CmaHttp *http, const CmaApiContext *ctx, char **detail);

G_END_DECLS
