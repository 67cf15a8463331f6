/* SPDX-License-Identifier: MIT */
/* cma-credentials.h: when the credentials a renewal needs stop working.
 *
 * The container token is renewed unattended, but the cloud API token and
 * the server's personal access token it is renewed with expire too (cloud
 * API tokens after at most a year), and then every renewal fails. Their
 * expiry is known ahead of time, so status can warn before that. */
#pragma once

#include <glib.h>

#include "cma-policy.h"
#include "cma-time.h"

G_BEGIN_DECLS

/* Warn this many days before a credential expires, by default. */
#define CMA_DEFAULT_CREDENTIAL_WARNING_DAYS 30.0

/* The cloud API token and the server's personal access token. */
#define CMA_MAX_CREDENTIALS 2

typedef struct {
  const char *name;   /* "cloud API token" */
  const char *source; /* where the date comes from: "cloud-token-expires" */
  /* When the source said so, for a date learnt from the server (known
   * FALSE for one the configuration gives, which is true until edited). */
  CmaMaybeInstant as_of;
  CmaInstant expires;
  double days_left; /* negative once expired */
  CmaState state;   /* OK; WARNING within the warning days; CRITICAL once expired */
} CmaCredentialExpiry;

/* Judge a credential expiring at @expires, seen at @now, warning
 * @warning_days ahead. Pure: the clock is the caller's. Expired at the
 * instant itself, WARNING from exactly @warning_days before. */
void cma_credential_evaluate (const char *name, const char *source, CmaInstant expires,
                              CmaInstant now, double warning_days, CmaCredentialExpiry *out);

/* Parse a configured expiry: "2027-03-01" (local midnight, the start of
 * the day it expires on) or any TIME cma_time_parse() accepts, except
 * "now". */
gboolean cma_credential_parse_expiry (const char *text, CmaInstant *out, GError **error);

/* "cloud API token expires in 12.0 days (2027-03-01 00:00 CET, from
 * cloud-token-expires)" or "... expired 2.0 days ago (...)", with " as of
 * INSTANT" after a source that said so at an instant: one phrase for
 * every output. @local: local time for people, else ISO 8601. */
char *cma_credential_phrase (const CmaCredentialExpiry *c, gboolean local);

G_END_DECLS
