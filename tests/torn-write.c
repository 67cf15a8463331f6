/* SPDX-License-Identifier: MIT */
/* torn-write.so: an LD_PRELOAD shim that kills the process in the middle
 * of a write, as a power cut or kill -9 would. With TORN_WRITE=ledger it
 * writes the first half of a record to the ledger (a write() to a file
 * named *.ledger starting with '{') and then raises SIGKILL; with
 * TORN_WRITE=replacement it dies half-way through writing a file that is
 * to replace another (an unnamed O_TMPFILE, or a .NAME.XXXXXX beside it:
 * lib/cma-file.c). This is how tests/cli-crash.sh shows that a kill at
 * those instants loses no committed renewal and leaves every replaced
 * file whole. Test-only; never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write (int fd, const void *buf, size_t count);

/* The path @fd is open on, as /proc tells it, in @path. */
static size_t
path_of (int fd, char *path, size_t size)
{
  char link[64];
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, path, size - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return (size_t) n;
}

static int
is_ledger (int fd)
{
  char path[4096];
  size_t n = path_of (fd, path, sizeof path);

  return n > 7 && strcmp (path + n - 7, ".ledger") == 0;
}

/* An unnamed file ("/dir/#123 (deleted)") or a ".NAME.XXXXXX". */
static int
is_replacement (int fd)
{
  char path[4096];
  size_t n = path_of (fd, path, sizeof path);
  const char *base = strrchr (path, '/');

  return n > 10 && (strcmp (path + n - 10, " (deleted)") == 0 || (base != NULL && base[1] == '.'));
}

/* Whether this write is the one to die in, and how much of it to write. */
static size_t
torn_length (int fd, const char *buf, size_t count)
{
  const char *mode = getenv ("TORN_WRITE");

  if (mode == NULL || count == 0)
    return count + 1;
  if (strcmp (mode, "ledger") == 0 && buf[0] == '{' && is_ledger (fd))
    return count / 2;
  if (strcmp (mode, "replacement") == 0 && count > 1 && is_replacement (fd))
    return count / 2;
  return count + 1;
}

ssize_t
write (int fd, const void *buf, size_t count)
{
  static ssize_t (*real) (int, const void *, size_t);
  size_t torn = torn_length (fd, buf, count);

  if (real == NULL)
    real = (ssize_t (*) (int, const void *, size_t)) dlsym (RTLD_NEXT, "write");
  if (torn > count)
    return real (fd, buf, count);
  real (fd, buf, torn);
  raise (SIGKILL);
  return -1;
}
