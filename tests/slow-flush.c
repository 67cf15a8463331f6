/* SPDX-License-Identifier: MIT */
/* slow-flush.so: an LD_PRELOAD shim that, with SLOW_FLUSH=SECONDS, sleeps
 * that long after the first fflush (stdout) that writes something, as a
 * slow pipe or a descheduled process would between writing an answer and
 * what follows it. This is how tests/cli-check.sh shows that the
 * plugin's -t alarm cannot add a second line after the answer: the alarm
 * fires exactly there. Test-only; never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <unistd.h>

int fflush (FILE *stream);

int
fflush (FILE *stream)
{
  static int (*real) (FILE *);
  static int slept;
  const char *seconds = getenv ("SLOW_FLUSH");
  int pending = stream == stdout && __fpending (stdout) > 0;
  int result;

  if (real == NULL)
    real = (int (*) (FILE *)) dlsym (RTLD_NEXT, "fflush");
  result = real (stream);
  if (pending && seconds != NULL && !slept)
    {
      slept = 1;
      sleep ((unsigned) atoi (seconds));
    }
  return result;
}
