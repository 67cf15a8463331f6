/* SPDX-License-Identifier: MIT */
/* cma-secret.h: the cloud API token and the server PAT or password.
 *
 * Secrets come from a file named in the configuration, a systemd
 * credential, or the environment, in that order; never from argv, where
 * every local user could read them in /proc. Their memory is wiped on free.
 */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-wipe.h"

G_BEGIN_DECLS

#define CMA_SECRET_MAX_BYTES 4096

typedef struct {
  char *value;
  char *origin; /* "file /etc/…", "systemd credential cloud-token", "environment CMA_CLOUD_TOKEN" */
} CmaSecret;

void cma_secret_free (CmaSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaSecret, cma_secret_free)

/* The two secrets of a connection, from where its configuration says, so
 * renew and doctor name the same sources. The cloud token needs a
 * cloud-user to go with it: without one, this fails before reading. */
CmaSecret *cma_secret_load_cloud (const CmaConnection *conn, GError **error);
CmaSecret *cma_secret_load_server (const CmaConnection *conn, GError **error);

G_END_DECLS
