/* SPDX-License-Identifier: MIT */
/* cma-config.h: connections and settings from a GKeyFile and the command line.
 *
 *   [defaults]                 settings every connection inherits, and the policy
 *   [connection NAME]          server-url, cloud-url and per-connection settings
 */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-policy.h"
#include "cma-product.h"

G_BEGIN_DECLS

/* Renewals at once: enough to hide the wait for answers, few enough that
 * no server or the cloud API sees a burst. */
#define CMA_CONFIG_DEFAULT_JOBS 8
#define CMA_CONFIG_MAX_JOBS     64

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
