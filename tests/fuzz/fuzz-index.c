/* SPDX-License-Identifier: MIT */
/* fuzz-index.c: PROG.index, the latest renewal of each token beside the
 * ledger, read by cma_ledger_read_latest() as status does. Whoever can
 * write the state directory can write it, so it is parsed as untrusted.
 *
 * Input: the index. The ledger beside it is fixed (written once); so that
 * inputs can pass the header's checks of the ledger and reach the record
 * lines, the harness replaces "@DEV@", "@INO@", "@SIZE@", "@MTIME@" and
 * "@TAIL@" in the input with the ledger's own values (the seeds use them).
 *
 * Oracles besides crashes and GLib messages: every skipped-line report is
 * one line without control characters (it reaches a terminal), and every
 * latest renewal found has the members a record must have. What a forged
 * index says it need not match the ledger: the index is trusted when its
 * header describes the ledger, by design. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cma-ledger-latest.h"
#include "cma-text.h"
#include "fuzz.h"

#define PROGRAM "fcma-token"

static const char ledger_text[] =
    "{\"at\":\"2026-10-01T10:00:00Z\",\"connection\":\"prod\",\"server_url\":"
    "\"https://jira.example.com/\",\"cloud_url\":\"https://acme.atlassian.net/\","
    "\"method\":\"manual\",\"user\":\"root\"}\n"
    "not a record\n"
    "{\"at\":\"2026-10-20T10:00:00Z\",\"connection\":\"stage\",\"server_url\":"
    "\"https://jira-stage.example.com/\",\"cloud_url\":\"https://acme.atlassian.net/\","
    "\"method\":\"api\",\"user\":\"cma\"}\n"
    "{\"at\":\"2026-11-10T10:00:00Z\",\"connection\":\"prod\",\"server_url\":"
    "\"https://jira.example.com/\",\"cloud_url\":\"https://acme.atlassian.net/\","
    "\"method\":\"api\",\"user\":\"cma\"}\n";

static const CmaConnection connections[] = {
  { .server_url = (char *) "https://jira.example.com/",
    .cloud_url = (char *) "https://acme.atlassian.net/" },
  { .server_url = (char *) "https://jira-stage.example.com/",
    .cloud_url = (char *) "https://acme.atlassian.net/" },
  { .server_url = (char *) "https://other.example.com/",
    .cloud_url = (char *) "https://acme.atlassian.net/" },
};

/* The ledger's values for the placeholders, found once. */
static const char *const placeholders[] = { "@DEV@", "@INO@", "@SIZE@", "@MTIME@", "@TAIL@" };
static char *values[G_N_ELEMENTS (placeholders)];

/* Write the ledger and note what its index header must say of it. */
static void
write_ledger (void)
{
  g_autofree char *path =
      fuzz_write_file (PROGRAM ".ledger", (const uint8_t *) ledger_text, strlen (ledger_text));
  gsize len = strlen (ledger_text);
  gsize start = len > 4096 ? len - 4096 : 0;
  struct stat st;

  if (stat (path, &st) != 0)
    abort ();
  values[0] = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) st.st_dev);
  values[1] = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) st.st_ino);
  values[2] = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_size);
  values[3] = g_strdup_printf ("%" G_GINT64_FORMAT,
                               (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) +
                                   st.st_mtim.tv_nsec);
  values[4] = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) ledger_text + start,
                                           len - start);
}

static void
on_warning (const char *message, gpointer user_data)
{
  (void) user_data;
  if (message == NULL || strchr (message, '\n') != NULL || cma_text_has_control (message))
    abort ();
}

static void
check_renewal (const CmaRenewal *r)
{
  if (r != NULL && (r->server_url == NULL || r->cloud_url == NULL || r->method == NULL))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gsize once = 0;
  g_autoptr (CmaLedger) ledger = cma_ledger_new (fuzz_tmp_dir (), PROGRAM);
  g_autoptr (GString) index = g_string_new_len ((const char *) data, (gssize) size);
  g_autoptr (CmaLedgerLatest) latest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fuzz_make_logs_fatal ();
  if (g_once_init_enter (&once))
    {
      write_ledger ();
      g_once_init_leave (&once, 1);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (placeholders); i++)
    g_string_replace (index, placeholders[i], values[i], 0);
  path = fuzz_write_file (PROGRAM ".index", (const uint8_t *) index->str, index->len);
  cma_ledger_set_warn_func (ledger, on_warning, NULL);
  latest = cma_ledger_read_latest (ledger, &error);
  if (latest == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (connections); i++)
    check_renewal (cma_ledger_latest_find (latest, &connections[i]));
  return 0;
}
