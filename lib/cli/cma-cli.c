/* SPDX-License-Identifier: MIT */
/* cma-cli.c: option parsing, dispatch, messages and exit statuses. */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cma-cli-private.h"
#include "cma-doctor.h"
#include "cma-error.h"
#include "cma-suggest.h"

static const CmaCliCommand *const commands[] = { &cma_cli_cmd_status,
                                                 &cma_cli_cmd_record,
                                                 &cma_cli_cmd_guide,
                                                 &cma_cli_cmd_history,
                                                 &cma_cli_cmd_renew,
                                                 &cma_cli_cmd_doctor,
                                                 NULL };

static const char exit_status_text[] =
    "Exit status:\n"
    "  status:  0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (nothing recorded, or the\n"
    "           tool itself failed), worst connection first, as monitoring plugins do\n"
    "  doctor:  0 every check passed, 1 some check failed, 2 none failed but some\n"
    "           warned\n"
    "  others:  0 success (renew: renewed or not due), 64 usage, 69 network or TLS\n"
    "           (or libcurl cannot be loaded), 74 state (ledger), 75 try again later\n"
    "           (ledger locked; server there but in maintenance, starting...),\n"
    "           76 remote or protocol error (assistant missing or too old, token\n"
    "           refused, bad answer), 77 authentication refused, 78 configuration\n"
    "           or credentials\n"
    "  every command: 74 when its output could not all be written (a full disk,\n"
    "           /dev/full): a truncated document is never a success\n";

static gboolean
count_verbose (const char *name, const char *value, gpointer data, GError **error)
{
  ((CmaCli *) data)->verbose++;
  return TRUE;
}

CMA_CLI_DAYS_CALLBACK (set_lifetime, lifetime_days)
CMA_CLI_DAYS_CALLBACK (set_warning, warning_days)
CMA_CLI_DAYS_CALLBACK (set_critical, critical_days)

static const GOptionEntry global_options[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, CMA_CLI_FIELD (config_path),
    "Read configuration from FILE", "FILE" },
  { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, CMA_CLI_FIELD (state_dir),
    "Keep the renewal ledger in DIR", "DIR" },
  { "state-group", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (state_group),
    "When writing, let GROUP read the ledger (monitoring without sudo)", "GROUP" },
  { "connection", 'C', 0, G_OPTION_ARG_STRING_ARRAY, CMA_CLI_FIELD (connection_names),
    "Act on connection NAME only (repeatable; default: all)", "NAME" },
  { "server-url", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (server_url),
    "Server base URL, context path included, for a connection named 'default'", "URL" },
  { "cloud-url", 0, 0, G_OPTION_ARG_STRING, CMA_CLI_FIELD (cloud_url),
    "Cloud site URL for the connection named 'default'", "URL" },
  { "lifetime-days", 0, 0, G_OPTION_ARG_CALLBACK, set_lifetime,
    "Token usable this many days after renewal (21)", "DAYS" },
  { "warning-days", 0, 0, G_OPTION_ARG_CALLBACK, set_warning,
    "WARNING when this many days or fewer remain (5)", "DAYS" },
  { "critical-days", 0, 0, G_OPTION_ARG_CALLBACK, set_critical,
    "CRITICAL when this many days or fewer remain (0)", "DAYS" },
  { "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, count_verbose,
    "Say more (repeat for HTTP traces, secrets redacted)", NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, CMA_CLI_FIELD (quiet),
    "Print only errors (and the exit status says the rest)", NULL },
  G_OPTION_ENTRY_NULL
};

/* A copy of @options whose fields (CMA_CLI_FIELD offsets) point into
 * @cli; g_free() it. */
static GOptionEntry *
bind_options (CmaCli *cli, const GOptionEntry *options)
{
  gsize n = 0;
  GOptionEntry *bound;

  if (options == NULL)
    return NULL;
  while (options[n].long_name != NULL)
    n++;
  bound = g_memdup2 (options, (n + 1) * sizeof *options);
  for (gsize i = 0; i < n; i++)
    if (bound[i].arg != G_OPTION_ARG_CALLBACK)
      bound[i].arg_data = G_STRUCT_MEMBER_P (cli, GPOINTER_TO_SIZE (options[i].arg_data));
  return bound;
}

