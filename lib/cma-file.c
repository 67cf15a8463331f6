/* SPDX-License-Identifier: MIT */
/* cma-file.c: bounded reads of regular files and crash-safe replacement. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"

/* Our temporary files are hidden: ".NAME.XXXXXX" beside NAME. 0.1.0
 * named them "NAME.XXXXXX", as GLib does, and removed every such name a
 * writer found, an administrator's "NAME.backup" among them; names of
 * our own cannot be confused with a copy someone made. */
#define TMP_SUFFIX_LEN 6

/* "DIR/.BASE." + @suffix for @path "DIR/BASE". */
static char *
replacement_name (const char *path, const char *suffix)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.%s", base, suffix);

  return g_build_filename (dir, name, NULL);
}

gboolean
cma_file_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot %s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

gboolean
cma_file_open_regular (const char *path, int *fd, struct stat *st, GError **error)
{
  struct stat local_st;
  int flags;

  if (st == NULL)
    st = &local_st;
  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
  *fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (*fd < 0)
    return errno == ENOENT || cma_file_errno_error (error, errno, "open", path);
  if (fstat (*fd, st) != 0)
    {
      int saved_errno = errno;

      close (*fd);
      *fd = -1;
      return cma_file_errno_error (error, saved_errno, "read", path);
    }
  if (!S_ISREG (st->st_mode))
    {
      close (*fd);
      *fd = -1;
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s is not a regular file", path);
      return FALSE;
    }
  flags = fcntl (*fd, F_GETFL);
  fcntl (*fd, F_SETFL, flags & ~O_NONBLOCK);
  return TRUE;
}

/* One file or directory of cma_file_check_trusted()'s chain. */
static gboolean
check_trusted_one (const char *what, const char *path, const char *name, GError **error)
{
  struct stat st;
  gboolean dir;

  if (stat (name, &st) != 0)
    return cma_file_errno_error (error, errno, "check", name);
  dir = S_ISDIR (st.st_mode);
  if (st.st_uid != 0 && st.st_uid != getuid ())
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                   "%s %s: %s%s belongs to uid %u, who could change what runs as root; "
                   "fix: chown root %s",
                   what, path, dir ? "directory " : "", name, (guint) st.st_uid, name);
      return FALSE;
    }
  if ((st.st_mode & 022) != 0 && !(dir && (st.st_mode & S_ISVTX)))
    {
      static const char *const who[] = { NULL, "others", "its group", "its group and others" };
      static const char *const bits[] = { NULL, "the o+w bit", "the g+w bit",
                                          "the g+w and o+w bits" };
      static const char *const fix[] = { NULL, "o-w", "g-w", "go-w" };
      guint i = ((st.st_mode & 020) ? 2 : 0) | ((st.st_mode & 002) ? 1 : 0);

      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                   "%s %s: %s%s is writable by %s (mode %04o, %s), who could change what runs "
                   "as root; fix: chmod %s %s",
                   what, path, dir ? "directory " : "", name, who[i], (guint) (st.st_mode & 07777),
                   bits[i], fix[i], name);
      return FALSE;
    }
  return TRUE;
}

gboolean
cma_file_check_trusted (const char *what, const char *path, GError **error)
{
  g_autofree char *real = NULL;
  g_autofree char *name = NULL;

  if (geteuid () != 0)
    return TRUE;
  if ((real = realpath (path, NULL)) == NULL)
    return cma_file_errno_error (error, errno, "check", path);
  /* The file, then each directory up to the root. */
  name = g_strdup (real);
  for (;;)
    {
      char *up;

      if (!check_trusted_one (what, path, name, error))
        return FALSE;
      if (strcmp (name, "/") == 0)
        return TRUE;
      up = g_path_get_dirname (name);
      g_free (name);
      name = up;
    }
}

static gboolean
read_fd_capped (int fd, const char *path, gsize max, GByteArray *out, GError **error)
{
  char buf[16384];

  for (;;)
    {
      gssize n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cma_file_errno_error (error, errno, "read", path);
      if (n == 0)
        return TRUE;
      if (out->len + (gsize) n > max)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_STATE,
                       "%s is larger than %" G_GSIZE_FORMAT " bytes", path, max);
          return FALSE;
        }
      g_byte_array_append (out, (const guint8 *) buf, n);
    }
}

