/* SPDX-License-Identifier: MIT */
/* cma-file.h: reading and replacing files that others may have tampered
 * with.
 *
 * A path may name /dev/zero, a FIFO or a huge file: only regular files
 * are read, a FIFO is opened without blocking, and every read is capped
 * while reading, not by a size looked up beforehand. Replacement goes
 * through an unnamed temporary file where the kernel has them, so a kill
 * leaves nothing behind, and keeps the owner of the file replaced.
 */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Set @error to CMA_ERROR_STATE "cannot @what @path: strerror(@saved_errno)"
 * and return FALSE: the one wording of a failed call on a state file. */
gboolean cma_file_errno_error (GError **error, int saved_errno, const char *what, const char *path);

/* Open @path for reading into *@fd, or -1 when it does not exist; a path
 * that is not a regular file is a CMA_ERROR_STATE error (the caller
 * re-labels it). @st, if not NULL, gets its status. */
gboolean cma_file_open_regular (const char *path, int *fd, struct stat *st, GError **error);

/* As sshd's StrictModes and sudo do for what they run as root: when the
 * process runs as root, fail (CMA_ERROR_CONFIG) unless @path, after
 * symbolic links, and every directory above it are owned by root or the
 * invoking user and writable by no one else (a sticky directory such as
 * /tmp may be writable by all: its other users cannot replace what root
 * owns in it). @what names the file in the message ("configuration",
 * "hook"), which says which file, which owner or which bit, and the fix.
 * Not running as root: TRUE, nothing checked. */
gboolean cma_file_check_trusted (const char *what, const char *path, GError **error);

/* All of regular file @path, at most @max bytes, NUL-terminated; a larger
 * file is an error. G_FILE_ERROR_NOENT (G_FILE_ERROR) when absent. */
gboolean cma_file_read_capped (const char *path, gsize max, char **contents, gsize *length,
                               GError **error);

/* Lines of a file, read through a fixed buffer. */
typedef struct {
  int fd;
  guint number; /* of the line last returned, 1-based */
  guint64 base; /* file offset of buf[0]: the fd's offset at init */
  gboolean eof;
  gsize start, end;
  char buf[16384];
} CmaLineReader;

void cma_line_reader_init (CmaLineReader *reader, int fd);
/* The file offset just past the line last returned (its '\n' included):
 * where the next line starts. */
guint64 cma_line_reader_offset (const CmaLineReader *reader);
/* The next line, without its '\n', into @line (at most @max bytes kept:
 * *@overlong is set when more were dropped); *@terminated is FALSE for a
 * last line without '\n'. FALSE at the end or on error. */
gboolean cma_line_reader_next (CmaLineReader *reader, GString *line, gsize max,
                               gboolean *terminated, gboolean *overlong, GError **error);

/* fsync the directory holding @path, so a file created there (or a
 * rename) survives a crash. */
gboolean cma_file_sync_dir (const char *path, GError **error);
/* Write all of @data to @fd (for messages, @path names the file). */
gboolean cma_file_write_all (int fd, const char *data, gsize len, const char *path, GError **error);
/* pread(), again when a signal interrupts it: the bytes read (fewer at the
 * end of the file), or -1 with errno set. */
gssize cma_file_pread (int fd, void *buf, gsize len, guint64 offset);
/* Replace @path with @data as a whole: written to a temporary file beside
 * it, made durable and renamed over it, so a reader (or a crash) sees the
 * old file or the new one, never half of either. The file gets @mode
 * whatever the umask, and the owner and group of the file it replaces
 * (as far as we may). The one writer of every file replaced whole
 * (attempts, status --output-file); callers serialise writers with their
 * own lock. */
gboolean cma_file_replace_contents (const char *path, const char *data, gsize len, int mode,
                                    GError **error);

/* Open lock file @path (created 0600; O_NOFOLLOW, so a planted symlink
 * cannot make us create or truncate a file elsewhere) and take an
 * exclusive flock on it, waiting up to @timeout_seconds (0: not at all;
 * tries after 1 ms, then twice as long each time up to 50 ms) rather than
 * for ever, so a run stuck on a dead network never holds later runs
 * hostage. When it stays taken: CMA_ERROR_LOCKED, "@busy[ that did not
 * finish in time]; try again later". The descriptor, or -1; closing it
 * releases the lock. */
int cma_file_lock (const char *path, guint timeout_seconds, const char *busy, GError **error);

/* Remove temporary files (.BASE.XXXXXX beside @path) a killed writer
 * left; call only while holding the lock that serialises writers of @path. */
void cma_file_remove_stale_replacements (const char *path);
/* The same without a lock (status --output-file): only those of ours
 * (owned by the effective user, regular files) unchanged for at least
 * @min_age seconds, so a replacement another run is writing right now is
 * left alone. */
void cma_file_remove_abandoned_replacements (const char *path, gint64 min_age);

G_END_DECLS