static void
print_usage (const CmaProduct *product, FILE *out)
{
  fprintf (out, "Usage: %s COMMAND [OPTION…]\n\n", product->program);
  fprintf (out, "Keep the %s (%s) container token from expiring.\n\n", product->assistant_name,
           product->assistant_abbrev);
  fprintf (out, "Commands:\n");
  for (guint i = 0; commands[i] != NULL; i++)
    fprintf (out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
  fprintf (out, "\nOptions may come before or after the command:\n");
  fprintf (out, "  -h, --help     Show help for a command: %s COMMAND --help, or\n",
           product->program);
  fprintf (out, "                 %s help COMMAND\n", product->program);
  fprintf (out, "  -V, --version  Show version and library versions\n\n");
  fprintf (out, "%s\nSee %s(1) for configuration, files and examples.\n", exit_status_text,
           product->program);
}

static void
print_version (const CmaProduct *product)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *curl = cma_doctor_http_library (&error);

  printf ("%s (%s) %s\n", product->program, PACKAGE_NAME, PACKAGE_VERSION);
  printf ("%s, GLib %u.%u.%u, json-glib %d.%d.%d\n", curl, glib_major_version, glib_minor_version,
          glib_micro_version, JSON_MAJOR_VERSION, JSON_MINOR_VERSION, JSON_MICRO_VERSION);
  if (error != NULL)
    printf ("%s\n", error->message);
}

static const CmaCliCommand *
find_command (const char *name)
{
  for (guint i = 0; commands[i] != NULL; i++)
    if (strcmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

/* The entry of @table that the argv word @arg names ("-c", "--config",
 * "--config=FILE"), or NULL. */
static const GOptionEntry *
entry_in (const GOptionEntry *table, const char *arg)
{
  gsize len = strcspn (arg + 2, "=");

  for (const GOptionEntry *e = table; e != NULL && e->long_name != NULL; e++)
    if (arg[1] == '-' ? strncmp (arg + 2, e->long_name, len) == 0 && e->long_name[len] == '\0'
                      : arg[1] != '\0' && arg[1] == e->short_name)
      return e;
  return NULL;
}

/* The option @arg names among the global options and every command's:
 * each short name has one meaning across commands, so the option is
 * known before the command word is. */
static const GOptionEntry *
find_option (const char *arg)
{
  const GOptionEntry *e = entry_in (global_options, arg);

  for (guint i = 0; e == NULL && commands[i] != NULL; i++)
    e = entry_in (commands[i]->options, arg);
  return e;
}

/* Whether the argv word @arg is an option whose value is the next word
 * ("-c FILE", "--config FILE"; "--config=FILE" and "-cFILE" carry their
 * own). */
static gboolean
entry_takes_next_word (const GOptionEntry *e, const char *arg)
{
  if (e == NULL || e->arg == G_OPTION_ARG_NONE ||
      (e->flags & (G_OPTION_FLAG_NO_ARG | G_OPTION_FLAG_OPTIONAL_ARG)))
    return FALSE;
  return arg[1] == '-' ? strchr (arg, '=') == NULL : arg[2] == '\0';
}

static gboolean
takes_next_word (const char *arg)
{
  return entry_takes_next_word (find_option (arg), arg);
}

/* The first option word before the command that no table knows, or NULL. */
static const char *
first_unknown_option (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (argv[i][0] != '-')
        continue;
      if (find_option (argv[i]) == NULL)
        return argv[i];
      i += takes_next_word (argv[i]);
    }
  return NULL;
}

/* "jcma-token -v status" and "jcma-token --config F renew" are how many
 * people type: move the first word naming a command to the front, so
 * options may stand on either side of it. A word right after an option
 * that takes a value is that value, not a command. A word that names no
 * command is moved too, unless an unknown option comes first, so
 * "-q stauts" gets the suggestion "stauts" alone gets. */
static void
move_command_first (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return;
      if (argv[i][0] == '-')
        {
          i += takes_next_word (argv[i]); /* skip its value */
          continue;
        }
      if (find_command (argv[i]) != NULL || strcmp (argv[i], "help") == 0 ||
          strcmp (argv[i], "version") == 0 || first_unknown_option (i, argv) == NULL)
        {
          char *word = argv[i];

          memmove (&argv[2], &argv[1], (gsize) (i - 1) * sizeof *argv);
          argv[1] = word;
        }
      return;
    }
}

static void
cli_clear (CmaCli *cli)
{
  g_free (cli->config_path);
  g_free (cli->state_dir);
  g_free (cli->state_group);
  g_free (cli->config_tried);
  g_strfreev (cli->connection_names);
  g_free (cli->server_url);
  g_free (cli->cloud_url);
  g_free (cli->at);
  g_free (cli->output);
  g_free (cli->output_file);
  g_free (cli->note);
  g_free (cli->hook);
  g_clear_pointer (&cli->selected, g_ptr_array_unref);
  g_clear_pointer (&cli->store, cma_store_free);
  g_clear_pointer (&cli->config, cma_config_free);
}

