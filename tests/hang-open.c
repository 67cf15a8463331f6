/* SPDX-License-Identifier: MIT */
/* hang-open.so: an LD_PRELOAD shim that makes opening any path under a
 * directory named "hung-nfs" block forever, as a stalled NFS mount does.
 * The ledger reader refuses FIFOs and other non-regular files, so this is
 * how tests/cli-check.sh shows that the plugin's -t still answers when a
 * read never returns. Test-only; never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int open (const char *path, int flags, ...);
int openat (int dirfd, const char *path, int flags, ...);
int open64 (const char *path, int flags, ...);
int openat64 (int dirfd, const char *path, int flags, ...);

static void
maybe_hang (const char *path)
{
  if (path != NULL && strstr (path, "/hung-nfs/") != NULL)
    for (;;)
      pause ();
}

static mode_t
mode_arg (int flags, va_list ap)
{
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t) va_arg (ap, int) : 0;
}

#define FORWARD_OPEN(name)                                                                         \
  int name (const char *path, int flags, ...)                                                      \
  {                                                                                                \
    static int (*real) (const char *, int, ...);                                                   \
    va_list ap;                                                                                    \
    mode_t mode;                                                                                   \
                                                                                                   \
    va_start (ap, flags);                                                                          \
    mode = mode_arg (flags, ap);                                                                   \
    va_end (ap);                                                                                   \
    maybe_hang (path);                                                                             \
    if (real == NULL)                                                                              \
      real = (int (*) (const char *, int, ...)) dlsym (RTLD_NEXT, #name);                          \
    return real (path, flags, mode);                                                               \
  }

#define FORWARD_OPENAT(name)                                                                       \
  int name (int dirfd, const char *path, int flags, ...)                                           \
  {                                                                                                \
    static int (*real) (int, const char *, int, ...);                                              \
    va_list ap;                                                                                    \
    mode_t mode;                                                                                   \
                                                                                                   \
    va_start (ap, flags);                                                                          \
    mode = mode_arg (flags, ap);                                                                   \
    va_end (ap);                                                                                   \
    maybe_hang (path);                                                                             \
    if (real == NULL)                                                                              \
      real = (int (*) (int, const char *, int, ...)) dlsym (RTLD_NEXT, #name);                     \
    return real (dirfd, path, flags, mode);                                                        \
  }

FORWARD_OPEN (open)
FORWARD_OPEN (open64)
FORWARD_OPENAT (openat)
FORWARD_OPENAT (openat64)
