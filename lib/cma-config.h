/* SPDX-License-Identifier: MIT */
/* cma-config.h: connections and settings from a GKeyFile and the command line.
 *
 *   [defaults]                 settings every connection inherits, and the policy
 *   [connection NAME]          server-url, cloud-url and per-connection settings
 */
#pragma once

#include <glib.h>

#include "cma-policy.h"
#include "cma-product.h"

G_BEGIN_DECLS

#define CMA_DEFAULT_CLOUD_API_URL       "https://api.atlassian.com/"
#define CMA_DEFAULT_TIMEOUT_SECONDS     30.0
#define CMA_DEFAULT_RENEW_WITHIN_DAYS   7.0
/* Atlassian's auth tokens (step one of a renewal) live 5 minutes. */
#define CMA_DEFAULT_AUTH_TOKEN_LIFETIME 300.0
/* Renewals at once: enough to hide the wait for answers, few enough that
 * no server or the cloud API sees a burst. */
#define CMA_CONFIG_DEFAULT_JOBS         8
#define CMA_CONFIG_MAX_JOBS             64

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
  double timeout;                 /* seconds for a whole request */
  double renew_within;            /* days */
  double auth_token_lifetime;     /* seconds an auth token is valid for (300) */
  double credential_warning_days; /* warn this long before a credential expires (30) */

  /* The cloud API token's and the server PAT's expiry, parsed when the
   * configuration is loaded; unknown: doctor warns. */
  CmaMaybeInstant cloud_token_expires;
  CmaMaybeInstant server_token_expires;
} CmaConnection;

void cma_connection_free (CmaConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaConnection, cma_connection_free)

typedef struct {
  const CmaProduct *product;
  char *path; /* file read, or NULL */
  CmaPolicy policy;
  double jobs;             /* renew runs this many renewals at once */
  CmaConnection *defaults; /* name is "defaults"; URLs may be NULL */
  GPtrArray *connections;  /* CmaConnection*, file order */
} CmaConfig;

CmaConfig *cma_config_new (const CmaProduct *product);
void cma_config_free (CmaConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaConfig, cma_config_free)

/* $XDG_CONFIG_HOME/cma-token/PROG.conf, or @sysconfdir/cma-token/PROG.conf
 * when @system is TRUE (root). */
char *cma_config_default_path (const CmaProduct *product, gboolean system, const char *sysconfdir);

/* Read @path. With @must_exist FALSE a missing file is not an error (the
 * default path); an unreadable one always is. Errors name file and line. */
gboolean cma_config_load (CmaConfig *config, const char *path, gboolean must_exist, GError **error);

/* Define a connection from the command line; unset URLs come from
 * [defaults], then the product's default server URL. Replaces the
 * connections read from the file: the command line wins. */
gboolean cma_config_set_command_line_connection (CmaConfig *config, const char *server_url,
                                                 const char *cloud_url, GError **error);

/* The connections named in @names (NULL or empty: all), in config order.
 * An unknown name is an error; no connection at all is an error too. */
GPtrArray *cma_config_select (CmaConfig *config, const char *const *names, GError **error);

G_END_DECLS