static gboolean
want_color (void)
{
  const char *no_color = g_getenv ("NO_COLOR");
  const char *term = g_getenv ("TERM");

  /* https://no-color.org: any non-empty NO_COLOR disables colour. */
  if (no_color != NULL && *no_color != '\0')
    return FALSE;
  if (term == NULL || strcmp (term, "dumb") == 0)
    return FALSE;
  return isatty (STDOUT_FILENO);
}

static GOptionContext *
command_context (CmaCli *cli, const CmaCliCommand *cmd, GOptionEntry *globals, GOptionEntry *own)
{
  GOptionContext *ctx = g_option_context_new (cmd->parameter);
  /* One group holding the command's and the global options, so plain
   * --help lists every option, and callbacks receive @cli. */
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, cli, NULL);

  g_option_context_set_summary (ctx, cmd->summary);
  g_option_context_set_description (ctx, exit_status_text);
  if (own != NULL)
    g_option_group_add_entries (group, own);
  g_option_group_add_entries (group, globals);
  g_option_context_set_main_group (ctx, group);
  return ctx;
}

static gboolean
is_help (const char *arg)
{
  return strcmp (arg, "-h") == 0 || strcmp (arg, "-?") == 0 || g_str_has_prefix (arg, "--help");
}

/* The first option word in @argv that neither @cmd nor the global options
 * know, or NULL; GOption would say "Unknown option" in its own words. */
static const char *
unknown_option_of (const CmaCliCommand *cmd, int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      const GOptionEntry *e;

      if (argv[i][0] != '-' || argv[i][1] == '\0' || is_help (argv[i]))
        continue;
      e = entry_in (global_options, argv[i]);
      if (e == NULL)
        e = entry_in (cmd->options, argv[i]);
      if (e == NULL)
        return argv[i];
      i += entry_takes_next_word (e, argv[i]);
    }
  return NULL;
}

int
cma_cli_exit_code_for_error (const GError *error)
{
  if (error->domain == G_OPTION_ERROR)
    return CMA_EXIT_USAGE;
  if (error->domain != CMA_ERROR)
    return CMA_EXIT_STATE;
  switch ((CmaErrorCode) error->code)
    {
    case CMA_ERROR_USAGE:
      return CMA_EXIT_USAGE;
    case CMA_ERROR_CONFIG:
    case CMA_ERROR_CREDENTIALS:
      return CMA_EXIT_CONFIG;
    case CMA_ERROR_STATE:
    case CMA_ERROR_FAILED:
      return CMA_EXIT_STATE;
    case CMA_ERROR_LOCKED:
    case CMA_ERROR_TEMPORARY:
      return CMA_EXIT_TEMPFAIL;
    case CMA_ERROR_AUTH:
      return CMA_EXIT_AUTH;
    case CMA_ERROR_NETWORK:
    case CMA_ERROR_TLS:
    case CMA_ERROR_UNAVAILABLE: /* EX_UNAVAILABLE: "a support program or file does not exist" */
      return CMA_EXIT_NETWORK;
    case CMA_ERROR_PROTOCOL:
    case CMA_ERROR_NOT_SUPPORTED:
    case CMA_ERROR_REJECTED:
    default:
      return CMA_EXIT_REMOTE;
    }
}

/* GOption converts option values from the locale's encoding and says only
 * "Invalid byte sequence in conversion input": name the option instead
 * (without its value, which cannot be shown), as a usage error. */
static void
name_unconvertible (GError **error, int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *utf8 = g_locale_to_utf8 (argv[i], -1, NULL, NULL, NULL);
      g_autofree char *option = NULL;

      if (utf8 != NULL)
        continue;
      if (argv[i][0] == '-' && strchr (argv[i], '=') != NULL)
        option = g_strndup (argv[i], strchr (argv[i], '=') - argv[i]);
      else if (i > 1 && argv[i - 1][0] == '-')
        option = g_strdup (argv[i - 1]);
      g_clear_error (error);
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "the value of %s is not valid text in this locale's encoding",
                   option ? option : "an argument");
      return;
    }
}

