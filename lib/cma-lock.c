/* SPDX-License-Identifier: MIT */
/* cma-lock.c: per-connection lock files (flock), polled with a timeout. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "cma-error.h"
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

/* The state directory, as the ledger makes it: private, parents ordinary. */
static gboolean
ensure_dir (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *parent = g_path_get_dirname (dir);
  int saved_errno;

  if (g_mkdir_with_parents (parent, 0755) == 0 && (g_mkdir (dir, 0700) == 0 || errno == EEXIST))
    return TRUE;
  saved_errno = errno;
  g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot create state directory %s: %s", dir,
               g_strerror (saved_errno));
  return FALSE;
}

/* Poll rather than block, as the ledger lock does: a run stuck on a dead
 * network must not hold later runs hostage forever. */
static gboolean
wait_for_flock (int fd, const char *path, const char *name, guint timeout_seconds, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EWOULDBLOCK && g_get_monotonic_time () < deadline)
        {
          g_usleep (G_USEC_PER_SEC / 20);
          continue;
        }
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, CMA_ERROR, CMA_ERROR_LOCKED,
                     "connection %s is being renewed by another run%s; try again later", name,
                     timeout_seconds > 0 ? " that did not finish in time" : "");
      else
        g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot lock %s: %s", path,
                     g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

CmaLock *
cma_lock_connection (CmaLedger *ledger, const CmaConnection *conn, guint timeout_seconds,
                     GError **error)
{
  g_autofree char *path = lock_path (ledger, conn);
  CmaLock *lock;
  int fd;

  if (!ensure_dir (path, error))
    return NULL;
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot open lock file %s: %s", path,
                   g_strerror (saved_errno));
      return NULL;
    }
  if (!wait_for_flock (fd, path, conn->name, timeout_seconds, error))
    {
      close (fd);
      return NULL;
    }
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