gboolean
cma_file_read_capped (const char *path, gsize max, char **contents, gsize *length, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  int fd;
  gboolean ok;

  if (!cma_file_open_regular (path, &fd, NULL, error))
    return FALSE;
  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s does not exist", path);
      return FALSE;
    }
  ok = read_fd_capped (fd, path, max, bytes, error);
  close (fd);
  if (!ok)
    return FALSE;
  *length = bytes->len;
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
  return TRUE;
}

void
cma_line_reader_init (CmaLineReader *reader, int fd)
{
  off_t pos = lseek (fd, 0, SEEK_CUR);

  memset (reader, 0, sizeof *reader - sizeof reader->buf);
  reader->fd = fd;
  reader->base = pos > 0 ? (guint64) pos : 0;
}

guint64
cma_line_reader_offset (const CmaLineReader *reader)
{
  return reader->base + reader->start;
}

gssize
cma_file_pread (int fd, void *buf, gsize len, guint64 offset)
{
  gssize n;

  do
    n = pread (fd, buf, len, (off_t) offset);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Refill the buffer; FALSE at the end of the file or on error. */
static gboolean
refill (CmaLineReader *r, GError **error)
{
  gssize n;

  r->base += r->end;
  do
    n = read (r->fd, r->buf, sizeof r->buf);
  while (n < 0 && errno == EINTR);
  r->start = 0;
  r->eof = TRUE;
  if (n < 0)
    return cma_file_errno_error (error, errno, "read", "the file");
  r->end = n;
  r->eof = n == 0;
  return n > 0;
}

gboolean
cma_line_reader_next (CmaLineReader *r, GString *line, gsize max, gboolean *terminated,
                      gboolean *overlong, GError **error)
{
  gboolean any = FALSE;

  g_string_truncate (line, 0);
  *terminated = *overlong = FALSE;
  while (!r->eof)
    {
      const char *p = r->buf + r->start;
      const char *nl = memchr (p, '\n', r->end - r->start);
      gsize n = (nl != NULL ? nl : r->buf + r->end) - p;
      gsize room = line->len < max ? max - line->len : 0;

      any = any || n > 0 || nl != NULL;
      /* Keep at most @max bytes; a longer line is read through, not kept. */
      *overlong = *overlong || n > room;
      g_string_append_len (line, p, MIN (n, room));
      r->start += n;
      if (nl != NULL)
        {
          r->start++;
          *terminated = TRUE;
          break;
        }
      if (!refill (r, error))
        break;
    }
  if (any)
    r->number++;
  return any;
}

/* A new file that will replace @path: unnamed (O_TMPFILE) where possible,
 * else .BASE.XXXXXX beside it, in *@tmp_path. */
static int
create_replacement (const char *path, char **tmp_path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = -1;

  *tmp_path = NULL;
#ifdef O_TMPFILE
  /* Unnamed until committed: a kill -9 during the write leaves nothing.
   * Naming it later needs /proc (link_unnamed). */
  if (g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
#endif
  *tmp_path = replacement_name (path, "XXXXXX");
  fd = g_mkstemp_full (*tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      cma_file_errno_error (error, errno, "create a temporary file for", path);
      g_clear_pointer (tmp_path, g_free);
    }
  return fd;
}

/* The owner and group of the file replaced (root writing into a user's
 * state directory must not leave a file the user cannot read), and
 * @mode, whatever the umask. */
static gboolean
set_owner_and_mode (int fd, const char *path, const struct stat *old, int mode, GError **error)
{
  if (old != NULL && (old->st_uid != geteuid () || old->st_gid != getegid ()) &&
      fchown (fd, old->st_uid, old->st_gid) != 0 && errno != EPERM)
    return cma_file_errno_error (error, errno, "keep the owner of", path);
  if (fchmod (fd, mode) != 0)
    return cma_file_errno_error (error, errno, "set the mode of", path);
  return TRUE;
}

/* A name for the unnamed file @fd next to @path, ".BASE.XXXXXX". */
static char *
link_unnamed (int fd, const char *path, GError **error)
{
  g_autofree char *proc = g_strdup_printf ("/proc/self/fd/%d", fd);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *suffix = g_strdup_printf ("%06x", g_random_int () & 0xffffff);
      g_autofree char *name = replacement_name (path, suffix);

      if (linkat (AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
        return g_steal_pointer (&name);
      if (errno != EEXIST)
        break;
    }
  cma_file_errno_error (error, errno, "name the temporary file for", path);
  return NULL;
}

gboolean
cma_file_sync_dir (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return cma_file_errno_error (error, errno, "open", dir);
  ok = fsync (fd) == 0 || cma_file_errno_error (error, errno, "sync", dir);
  close (fd);
  return ok;
}

/* Give the replacement @fd its owner and mode, fsync it and rename it
 * over @path, then fsync the directory, so after a crash @path is the
 * old file or the new one, whole. */
static gboolean
commit (int fd, const char *tmp_path, const char *path, const struct stat *old, int mode,
        GError **error)
{
  g_autofree char *name = tmp_path != NULL ? g_strdup (tmp_path) : NULL;

  if (!set_owner_and_mode (fd, path, old, mode, error))
    return FALSE;
  if (fsync (fd) != 0)
    return cma_file_errno_error (error, errno, "sync", path);
  if (name == NULL && (name = link_unnamed (fd, path, error)) == NULL)
    return FALSE;
  if (rename (name, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (name);
      return cma_file_errno_error (error, saved_errno, "replace", path);
    }
  /* The rename is durable only once the directory is. */
  return cma_file_sync_dir (path, error);
}

gboolean
cma_file_write_all (int fd, const char *data, gsize len, const char *path, GError **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cma_file_errno_error (error, errno, "write", path);
      data += n;
      len -= n;
    }
  return TRUE;
}

gboolean
cma_file_replace_contents (const char *path, const char *data, gsize len, int mode, GError **error)
{
  g_autofree char *tmp_path = NULL;
  struct stat old;
  int in, out;
  gboolean ok;

  if (!cma_file_open_regular (path, &in, &old, error))
    return FALSE;
  if (in >= 0)
    close (in);
  out = create_replacement (path, &tmp_path, error);
  ok = out >= 0 && cma_file_write_all (out, data, len, path, error) &&
       commit (out, tmp_path, path, in >= 0 ? &old : NULL, mode, error);
  if (out >= 0)
    close (out);
  if (!ok && tmp_path != NULL)
    g_unlink (tmp_path);
  return ok;
}

/* Waits between tries: from 1 ms, doubling up to 50 ms. Threads of one
 * run hand the ledger's lock round (renew --jobs: each worker's ledger
 * write, the main thread's note of each attempt), each holding it a few
 * milliseconds (one fsync); a fixed 50 ms made each such wait cost many
 * times the hold. A long hold (another run renewing) is still tried only
 * 20 times a second. A blocking flock on a helper thread would wake at
 * once, but one whose caller gave up at its deadline could only be left
 * blocked, to take the lock for a moment when it comes free, making a
 * later try without waiting fail for nothing. */
#define LOCK_FIRST_WAIT_USEC 1000
#define LOCK_MAX_WAIT_USEC   (G_USEC_PER_SEC / 20)

int
cma_file_lock (const char *path, guint timeout_seconds, const char *busy, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gulong wait = LOCK_FIRST_WAIT_USEC;
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cma_file_errno_error (error, errno, "open lock file", path), -1;
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EWOULDBLOCK && g_get_monotonic_time () < deadline)
        {
          g_usleep (wait);
          wait = MIN (2 * wait, LOCK_MAX_WAIT_USEC);
          continue;
        }
      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, CMA_ERROR, CMA_ERROR_LOCKED, "%s%s; try again later", busy,
                     timeout_seconds > 0 ? " that did not finish in time" : "");
      else
        cma_file_errno_error (error, saved_errno, "lock", path);
      return -1;
    }
  return fd;
}