static int
run_command (CmaCli *cli, const CmaCliCommand *cmd, int argc, char **argv)
{
  g_autofree GOptionEntry *globals = bind_options (cli, global_options);
  g_autofree GOptionEntry *own = bind_options (cli, cmd->options);
  g_autoptr (GOptionContext) ctx = command_context (cli, cmd, globals, own);
  g_autoptr (GError) error = NULL;
  const char *unknown = unknown_option_of (cmd, argc, argv);
  /* argv[0] is replaced by "PROG COMMAND" so GOption's messages read well;
   * parsing removes what it took, so keep the words for its errors. */
  g_auto (GStrv) words = g_strdupv (argv);
  int status;

  if (unknown != NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   "unknown option %.*s (see '%s %s --help')", (int) strcspn (unknown, "="),
                   unknown, cli->product->program, cmd->name);
      goto fail;
    }
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      if (error->domain == G_CONVERT_ERROR)
        name_unconvertible (&error, g_strv_length (words), words);
      goto fail;
    }
  if (argc > 1)
    {
      g_set_error (&error, CMA_ERROR, CMA_ERROR_USAGE,
                   "unexpected argument '%s' (see '%s %s --help')", argv[1], cli->product->program,
                   cmd->name);
      goto fail;
    }
  cli->color = want_color ();
  status = cmd->run (cli, &error);
  if (error == NULL)
    return status;

fail:
  g_printerr ("%s: %s\n", cli->product->program, error->message);
  return cmd->monitoring ? CMA_EXIT_UNKNOWN : cma_cli_exit_code_for_error (error);
}

/* The help or version option among the options of a command line that
 * names no command ("jcma-token -v --help"), or NULL. */
static const char *
builtin_option (int argc, char **argv)
{
  static const char *const builtins[] = { "--help", "-h", "--version", "-V", NULL };

  if (argc < 2 || argv[1][0] != '-')
    return NULL;
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (g_strv_contains (builtins, argv[i]))
      return argv[i];
  return NULL;
}

/* No arguments, help and version need no command: TRUE, with @status
 * set, when argv asked for one of them. */
static gboolean
run_builtin (const CmaProduct *product, int argc, char **argv, int *status)
{
  const char *option = builtin_option (argc, argv);

  if (option != NULL)
    argv[1] = (char *) option; /* the other options do not apply */
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      (strcmp (argv[1], "help") == 0 && argc == 2))
    {
      print_usage (product, argc < 2 ? stderr : stdout);
      *status = argc < 2 ? CMA_EXIT_USAGE : CMA_EXIT_OK;
      return TRUE;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0 ||
      strcmp (argv[1], "version") == 0)
    {
      print_version (product);
      *status = CMA_EXIT_OK;
      return TRUE;
    }
  return FALSE;
}

/* The command argv[1] names, or NULL after saying why there is none. */
static const CmaCliCommand *
command_for (const CmaProduct *product, int argc, char **argv)
{
  const char *word = argv[1];
  const CmaCliCommand *cmd = find_command (word);
  const char *unknown;

  if (cmd != NULL)
    return cmd;
  g_set_prgname (product->program);
  if (word[0] == '-' && (unknown = first_unknown_option (argc, argv)) != NULL)
    g_printerr ("%s: unknown option %.*s (see '%s --help')\n", product->program,
                (int) strcspn (unknown, "="), unknown, product->program);
  else if (word[0] == '-')
    g_printerr ("%s: no command given (see '%s --help')\n", product->program, product->program);
  else
    {
      const char *names[G_N_ELEMENTS (commands)];
      const char *guess;

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        names[i] = commands[i] != NULL ? commands[i]->name : NULL;
      guess = cma_suggest (word, names);
      g_printerr ("%s: unknown command '%s'%s%s%s (see '%s --help')\n", product->program, word,
                  guess ? "; did you mean '" : "", guess ? guess : "", guess ? "'?" : "",
                  product->program);
    }
  return NULL;
}

/* Runs @cmd on the words after argv[1], which names it. */
static int
run_named (CmaCli *cli, const CmaCliCommand *cmd, int argc, char **argv)
{
  g_autofree char *name = g_strdup_printf ("%s %s", cli->product->program, cmd->name);
  g_autofree char **sub_argv = g_new0 (char *, argc);

  /* GOption's usage line reads "PRGNAME [OPTION…] PARAMETER"; with the
   * command in the name it reads as it is typed. Set once: not thread-safe. */
  g_set_prgname (name);
  sub_argv[0] = name;
  for (int i = 2; i < argc; i++)
    sub_argv[i - 1] = argv[i];
  return run_command (cli, cmd, argc - 1, sub_argv);
}

