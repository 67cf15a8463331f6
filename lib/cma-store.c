/* SPDX-License-Identifier: MIT */
/* cma-store.c: the state directory of one run (see the header). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cma-attempts.h"
#include "cma-error.h"
#include "cma-file.h"
#include "cma-store.h"

struct _CmaStore {
  char *dir;
  char *program;
  gint64 group;  /* -1: the state stays private */
  gint prepared; /* atomic: the directory was made and checked */
  CmaLedger *ledger;
  /* The run's writers queue here before the writer lock, which is polled
   * (lib/cma-file.c, from 1 ms to 50 ms): the next thread is woken as
   * soon as a write is over, not when its poll comes round. */
  GMutex writers;
  gboolean swept;          /* with writers held: sweep_once() ran */
  gint64 writer_deadline;  /* with writers held: monotonic end of the wait, or 0 */
  GMutex reading;          /* guards latest */
  CmaLedgerLatest *latest; /* what this run read of the ledger */
};

char *
cma_store_default_dir (gboolean system, const char *localstatedir)
{
  if (system)
    return g_build_filename (localstatedir, "lib", "cma-token", NULL);
  return g_build_filename (g_get_user_state_dir (), "cma-token", NULL);
}

CmaStore *
cma_store_new (const char *dir, const char *program)
{
  CmaStore *store = g_new0 (CmaStore, 1);

  store->dir = g_strdup (dir);
  store->program = g_strdup (program);
  store->group = -1;
  store->ledger = cma_ledger_new (dir, program);
  g_mutex_init (&store->writers);
  g_mutex_init (&store->reading);
  return store;
}

void
cma_store_free (CmaStore *store)
{
  if (store == NULL)
    return;
  cma_ledger_free (store->ledger);
  cma_ledger_latest_free (store->latest);
  g_mutex_clear (&store->writers);
  g_mutex_clear (&store->reading);
  g_free (store->dir);
  g_free (store->program);
  g_free (store);
}

void
cma_store_set_group (CmaStore *store, gint64 gid)
{
  store->group = gid;
  g_atomic_int_set (&store->prepared, FALSE); /* the next writer shares it */
}

void
cma_store_set_warn_func (CmaStore *store, CmaLedgerWarnFunc func, gpointer user_data)
{
  cma_ledger_set_warn_func (store->ledger, func, user_data);
}

const char *
cma_store_get_dir (CmaStore *store)
{
  return store->dir;
}

const char *
cma_store_get_ledger_path (CmaStore *store)
{
  return cma_ledger_get_path (store->ledger);
}

CmaLedger *
cma_store_get_ledger (CmaStore *store)
{
  return store->ledger;
}

gboolean
cma_store_check_dir (const char *dir, GError **error)
{
  GStatBuf st;

  if (g_stat (dir, &st) != 0)
    return cma_file_errno_error (error, errno, "examine state directory", dir);
  /* Whoever may write the directory may replace the ledger, and so
   * decide when we renew. */
  if ((st.st_mode & 022) != 0)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE,
                   "state directory %s is writable by group or others (mode %04o), who could "
                   "replace the ledger; fix: chmod go-w %s",
                   dir, (guint) (st.st_mode & 07777), dir);
      return FALSE;
    }
  return TRUE;
}

/* Setgid, so every file created in it belongs to the group without a
 * chown. */
static gboolean
share_dir (CmaStore *store, GError **error)
{
  if (store->group < 0)
    return TRUE;
  if (chown (store->dir, (uid_t) -1, (gid_t) store->group) != 0 || g_chmod (store->dir, 02750) != 0)
    return cma_file_errno_error (error, errno, "share state directory", store->dir);
  return TRUE;
}

/* Only writers create the state directory, so status and history run by a
 * monitoring agent leave nothing behind. Parents get ordinary modes; the
 * directory itself is private, since it tells who renewed what and when. */
static gboolean
make_dir (CmaStore *store, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (store->dir);

  if (g_mkdir_with_parents (parent, 0755) != 0 ||
      (g_mkdir (store->dir, 0700) != 0 && errno != EEXIST))
    return cma_file_errno_error (error, errno, "create state directory", store->dir);
  return share_dir (store, error) && cma_store_check_dir (store->dir, error);
}