/* ".BASE." and six letters or digits: a temporary file of ours. */
static gboolean
is_replacement_of (const char *name, const char *base)
{
  gsize len = strlen (base);

  if (name[0] != '.' || strncmp (name + 1, base, len) != 0 || name[len + 1] != '.' ||
      strlen (name) != len + 2 + TMP_SUFFIX_LEN)
    return FALSE;
  for (const char *p = name + len + 2; *p; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

/* Whether @name in @dir is a replacement nobody is writing any more: a
 * regular file of ours, unchanged for @min_age seconds. */
static gboolean
is_abandoned (const char *dir, const char *name, gint64 min_age)
{
  g_autofree char *full = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (full, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == geteuid () &&
         (gint64) st.st_mtime <= g_get_real_time () / G_USEC_PER_SEC - min_age;
}

void
cma_file_remove_abandoned_replacements (const char *path, gint64 min_age)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (is_replacement_of (name, base) && is_abandoned (dir, name, min_age))
      {
        g_autofree char *stale = g_build_filename (dir, name, NULL);

        g_unlink (stale);
      }
}

void
cma_file_remove_stale_replacements (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (is_replacement_of (name, base))
      {
        g_autofree char *stale = g_build_filename (dir, name, NULL);

        g_unlink (stale);
      }
}