/* Installed as check_jcma_token (a link), the program is the plugin. */
static gboolean
invoked_as_plugin (const char *argv0)
{
  g_autofree char *base = g_path_get_basename (argv0);

  return g_str_has_prefix (base, "check_");
}

/* "PROG help COMMAND", as git and systemctl take it: "PROG COMMAND --help".
 * Other options may stand around it; they do not matter to help. */
static int
run_help (CmaCli *cli, int argc, char **argv)
{
  const char *words[2] = { NULL, NULL };
  guint n = 0;
  const CmaCliCommand *cmd;

  for (int i = 2; i < argc; i++)
    {
      if (argv[i][0] == '-')
        i += takes_next_word (argv[i]);
      else if (n < 2)
        words[n++] = argv[i];
    }
  if (n == 0)
    {
      print_usage (cli->product, stdout);
      return CMA_EXIT_OK;
    }
  if (n > 1)
    {
      g_printerr ("%s: help takes one command name, not '%s'\n", cli->product->program, words[1]);
      return CMA_EXIT_USAGE;
    }
  {
    char *help_argv[] = { argv[0], (char *) words[0], (char *) "--help", NULL };

    cmd = command_for (cli->product, 3, help_argv);
    return cmd == NULL ? CMA_EXIT_USAGE : run_named (cli, cmd, 3, help_argv);
  }
}

/* Like gnulib's close_stdout: stdio only reports a failed write (a full
 * disk under "history -o json > file") through the stream's error flag
 * and the final flush, so every command's output is checked here, once,
 * at the end. A document cut short is a failure, whatever the command's
 * own status said. Nothing written to a closed stdout is no error. */
static int
close_stdout (const CmaProduct *product, int status)
{
  gboolean failed = ferror (stdout) != 0;
  int saved_errno = 0;

  if (fflush (stdout) != 0)
    failed = TRUE, saved_errno = errno;
  if (fclose (stdout) != 0 && errno != EBADF && !failed)
    failed = TRUE, saved_errno = errno;
  if (!failed)
    return status;
  g_printerr ("%s: cannot write standard output%s%s; the output is incomplete\n", product->program,
              saved_errno != 0 ? ": " : "", saved_errno != 0 ? g_strerror (saved_errno) : "");
  return CMA_EXIT_STATE;
}

static int
cli_main (const CmaProduct *product, int argc, char **argv)
{
  CmaCli cli = {
    .product = product,
    .lifetime_days = NAN,
    .warning_days = NAN,
    .critical_days = NAN,
    .renew_within = NAN,
  };
  const CmaCliCommand *cmd;
  int status;

  setlocale (LC_ALL, "");

  if (argc >= 1 && invoked_as_plugin (argv[0]))
    {
      status = cma_cli_check_main (&cli, argc, argv);
      cli_clear (&cli);
      return status;
    }
  if (argc >= 2 && argv[1][0] == '-')
    move_command_first (argc, argv);
  if (run_builtin (product, argc, argv, &status))
    return status;
  if (strcmp (argv[1], "help") == 0)
    return run_help (&cli, argc, argv);
  cmd = command_for (product, argc, argv);
  if (cmd == NULL)
    return CMA_EXIT_USAGE;
  status = run_named (&cli, cmd, argc, argv);
  cli_clear (&cli);
  return status;
}

int
cma_cli_main (const CmaProduct *product, int argc, char **argv)
{
  return close_stdout (product, cli_main (product, argc, argv));
}

/* ---- messages ---- */

/* The format attribute lets clang's -Wformat-nonliteral see that @fmt is
 * always a caller's checked literal. */
static void vprint_err (const char *prefix, const char *program, const char *fmt, va_list args)
    G_GNUC_PRINTF (3, 0);

static void
vprint_err (const char *prefix, const char *program, const char *fmt, va_list args)
{
  g_autofree char *msg = g_strdup_vprintf (fmt, args);

  g_printerr ("%s: %s%s\n", program, prefix, msg);
}

void
cma_cli_info (CmaCli *cli, const char *fmt, ...)
{
  va_list args;

  if (cli->quiet)
    return;
  va_start (args, fmt);
  vprint_err ("", cli->product->program, fmt, args);
  va_end (args);
}

void
cma_cli_verbose (CmaCli *cli, int level, const char *fmt, ...)
{
  va_list args;

  if (cli->verbose < level || cli->quiet)
    return;
  va_start (args, fmt);
  vprint_err ("", cli->product->program, fmt, args);
  va_end (args);
}

void
cma_cli_warn (CmaCli *cli, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  vprint_err ("warning: ", cli->product->program, fmt, args);
  va_end (args);
}