/* make_dir() once per run, not once per connection of a fleet; threads
 * that race the first time both do it, which is harmless. */
static gboolean
prepare_dir (CmaStore *store, GError **error)
{
  if (g_atomic_int_get (&store->prepared))
    return TRUE;
  if (!make_dir (store, error))
    return FALSE;
  g_atomic_int_set (&store->prepared, TRUE);
  return TRUE;
}

/* Every file of the state is as readable as its directory: private (0600)
 * unless the directory was shared with a group (--state-group, by hand,
 * or by a unit's StateDirectoryMode), so a later write never takes the
 * group's read access away. */
static int
file_mode (CmaStore *store)
{
  GStatBuf st;

  if (g_stat (store->dir, &st) == 0 && (st.st_mode & S_IRGRP))
    return 0640;
  return 0600;
}

/* With --state-group a file written is the group's to read, even one an
 * earlier run left private. */
static gboolean
share_file (CmaStore *store, const char *path, GError **error)
{
  if (store->group < 0)
    return TRUE;
  if (chown (path, (uid_t) -1, (gid_t) store->group) != 0)
    return cma_file_errno_error (error, errno, "share", path);
  if (g_chmod (path, file_mode (store)) != 0)
    return cma_file_errno_error (error, errno, "set the mode of", path);
  return TRUE;
}

/* Root running a writer in a service's own state directory (renew or
 * record by hand, through sudo) must leave every file it creates there
 * to the directory's owner and group: a lock or attempts file left
 * root's 0600 made every later run of the service fail ("cannot open
 * lock file ... Permission denied") for good. Only a regular file root
 * owns with one link, so only a file of this directory: a hard link
 * planted to a file of root's elsewhere is never given away. */
static void
give_to_dir_owner (CmaStore *store, int fd)
{
  GStatBuf dir;
  struct stat st;

  if (geteuid () != 0 || g_stat (store->dir, &dir) != 0 || dir.st_uid == 0)
    return;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_nlink != 1 || st.st_uid != 0)
    return;
  /* Best effort: the write itself succeeded. */
  if (fchown (fd, dir.st_uid, dir.st_gid) != 0)
    return;
}

/* The same by name, never following a symlink put in its place. */
static void
give_path_to_dir_owner (CmaStore *store, const char *path)
{
  int fd;

  if (geteuid () != 0)
    return;
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return;
  give_to_dir_owner (store, fd);
  close (fd);
}

/* Under the writer lock, once per run: give the writer lock to the
 * directory's owner (above); remove the temporary files a
 * killed writer left of the attempts and facts files (the ledger sweeps
 * its own),
 * and PROG.index, a copy of the latest records development snapshots kept
 * that nothing reads any more, with its own, rather than leave a stale
 * copy for people to wonder about. Not at every write: the directory
 * holds a lock file per connection, and listing it for every write of a
 * fleet would be quadratic in the connections. */
static void
sweep_once (CmaStore *store)
{
  g_autofree char *attempts = cma_ledger_sibling_path (store->ledger, "attempts");
  g_autofree char *facts = cma_ledger_sibling_path (store->ledger, "facts");
  g_autofree char *index = cma_ledger_sibling_path (store->ledger, "index");
  g_autofree char *lock = cma_ledger_sibling_path (store->ledger, "lock");

  if (store->swept)
    return;
  give_path_to_dir_owner (store, lock);
  cma_file_remove_stale_replacements (attempts);
  cma_file_remove_stale_replacements (facts);
  g_unlink (index);
  cma_file_remove_stale_replacements (index);
  store->swept = TRUE;
}

/* Seconds left to wait for the writer lock; with writers held. The wait
 * is the run's, not each writer's: while another process holds the lock
 * (an administrator's flock while editing the ledger), the first writer
 * waits up to the timeout and those queued behind it only for what is
 * left, so a fleet of N due connections waits once, not N times. */
