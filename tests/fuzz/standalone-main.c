/* SPDX-License-Identifier: MIT */
/* standalone-main.c: run a fuzz target over files without libFuzzer, as
 * oss-fuzz's StandaloneFuzzTargetMain and curl's fuzzers do, so `make
 * check` replays every seed and every reproducer in a normal build.
 *
 * With arguments, each file or directory named is run. Without, the
 * target's corpus/ and regress/ folders under $G_TEST_SRCDIR/fuzz are.
 * Each input runs in a child process, so one crash does not hide the
 * next and the TAP line names the input and the signal. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target (config, ledger ...)"
#endif

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Add @path, or the files in it when it is a directory, sorted. */
static void
collect (GPtrArray *inputs, const char *path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (inputs, g_strdup (path));
      return;
    }
  if ((dir = g_dir_open (path, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (inputs, g_strdup (names->pdata[i]));
}

/* Run the target on @path in a child; "" when it returned, else what
 * went wrong. */
static char *
run_one (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  int status = 0;
  pid_t pid;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return g_strdup ("cannot read");
  fflush (NULL);
  if ((pid = fork ()) < 0)
    return g_strdup ("cannot fork");
  if (pid == 0)
    {
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
      fflush (NULL);
      _exit (0);
    }
  if (waitpid (pid, &status, 0) != pid)
    return g_strdup ("lost the child");
  if (WIFSIGNALED (status))
    return g_strdup_printf ("killed by signal %d", WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
  return g_strdup ("");
}

/* @path without the $G_TEST_SRCDIR/ in front: "fuzz/regress/url/…". */
static const char *
shown_name (const char *path, const char *srcdir)
{
  gsize len = srcdir ? strlen (srcdir) : 0;

  if (len > 0 && strncmp (path, srcdir, len) == 0 && path[len] == G_DIR_SEPARATOR)
    return path + len + 1;
  return path;
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  for (int i = 1; i < argc; i++)
    collect (inputs, argv[i]);
  if (argc < 2)
    {
      g_autofree char *corpus =
          g_build_filename (srcdir ? srcdir : "tests", "fuzz", "corpus", FUZZ_TARGET, NULL);
      g_autofree char *regress =
          g_build_filename (srcdir ? srcdir : "tests", "fuzz", "regress", FUZZ_TARGET, NULL);
      collect (inputs, corpus);
      collect (inputs, regress);
    }
  if (inputs->len == 0)
    {
      printf ("1..0 # SKIP no inputs for fuzz target %s\n", FUZZ_TARGET);
      return 0;
    }
  printf ("1..%u\n", inputs->len);
  for (guint i = 0; i < inputs->len; i++)
    {
      g_autofree char *failure = run_one (inputs->pdata[i]);

      printf ("%s %u - %s%s%s\n", *failure ? "not ok" : "ok", i + 1,
              shown_name (inputs->pdata[i], srcdir), *failure ? ": " : "", failure);
    }
  return 0;
}
