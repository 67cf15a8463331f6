/* SPDX-License-Identifier: MIT */
/* support.c: what the fuzz targets share: fatal logs, temporary files. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static char *tmp_dir;

static void
abort_on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (!(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)))
    {
      g_log_default_handler (domain, level, message, data);
      return;
    }
  fprintf (stderr, "%s-%s **: %s\n", domain ? domain : "?",
           level & G_LOG_LEVEL_WARNING ? "WARNING" : "CRITICAL", message);
  abort ();
}

void
fuzz_make_logs_fatal (void)
{
  g_log_set_default_handler (abort_on_log, NULL);
}

/* Remove the files the targets wrote, then the directory. */
static void
remove_tmp_dir (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

const char *
fuzz_tmp_dir (void)
{
  if (tmp_dir == NULL)
    {
      tmp_dir = g_dir_make_tmp ("cma-fuzz-XXXXXX", NULL);
      if (tmp_dir == NULL)
        abort ();
      atexit (remove_tmp_dir);
    }
  return tmp_dir;
}

char *
fuzz_write_file (const char *name, const uint8_t *data, size_t size)
{
  char *path = g_build_filename (fuzz_tmp_dir (), name, NULL);

  /* No fsync: the file lives for one input, and syncing each one would
   * cap a target at a few hundred inputs a second. */
  if (!g_file_set_contents_full (path, (const char *) data, (gssize) size, G_FILE_SET_CONTENTS_NONE,
                                 0600, NULL))
    abort ();
  return path;
}
