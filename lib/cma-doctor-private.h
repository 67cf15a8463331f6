/* SPDX-License-Identifier: MIT */
/* cma-doctor-private.h: what the parts of doctor share (cma-doctor.c,
 * cma-doctor-reach.c); nothing outside the API layer includes it. */
#pragma once

#include <stdarg.h>

#include "cma-api.h"
#include "cma-doctor.h"

G_BEGIN_DECLS

/* Append a check with a printf-style detail. */
void cma_doctor_add (GPtrArray *checks, CmaCheckResult result, const char *title, const char *fmt,
                     ...) G_GNUC_PRINTF (4, 5);
void cma_doctor_addv (GPtrArray *checks, CmaCheckResult result, const char *title, const char *fmt,
                      va_list args) G_GNUC_PRINTF (4, 0);

#define CMA_DOCTOR_REACH_TITLE                                                                     \
  "Atlassian's migration hosts reachable from this machine (TLS handshake)"

/* The hosts of Atlassian's migration allowlist, reached from this machine
 * with a TLS handshake each, all at once: one check. */
void cma_doctor_check_reach (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http);

/* "JCMA current with the Marketplace" */
char *cma_doctor_latest_title (const CmaProduct *product);

/* The installed @version (NULL: unknown) against the Marketplace's latest:
 * a warning when behind, a skipped check when the Marketplace cannot be
 * asked, never a failure. */
void cma_doctor_check_latest (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http,
                              const char *version);

/* With job-id: the assistant's verdict on the container token (a Check
 * task), remembered in @store's facts; no check at all without job-id. */
void cma_doctor_check_verdict (GPtrArray *checks, const CmaApiContext *ctx, CmaHttp *http,
                               CmaStore *store);

G_END_DECLS
