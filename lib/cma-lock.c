/* SPDX-License-Identifier: MIT */
/* cma-lock.c: per-connection lock files beside the ledger (cma_file_lock). */
#include "config.h"

#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"
#include "cma-lock.h"

struct _CmaLock {
  int fd;
};

/* "<ledger>.<16 hex>.lock": a hash rather than the URLs, which may hold
 * characters a file name cannot, and the ledger's own identity of a token,
 * so two connections naming the same token share one lock. */
static char *
lock_path (CmaLedger *ledger, const CmaConnection *conn)
{
  g_autofree char *key = g_strconcat (conn->server_url, "\n", conn->cloud_url, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  sum[16] = '\0';
  return g_strdup_printf ("%s.%s.lock", cma_ledger_get_path (ledger), sum);
}

CmaLock *
cma_lock_connection (CmaLedger *ledger, const CmaConnection *conn, guint timeout_seconds,
                     GError **error)
{
  g_autofree char *path = lock_path (ledger, conn);
  g_autofree char *busy =
      g_strdup_printf ("connection %s is being renewed by another run", conn->name);
  CmaLock *lock;
  int fd;

  /* The ledger's own checks: a directory others may write is refused. */
  if (!cma_ledger_prepare_dir (ledger, error) ||
      (fd = cma_file_lock (path, timeout_seconds, busy, error)) < 0)
    return NULL;
  lock = g_new0 (CmaLock, 1);
  lock->fd = fd;
  return lock;
}

void
cma_lock_release (CmaLock *lock)
{
  if (lock == NULL)
    return;
  close (lock->fd); /* closing releases the flock */
  g_free (lock);
}
