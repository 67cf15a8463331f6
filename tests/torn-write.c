/* SPDX-License-Identifier: MIT */
/* torn-write.so: an LD_PRELOAD shim that kills the process in the middle
 * of a write, as a power cut or kill -9 would. With TORN_WRITE=ledger it
 * writes the first half of a record to the ledger (a write() to a file
 * named *.ledger starting with '{') and then raises SIGKILL; with
 * TORN_WRITE=index it dies as the index is written (a write() starting
 * with '{"version"'), after the record was committed. This is how
 * tests/cli-crash.sh shows that a kill at those instants loses no
 * committed renewal. Test-only; never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write (int fd, const void *buf, size_t count);

static int
is_ledger (int fd)
{
  char link[64], path[4096];
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, path, sizeof path - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return n > 7 && strcmp (path + n - 7, ".ledger") == 0;
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
  if (strcmp (mode, "index") == 0 && count > 10 && memcmp (buf, "{\"version\"", 10) == 0)
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
