/* SPDX-License-Identifier: MIT */
/* cma-cli-check.c: the program as a Nagios/Icinga plugin. Installed as
 * check_jcma_token (a link to jcma-token), it takes the plugin options
 * of the monitoring-plugins guidelines, where -c is the critical
 * threshold and not the configuration, and prints what "status -o
 * nagios" prints: one line, with performance data. Whatever goes wrong,
 * usage included, is one UNKNOWN line on stdout and exit 3, the only
 * channel and the only status a monitoring system reads. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cma-cli-private.h"
#include "cma-error.h"

/* Monitoring-plugins' default, and what Nagios waits before killing a
 * plugin (service_check_timeout is 60): long enough for a ledger on a
 * slow disk, short enough to answer before Nagios gives up. */
#define DEFAULT_TIMEOUT 10

typedef struct {
  CmaCli *cli;
  int timeout;
  gboolean help;
  gboolean version;
} CheckArgs;

/* Written by the SIGALRM handler, so prepared before alarm() is armed. */
static char *timeout_line;
static gsize timeout_line_len;
/* Where the handler writes: the real standard output while the check's
 * own answer goes to a buffer (run_check ()). */
static int timeout_fd = STDOUT_FILENO;
/* Set, with SIGALRM blocked, once the check's answer is final: from then
 * on the alarm says nothing, so one answer is ever written. */
static volatile sig_atomic_t answered;

static gboolean
set_warning (const char *name, const char *value, gpointer data, GError **error)
{
  return cma_cli_parse_days (name, value, &((CheckArgs *) data)->cli->warning_days, error);
}

static gboolean
set_critical (const char *name, const char *value, gpointer data, GError **error)
{
  return cma_cli_parse_days (name, value, &((CheckArgs *) data)->cli->critical_days, error);
}