static guint
writer_wait_left (CmaStore *store)
{
  gint64 now = g_get_monotonic_time ();

  if (store->writer_deadline == 0)
    store->writer_deadline = now + (gint64) CMA_LEDGER_LOCK_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  if (now >= store->writer_deadline)
    return 0;
  return (guint) ((store->writer_deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* Take the writer lock, creating the directory as writers do; with
 * writers held. */
static gboolean
lock_writer (CmaStore *store, GError **error)
{
  if (!prepare_dir (store, error) ||
      !cma_ledger_lock (store->ledger, writer_wait_left (store), error))
    return FALSE;
  store->writer_deadline = 0; /* got it: the next wait is a new one */
  sweep_once (store);
  return TRUE;
}

/* Tell what this run read that the ledger grew by its own append (from
 * @before, or NULL), so its next read takes only the new line; with the
 * writer lock held, so nobody else wrote meanwhile. */
static void
note_own_append (CmaStore *store, const struct stat *before)
{
  struct stat after;
  gboolean known = g_stat (cma_ledger_get_path (store->ledger), &after) == 0;

  g_mutex_lock (&store->reading);
  if (store->latest != NULL)
    cma_ledger_latest_note_append (store->latest, before, known ? &after : NULL);
  g_mutex_unlock (&store->reading);
}

gboolean
cma_store_append (CmaStore *store, const CmaRenewal *renewal, GError **error)
{
  struct stat before;
  gboolean existed = FALSE;
  gboolean ok;

  g_mutex_lock (&store->writers);
  ok = lock_writer (store, error);
  if (ok)
    existed = g_stat (cma_ledger_get_path (store->ledger), &before) == 0;
  /* Shared before the record goes in: once it is in, a failure to share
   * must not report it as not recorded (renew would say to record it
   * again). A ledger the append creates has the mode and, in a setgid
   * directory, the group already; sharing it then is a best effort. */
  if (ok && existed)
    ok = share_file (store, cma_ledger_get_path (store->ledger), error);
  ok = ok && cma_ledger_append (store->ledger, renewal, file_mode (store), error);
  if (ok)
    note_own_append (store, existed ? &before : NULL);
  if (ok && !existed)
    share_file (store, cma_ledger_get_path (store->ledger), NULL);
  if (ok && !existed)
    give_path_to_dir_owner (store, cma_ledger_get_path (store->ledger));
  cma_ledger_unlock (store->ledger);
  g_mutex_unlock (&store->writers);
  return ok;
}

/* With reading held: the latest renewals, brought up to date. */
static CmaLedgerLatest *
catch_up (CmaStore *store, gboolean quiet, GError **error)
{
  if (store->latest == NULL)
    store->latest = cma_ledger_latest_new (G_MAXINT64);
  if (!cma_ledger_latest_catch_up (store->latest, store->ledger, quiet, error))
    return NULL;
  return store->latest;
}

gboolean
cma_store_last_renewed (CmaStore *store, const CmaConnection *conn, gboolean *known, CmaInstant *at,
                        GError **error)
{
  const CmaRenewal *last = NULL;
  CmaLedgerLatest *latest;

  g_mutex_lock (&store->reading);
  if ((latest = catch_up (store, TRUE, error)) != NULL)
    last = cma_ledger_latest_find (latest, conn);
  *known = last != NULL;
  *at = last != NULL ? last->at : 0;
  g_mutex_unlock (&store->reading);
  return latest != NULL;
}

CmaLedgerLatest *
cma_store_read_latest (CmaStore *store, GError **error)
{
  CmaLedgerLatest *latest;
  CmaLedgerLatest *copy = NULL;

  g_mutex_lock (&store->reading);
  if ((latest = catch_up (store, FALSE, error)) != NULL)
    copy = cma_ledger_latest_copy (latest);
  g_mutex_unlock (&store->reading);
  return copy;
}

CmaLedgerLatest *
cma_store_read_latest_at (CmaStore *store, CmaInstant at, GError **error)
{
  return cma_ledger_read_latest_at (store->ledger, at, error);
}

GPtrArray *
cma_store_load_failures (CmaStore *store, gboolean *damaged, GError **error)
{
  g_autofree char *path = cma_ledger_sibling_path (store->ledger, "attempts");

  return cma_attempts_load (path, damaged, error);
}

/* With the writer lock held, so no renewal can go in meanwhile: whether
 * the ledger holds a renewal of @conn's token later than @seen, the
 * latest the failed attempt knew of. Such a renewal was recorded by
 * another run while this one waited (and cleared the failures), so the
 * failure is old news. Not "at or after the attempt began": a renewal
 * recorded in that same second before the attempt read the ledger is no
 * news to it. When the ledger cannot be read, the failure is kept:
 * losing it is the worse mistake. */
static gboolean
renewed_since (CmaStore *store, const CmaConnection *conn, CmaMaybeInstant seen)
{
  gboolean known = FALSE;
  CmaInstant at = 0;

  return cma_store_last_renewed (store, conn, &known, &at, NULL) && known &&
         (!seen.known || at > seen.at);
}

/* Replace the sibling file @extension by @write under the writer lock,
 * with the state's mode and group; @write gets its path and the mode. */
typedef gboolean (*SiblingWriteFunc) (const char *path, int mode, gconstpointer data,
                                      GError **error);

static gboolean
write_sibling (CmaStore *store, const char *extension, SiblingWriteFunc write, gconstpointer data,
               GError **error)
{
  g_autofree char *path = cma_ledger_sibling_path (store->ledger, extension);
  gboolean ok;

  g_mutex_lock (&store->writers);
  ok = lock_writer (store, error) && write (path, file_mode (store), data, error) &&
       (!g_file_test (path, G_FILE_TEST_EXISTS) || share_file (store, path, error));
  if (ok)
    give_path_to_dir_owner (store, path);
  cma_ledger_unlock (store->ledger);
  g_mutex_unlock (&store->writers);
  return ok;
}

typedef struct {
  CmaStore *store;
  const CmaConnection *conn;
  CmaInstant started;   /* when the failed attempt began */
  CmaMaybeInstant seen; /* the latest renewal it knew of */
  const GError *failure;
  const CmaFacts *learnt;
} SiblingNote;

static gboolean
write_attempt (const char *path, int mode, gconstpointer data, GError **error)
{
  const SiblingNote *note = data;

  if (note->failure != NULL && renewed_since (note->store, note->conn, note->seen))
    return TRUE;
  if (note->failure != NULL)
    return cma_attempts_record_failure (path, note->conn, note->started, note->failure, mode,
                                        error);
  return cma_attempts_clear (path, note->conn, mode, error);
}

gboolean
cma_store_note_attempt (CmaStore *store, const CmaConnection *conn, CmaInstant started,
                        CmaMaybeInstant seen, const GError *failure, GError **error)
{
  const SiblingNote note = { store, conn, started, seen, failure, NULL };

  return write_sibling (store, "attempts", write_attempt, &note, error);
}

GPtrArray *
cma_store_load_facts (CmaStore *store, GError **error)
{
  g_autofree char *path = cma_ledger_sibling_path (store->ledger, "facts");

  return cma_facts_load (path, error);
}

static gboolean
write_facts (const char *path, int mode, gconstpointer data, GError **error)
{
  const SiblingNote *note = data;

  return cma_facts_note (path, note->conn, note->learnt, mode, error);
}

gboolean
cma_store_note_facts (CmaStore *store, const CmaConnection *conn, const CmaFacts *learnt,
                      GError **error)
{
  const SiblingNote note = { store, conn, 0, { FALSE, 0 }, NULL, learnt };

  return write_sibling (store, "facts", write_facts, &note, error);
}

struct _CmaLock {
  int fd;
};

/* "<ledger>.<16 hex>.lock": a hash rather than the URLs, which may hold
 * characters a file name cannot, and the ledger's own identity of a token,
 * so two connections naming the same token share one lock. */
static char *
connection_lock_path (CmaStore *store, const CmaConnection *conn)
{
  g_autofree char *key = g_strconcat (conn->server_url, "\n", conn->cloud_url, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  sum[16] = '\0';
  return g_strdup_printf ("%s.%s.lock", cma_ledger_get_path (store->ledger), sum);
}

CmaLock *
cma_store_lock_connection (CmaStore *store, const CmaConnection *conn, guint timeout_seconds,
                           GError **error)
{
  g_autofree char *path = connection_lock_path (store, conn);
  g_autofree char *busy =
      g_strdup_printf ("connection %s is being renewed by another run", conn->name);
  CmaLock *lock;
  int fd;

  /* The writers' checks: a directory others may write is refused. */
  if (!prepare_dir (store, error) || (fd = cma_file_lock (path, timeout_seconds, busy, error)) < 0)
    return NULL;
  give_to_dir_owner (store, fd);
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
