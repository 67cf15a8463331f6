/* SPDX-License-Identifier: MIT */
/* cma-connection.h: one connection, a server and the cloud site its
 * assistant renews a token for, with its settings as the configuration
 * gave them. Most of libcma needs this type, not the parser that fills
 * it (cma-config.h), so it has a header of its own.
 */
#pragma once

#include <glib.h>

#include "cma-time.h"

G_BEGIN_DECLS

#define CMA_DEFAULT_CLOUD_API_URL       "https://api.atlassian.com/"
#define CMA_DEFAULT_TIMEOUT_SECONDS     30.0
#define CMA_DEFAULT_RENEW_WITHIN_DAYS   7.0
/* Atlassian's auth tokens (step one of a renewal) live 5 minutes. */
#define CMA_DEFAULT_AUTH_TOKEN_LIFETIME 300.0
#define CMA_DEFAULT_HOOK_TIMEOUT        60.0
/* Atlassian: "Attaching a cloud_site_url is valid for 24 hours." */
#define CMA_ATTACH_LIFETIME_HOURS       24
/* Re-attach once an attach is this old: renew run every four hours then
 * re-attaches before the attach lapses, and status warns (4 h left)
 * only when a run was missed. */
#define CMA_DEFAULT_ATTACH_MARGIN_HOURS 20.0

/* A yes/no setting that [defaults] may give and a connection override. */
typedef enum {
  CMA_SWITCH_UNSET = -1,
  CMA_SWITCH_OFF = 0,
  CMA_SWITCH_ON = 1,
} CmaSwitch;

typedef struct {
  char *name;
  char *server_url;       /* normalised */
  char *cloud_url;        /* normalised */
  char *cloud_api_url;    /* normalised; default CMA_DEFAULT_CLOUD_API_URL */
  char *cloud_user;       /* e-mail of a site/org admin, or NULL */
  char *cloud_token_file; /* or NULL: environment / systemd credential */
  char *server_user;      /* NULL: Bearer PAT; else Basic */
  char *server_token_file;
  char *ca_file;       /* CA for the server; NULL: system store */
  char *cloud_ca_file; /* CA for the cloud API (a TLS-inspecting proxy); NULL: system */
  char *hook;
  char *job_id;                   /* a Migration API job: asks the assistant's verdict; or NULL */
  double hook_timeout;            /* seconds a hook may run before SIGTERM */
  double timeout;                 /* seconds for a whole request */
  double renew_within;            /* days */
  double auth_token_lifetime;     /* seconds an auth token is valid for (300) */
  double credential_warning_days; /* warn this long before a credential expires (30) */
  /* Keep the cloud site attached for Migration API jobs (attach = yes),
   * re-attaching once the last attach is attach_margin hours old. */
  CmaSwitch attach;
  double attach_margin; /* hours */

  /* The cloud API token's and the server PAT's expiry, parsed when the
   * configuration is loaded; unknown: doctor warns. */
  CmaMaybeInstant cloud_token_expires;
  CmaMaybeInstant server_token_expires;
} CmaConnection;

/* In cma-config.c, beside the key table that lists every string member. */
void cma_connection_free (CmaConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaConnection, cma_connection_free)

G_END_DECLS