static gboolean
set_timeout (const char *name, const char *value, gpointer data, GError **error)
{
  guint64 seconds;

  if (!g_ascii_string_to_unsigned (value, 10, 1, 3600, &seconds, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s needs a number of seconds from 1 to 3600, not '%s'", name, value);
      return FALSE;
    }
  ((CheckArgs *) data)->timeout = (int) seconds;
  return TRUE;
}

/* Only help and version fill CheckArgs directly; the rest is CmaCli's. */
static GOptionEntry *
check_options (CheckArgs *args)
{
  CmaCli *cli = args->cli;
  const GOptionEntry entries[] = {
    { "warning", 'w', 0, G_OPTION_ARG_CALLBACK, set_warning,
      "WARNING when DAYS or fewer remain (5)", "DAYS" },
    { "critical", 'c', 0, G_OPTION_ARG_CALLBACK, set_critical,
      "CRITICAL when DAYS or fewer remain (0)", "DAYS" },
    { "connection", 'C', 0, G_OPTION_ARG_STRING_ARRAY, &cli->connection_names,
      "Check connection NAME only (repeatable; default: all)", "NAME" },
    { "timeout", 't', 0, G_OPTION_ARG_CALLBACK, set_timeout, "UNKNOWN after SECONDS (10)",
      "SECONDS" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &cli->config_path, "Read configuration from FILE",
      "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &cli->state_dir, "Read the renewal ledger in DIR",
      "DIR" },
    { "server-url", 0, 0, G_OPTION_ARG_STRING, &cli->server_url,
      "Server base URL, for a connection named 'default'", "URL" },
    { "cloud-url", 0, 0, G_OPTION_ARG_STRING, &cli->cloud_url,
      "Cloud site URL, for a connection named 'default'", "URL" },
    { "at", 0, 0, G_OPTION_ARG_STRING, &cli->at, "Evaluate at TIME instead of now (ISO 8601)",
      "TIME" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &args->version, "Show version", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &args->help, "Show this help", NULL },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

static const char check_description[] =
    "Thresholds are days left before the token expires; the performance\n"
    "data counts seconds, so a WARNING threshold of 5 reads \"@~:432000\"\n"
    "(alert at 432000 seconds left or fewer).\n\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (nothing recorded,\n"
    "a usage error, a timeout, or the plugin itself failed; -h and -V too).\n";

static GOptionContext *
check_context (const CmaProduct *product, CheckArgs *args, GOptionEntry *entries)
{
  GOptionContext *ctx = g_option_context_new (NULL);
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, args, NULL);
  g_autofree char *summary = NULL;

  /* GOption's own --help exits 0; a plugin's help exits 3 like any
   * answer that is not a check result. */
  g_option_context_set_help_enabled (ctx, FALSE);
  summary = g_strdup_printf ("Check how long the %s (%s) container token stays usable: a\n"
                             "Nagios/Icinga plugin. See %s(1), NAGIOS PLUGIN.",
                             product->assistant_name, product->assistant_abbrev, product->program);
  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, check_description);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (ctx, group);
  return ctx;
}

static int
unknown (const CmaProduct *product, const char *message)
{
  g_autofree char *line = cma_output_status_failure (product, CMA_OUTPUT_NAGIOS, message);

  fputs (line, stdout);
  return CMA_EXIT_UNKNOWN;
}

static void
on_alarm (int signum)
{
  if (answered)
    return;
  /* Only async-signal-safe calls: the line was formatted beforehand. */
  if (write (timeout_fd, timeout_line, timeout_line_len) < 0)
    _exit (CMA_EXIT_UNKNOWN);
  _exit (CMA_EXIT_UNKNOWN);
}

/* A ledger locked or on a hung file system must not leave the monitoring
 * system without an answer: after @seconds the process says UNKNOWN and
 * exits, whatever it was waiting for. */
static void
arm_timeout (const CmaProduct *product, int seconds)
{
  g_autofree char *message =
      g_strdup_printf ("timed out after %d second%s", seconds, seconds == 1 ? "" : "s");
  struct sigaction sa = { .sa_handler = on_alarm };

  g_free (timeout_line);
  timeout_line = cma_output_status_failure (product, CMA_OUTPUT_NAGIOS, message);
  timeout_line_len = strlen (timeout_line);
  fflush (stdout);
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
  alarm ((unsigned) seconds);
}

/* Standard output into a memory file until the answer is final; the
 * real one as the returned descriptor, or -1 (errno set). */
static int
buffer_stdout (void)
{
  int real = dup (STDOUT_FILENO);
  int memory = memfd_create ("check-answer", MFD_CLOEXEC);
  int saved;

  if (real >= 0 && memory >= 0 && dup2 (memory, STDOUT_FILENO) >= 0)
    {
      close (memory);
      return real;
    }
  saved = errno;
  if (real >= 0)
    close (real);
  if (memory >= 0)
    close (memory);
  errno = saved;
  return -1;
}

/* The alarm silenced for good (blocked while the flag is set, so it either
 * answered already, and this process is gone, or never will). */
static void
silence_alarm (void)
{
  sigset_t block, old;

  sigemptyset (&block);
  sigaddset (&block, SIGALRM);
  sigprocmask (SIG_BLOCK, &block, &old);
  alarm (0);
  answered = 1;
  sigprocmask (SIG_SETMASK, &old, NULL);
}

/* Standard output back to @real, with what was buffered written to it. */
static gboolean
release_stdout (int real, GError **error)
{
  g_autoptr (GIOChannel) memory = g_io_channel_unix_new (dup (STDOUT_FILENO));
  g_autofree char *text = NULL;
  gsize len = 0, done = 0;

  dup2 (real, STDOUT_FILENO);
  close (real);
  g_io_channel_set_close_on_unref (memory, TRUE);
  lseek (g_io_channel_unix_get_fd (memory), 0, SEEK_SET);
  if (g_io_channel_set_encoding (memory, NULL, error) != G_IO_STATUS_NORMAL ||
      g_io_channel_read_to_end (memory, &text, &len, error) != G_IO_STATUS_NORMAL)
    return FALSE;
  while (done < len)
    {
      ssize_t n = write (STDOUT_FILENO, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static int
run_check (CmaCli *cli, int timeout)
{
  g_autoptr (GError) error = NULL;
  CmaInstant at;
  int status, real;

  /* status reports a bad --at on stderr only; a plugin must say it on stdout. */
  if (!cma_cli_parse_at (cli, &at, &error))
    return unknown (cli->product, error->message);
  cli->output = g_strdup ("nagios");
  /* The answer is buffered and written once, after the alarm is silenced:
   * an alarm between writing it and cancelling the alarm once added a
   * second line, "UNKNOWN - timed out", and exit 3. */
  fflush (stdout);
  if ((real = buffer_stdout ()) < 0)
    {
      g_autofree char *message =
          g_strdup_printf ("cannot buffer the answer: %s", g_strerror (errno));
      return unknown (cli->product, message);
    }
  timeout_fd = real;
  arm_timeout (cli->product, timeout);
  /* On failure status has printed the UNKNOWN line already. */
  status = cma_cli_cmd_status.run (cli, &error);
  fflush (stdout);
  silence_alarm ();
  g_clear_error (&error);
  if (!release_stdout (real, &error))
    {
      g_printerr ("%s: cannot write the answer: %s\n", g_get_prgname (), error->message);
      return CMA_EXIT_UNKNOWN;
    }
  return status;
}

/* check_jcma_token for jcma-token: the plugin naming convention. */
static char *
check_name (const CmaProduct *product)
{
  char *name = g_strconcat ("check_", product->program, NULL);

  return g_strdelimit (name, "-", '_');
}

int
cma_cli_check_main (CmaCli *cli, int argc, char **argv)
{
  CheckArgs args = { .cli = cli, .timeout = DEFAULT_TIMEOUT };
  g_autofree char *name = check_name (cli->product);
  g_autofree GOptionEntry *entries = check_options (&args);
  g_autoptr (GOptionContext) ctx = check_context (cli->product, &args, entries);
  g_autoptr (GError) error = NULL;

  g_set_prgname (name);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return unknown (cli->product, error->message);
  if (args.help)
    {
      g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);

      fputs (help, stdout);
      return CMA_EXIT_UNKNOWN;
    }
  if (args.version)
    {
      printf ("%s (%s) %s\n", name, PACKAGE_NAME, PACKAGE_VERSION);
      return CMA_EXIT_UNKNOWN;
    }
  if (argc > 1)
    {
      g_autofree char *message =
          g_strdup_printf ("unexpected argument '%s' (see '%s --help')", argv[1], name);
      return unknown (cli->product, message);
    }
  return run_check (cli, args.timeout);
}
