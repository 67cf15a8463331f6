/* SPDX-License-Identifier: MIT */
/* test-config.c: the configuration file, its errors, and selecting connections. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cma-config.h"
#include "cma-error.h"
#include "cma-hook.h"

static const CmaGuideStep no_steps[] = { { NULL, NULL } };

static const CmaProduct test_product = {
  .program = "tcma-token",
  .product_name = "Test",
  .assistant_name = "Test Cloud Migration Assistant",
  .assistant_abbrev = "TCMA",
  .default_server_url = "http://localhost:8080/",
  .steps = no_steps,
};

/* Each test has its own XDG directories (G_TEST_OPTION_ISOLATE_DIRS). */
static char *
write_config (const char *contents)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "cma-token", NULL);
  char *path = g_build_filename (dir, "tcma-token.conf", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static CmaConfig *
load_ok (const char *contents, char **path_out)
{
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_config (contents);

  g_assert_true (cma_config_load (config, path, TRUE, &error));
  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return g_steal_pointer (&config);
}

static const char defaults_block[] = "[defaults]\n"
                                     "cloud-url = https://Default.atlassian.net\n"
                                     "cloud-user = admin@example.com\n"
                                     "cloud-token-file = cloud-token\n"
                                     "lifetime-days = 21\n"
                                     "warning-days = 7\n"
                                     "critical-days = 1\n"
                                     "renew-within=5\n";

static const char connections_block[] = "# production first\n"
                                        "[connection prod]\n"
                                        "server-url = https://JIRA.example.com:443/jira\n"
                                        "cloud-url = https://acme.atlassian.net\n"
                                        "server-token-file = secrets/prod-server\n"
                                        "hook = /usr/local/bin/notify\n"
                                        "timeout = 10\n"
                                        "\n"
                                        "[connection staging.2]\n"
                                        "server-user = migrator\n";

static void
check_full (CmaConfig *config, const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *cloud_token = g_build_filename (dir, "cloud-token", NULL);
  g_autofree char *server_token = g_build_filename (dir, "secrets", "prod-server", NULL);
  CmaConnection *prod, *staging;

  g_assert_cmpstr (config->path, ==, path);
  g_assert_cmpfloat (config->policy.lifetime_days, ==, 21);
  g_assert_cmpfloat (config->policy.warning_days, ==, 7);
  g_assert_cmpfloat (config->policy.critical_days, ==, 1);
  g_assert_cmpuint (config->connections->len, ==, 2);

  prod = config->connections->pdata[0];
  g_assert_cmpstr (prod->name, ==, "prod");
  g_assert_cmpstr (prod->server_url, ==, "https://jira.example.com/jira/");
  g_assert_cmpstr (prod->cloud_url, ==, "https://acme.atlassian.net/");
  g_assert_cmpstr (prod->cloud_api_url, ==, CMA_DEFAULT_CLOUD_API_URL);
  g_assert_cmpstr (prod->cloud_user, ==, "admin@example.com");
  g_assert_cmpstr (prod->cloud_token_file, ==, cloud_token);
  g_assert_cmpstr (prod->server_token_file, ==, server_token);
  g_assert_null (prod->server_user);
  g_assert_null (prod->ca_file);
  g_assert_cmpstr (prod->hook, ==, "/usr/local/bin/notify");
  g_assert_cmpfloat (prod->timeout, ==, 10);
  g_assert_cmpfloat (prod->renew_within, ==, 5);

  staging = config->connections->pdata[1];
  g_assert_cmpstr (staging->name, ==, "staging.2");
  g_assert_cmpstr (staging->server_url, ==, test_product.default_server_url);
  g_assert_cmpstr (staging->cloud_url, ==, "https://default.atlassian.net/");
  g_assert_cmpstr (staging->server_user, ==, "migrator");
  g_assert_null (staging->server_token_file);
  g_assert_cmpstr (staging->cloud_token_file, ==, cloud_token);
  g_assert_cmpfloat (staging->timeout, ==, CMA_DEFAULT_TIMEOUT_SECONDS);
  g_assert_cmpfloat (staging->renew_within, ==, 5);
}

/* [defaults] applies wherever it stands in the file. */
typedef struct {
  const char *name;
  gboolean defaults_first;
} Placement;

static const Placement placements[] = {
  { "defaults-first", TRUE },
  { "defaults-last", FALSE },
};

static void
test_config_full (gconstpointer data)
{
  const Placement *placement = data;
  g_autofree char *contents = placement->defaults_first
                                  ? g_strconcat (defaults_block, "\n", connections_block, NULL)
                                  : g_strconcat (connections_block, "\n", defaults_block, NULL);
  g_autofree char *path = NULL;
  g_autoptr (CmaConfig) config = load_ok (contents, &path);

  check_full (config, path);
}

typedef struct {
  const char *name;
  const char *contents;
  guint line;
  const char *fragment;
} ConfigErrorCase;

static const ConfigErrorCase errors[] = {
  { "unknown-key-in-connection",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n\n[connection prod]\n"
    "server-url = https://jira.example.com\nsever-user = admin\n",
    6, "unknown key" },
  { "unknown-key-in-defaults", "# comment\n[defaults]\ncolud-url = https://acme.atlassian.net\n", 3,
    "unknown key" },
  { "unknown-group",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n\n[conection test]\n"
    "cloud-url = https://acme.atlassian.net\n",
    4, "unknown group; expected [defaults] or [connection NAME]" },
  { "group-names-are-case-sensitive", "\n\n[Defaults]\nwarning-days = 5\n", 3, "unknown group" },
  { "url-scheme-not-http",
    "[connection prod]\nserver-url = https://jira.example.com\ncloud-url = ftp://acme\n", 3,
    "only http:// and https://" },
  { "url-with-credentials",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n"
    "server-url=https://admin:pw@jira.example.com\n",
    3, "user or password" },
  { "cloud-url-plain-http",
    "[connection prod]\nserver-url = http://jira.example.com\ncloud-url = "
    "http://acme.atlassian.net\n",
    3, "invalid cloud-url: Atlassian cloud sites are served over https only" },
  { "server-url-without-scheme",
    "[connection prod]\nserver-url = jira.example.com:8080/jira\ncloud-url = "
    "https://acme.atlassian.net\n",
    2, "invalid server-url: no scheme: add https://" },
  { "url-with-inline-comment",
    "[connection prod]\ncloud-url = https://acme.atlassian.net  # production\n", 2,
    "a # comment must be on a line of its own" },
  { "number-with-inline-comment",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = 30 # seconds\n", 3,
    "timeout must be a number of at least 1 (a # comment must be on a line of its own)" },
  { "key-with-underscore",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\nserver_url = "
    "http://x.example.com\n",
    3, "unknown key; did you mean 'server-url'?" },
  { "policy-key-typo-in-defaults", "[defaults]\nwarning-dayz = 3\n", 2,
    "unknown key; did you mean 'warning-days'?" },
  { "url-with-query", "[defaults]\ncloud-url = https://acme.atlassian.net/?x\n", 2,
    "no query or fragment" },
  { "timeout-not-a-number",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = ten\n", 3,
    "timeout must be a number of at least 1" },
  { "timeout-with-unit",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = 10s\n", 3,
    "timeout must be a number" },
  { "timeout-below-one",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = 0.5\n", 3, "at least 1" },
  { "renew-within-negative", "[defaults]\nrenew-within = -1\n", 2,
    "renew-within must be a number of at least 0" },
  { "timeout-above-limit", "[defaults]\ntimeout = 1e30\n", 2, "timeout must be at most 3600" },
  { "warning-days-not-a-number",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n\nwarning-days = five\n", 4,
    "warning-days must be a number" },
  { "lifetime-days-infinite", "[defaults]\nlifetime-days = inf\n", 2,
    "lifetime-days must be a number" },
  { "cloud-user-empty", "[connection prod]\ncloud-url = https://acme.atlassian.net\ncloud-user =\n",
    3, "cloud-user is empty" },
  { "cloud-url-blank", "[connection prod]\ncloud-url =   \n", 2, "cloud-url is empty" },
  { "connection-twice",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n\n"
    "[connection test]\ncloud-url = https://acme.atlassian.net\n\n"
    "[connection prod]\nserver-url = https://other.example.com\n",
    7, "group appears twice (first on line 1)" },
  /* GKeyFile keeps the last of a repeated key without a word. */
  { "key-twice",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n# changed\n"
    "cloud-url = https://other.atlassian.net\n",
    4, "key appears twice (first on line 2)" },
  /* ... and named the first one's line when the second was invalid. */
  { "key-twice-second-invalid", "[defaults]\ntimeout = 30\ntimeout=ten\n", 3,
    "key appears twice (first on line 2)" },
  { "date-with-inline-comment",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n"
    "cloud-token-expires = 2027-03-01   # a year\n",
    3,
    "cloud-token-expires is not a date; write the day the token expires, such as 2027-03-01 "
    "(a # comment must be on a line of its own)" },
  { "connection-name-with-slash",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection bad/name]\n", 3,
    "a connection name may only use" },
  { "connection-name-with-space",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection prod test]\n", 3,
    "a connection name may only use" },
  /* Hooks get the name as an argument (issue 20). */
  { "connection-name-like-an-option",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection -C]\n", 3,
    "a connection name must not start with '-': it would read as an option to hooks and "
    "commands" },
  { "connection-name-long-option",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection --help]\n", 3,
    "must not start with '-'" },
  { "connection-name-dot-dot",
    "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection ..]\n", 3,
    "must not start with '.': it would read as a path" },
  { "connection-without-cloud-url", "[connection prod]\nserver-url = https://jira.example.com\n", 1,
    "connection has no cloud-url" },
  { "policy-key-in-connection",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\nwarning-days = 3\n", 3,
    "unknown key (policy keys belong in [defaults])" },
  { "warning-beyond-lifetime",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\n\n[defaults]\n"
    "warning-days = 25\n",
    4, "thresholds must satisfy" },
  { "critical-above-warning", "[defaults]\nwarning-days = 3\ncritical-days = 4\n", 1,
    "critical (4) <= warning (3)" },
  { "lifetime-zero", "[defaults]\nlifetime-days = 0\n", 1, "lifetime must be more than 0" },
  /* Invalid UTF-8 crashed (NULL from GKeyFile), and an invalid escape or a
   * trailing backslash was silently accepted or dropped. */
  { "invalid-utf8-url", "[connection a]\ncloud-url = https://a.example\nserver-url = \xff\xfe\n", 3,
    "server-url has an invalid value: not UTF-8" },
  { "invalid-utf8-number", "[defaults]\n\ntimeout = 1\xff\n", 3, "timeout has an invalid value" },
  { "invalid-utf8-path", "[defaults]\nhook = /bin/\xc3\n", 2, "hook has an invalid value" },
  { "invalid-escape", "[defaults]\ncloud-user = a\\qb\n", 2, "cloud-user has an invalid value" },
  { "trailing-backslash", "[defaults]\ncloud-user = admin\\\n", 2,
    "cloud-user has an invalid value" },
  /* Both at once made GLib 2.74 set its GError twice and print a warning. */
  { "invalid-escape-then-trailing-backslash", "[defaults]\ncloud-user = a\\tb\\c\\\n", 2,
    "cloud-user has an invalid value" },
  { "escaped-backslash-at-end", "[defaults]\ncloud-user = a\\q\\\\\\\n", 2,
    "cloud-user has an invalid value" },
  { "attach-not-a-switch", "[defaults]\nattach = maybe\n", 2, "attach must be yes or no" },
  { "attach-margin-beyond-a-day", "[defaults]\nattach-margin = 25\n", 2,
    "attach-margin must be at most 24" },
};

static void
test_config_error (gconstpointer data)
{
  const ConfigErrorCase *c = data;
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_config (c->contents);
  g_autofree char *prefix = g_strdup_printf ("%s:%u: ", path, c->line);

  g_assert_false (cma_config_load (config, path, TRUE, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, c->fragment) == NULL)
    g_error ("got '%s', want prefix '%s' and '%s'", error->message, prefix, c->fragment);
}

/* Syntax errors name the file and line and say what is wrong, but never
 * quote the line: under sudo, -c could name any root-only file. */
static const struct {
  const char *contents;
  guint line;
  const char *why;
} syntax_errors[] = {
  { "[defaults]\nthis is not a key\n", 2, "neither key = value" },
  { "root:x:0:0:root:/root:/bin/bash\nsecret:$6$salt$hash:19000::\n", 1,
    "a line before the first [group]" },
  { "# comment\n\nsecret = hunter2\n[defaults]\n", 3, "a line before the first [group]" },
  { "[defaults]\ncloud-url = https://acme.atlassian.net\n[connection secret\n", 3,
    "without its closing ']'" },
  { "[defaults]\n = secret\n", 2, "a value without a key" },
};

static void
test_config_syntax_error (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (syntax_errors); i++)
    {
      g_autoptr (CmaConfig) config = cma_config_new (&test_product);
      g_autoptr (GError) error = NULL;
      g_autofree char *path = write_config (syntax_errors[i].contents);
      g_autofree char *prefix = g_strdup_printf ("%s:%u: ", path, syntax_errors[i].line);

      g_assert_false (cma_config_load (config, path, TRUE, &error));
      g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, syntax_errors[i].why));
      g_assert_null (strstr (error->message, "secret"));
      g_assert_null (strstr (error->message, "not a key"));
      g_assert_null (strstr (error->message, "root:"));
    }
}

/* Nor do the other errors repeat what the file says: a value, a key or a
 * group name of a file the caller may not read. */
static void
test_config_error_no_content (void)
{
  static const char *const contents[] = {
    "[connection prod]\ncloud-url = https://acme.atlassian.net\nsecret = hunter2\n",
    "[secret]\nkey = value\n",
    "[connection prod]\ncloud-url = https://secret.example.com/?hunter2\n",
    "[connection prod]\ncloud-url = secret://acme\n",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ntimeout = secret\n",
    "[connection secret/x]\ncloud-url = https://acme.atlassian.net\n",
    "[connection secret]\nserver-url = https://jira.example.com\n",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ncloud-token-expires = hunter2\n",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\nserver-token-expires = secret\n",
    "[connection prod]\ncloud-url = https://acme.atlassian.net\ncloud-url = https://secret.x\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_autoptr (CmaConfig) config = cma_config_new (&test_product);
      g_autoptr (GError) error = NULL;
      g_autofree char *path = write_config (contents[i]);

      g_assert_false (cma_config_load (config, path, TRUE, &error));
      g_test_message ("%s", error->message);
      g_assert_null (strstr (error->message, "secret"));
      g_assert_null (strstr (error->message, "hunter2"));
    }
}

static void
test_config_missing_default_path (void)
{
  g_autofree char *path = cma_config_default_path (&test_product, FALSE, "/etc");
  g_autofree char *expected =
      g_build_filename (g_get_user_config_dir (), "cma-token", "tcma-token.conf", NULL);
  g_autofree char *system = cma_config_default_path (&test_product, TRUE, "/opt/etc");

  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpstr (system, ==, "/opt/etc/cma-token/tcma-token.conf");
}

/* The user's default path, which no test has created yet. */
static char *
absent_default_path (void)
{
  char *path = cma_config_default_path (&test_product, FALSE, "/etc");

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  return path;
}

/* Absence is no error where the file is optional: no connections, and
 * the default policy. */
static void
test_config_missing_optional (void)
{
  g_autofree char *path = absent_default_path ();
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;

  g_assert_true (cma_config_load (config, path, FALSE, &error));
  g_assert_no_error (error);
  g_assert_null (config->path);
  g_assert_cmpuint (config->connections->len, ==, 0);
  g_assert_cmpfloat (config->policy.lifetime_days, ==, CMA_DEFAULT_LIFETIME_DAYS);
}

static void
test_config_missing_required (void)
{
  g_autofree char *path = absent_default_path ();
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;

  g_assert_false (cma_config_load (config, path, TRUE, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));
}

/* Present but unreadable is an error even where absence is not. */
static void
test_config_missing_unreadable (void)
{
  g_autofree char *path = absent_default_path ();
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_false (cma_config_load (config, path, FALSE, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
}

/* --cloud-url alone: one connection named 'default', all else default. */
static void
test_config_command_line_cloud_url (void)
{
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;
  CmaConnection *conn;

  g_assert_true (
      cma_config_set_command_line_connection (config, NULL, "https://ACME.atlassian.net", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->connections->len, ==, 1);
  conn = config->connections->pdata[0];
  g_assert_cmpstr (conn->name, ==, "default");
  g_assert_cmpstr (conn->server_url, ==, "http://localhost:8080/");
  g_assert_cmpstr (conn->cloud_url, ==, "https://acme.atlassian.net/");
  g_assert_cmpstr (conn->cloud_api_url, ==, CMA_DEFAULT_CLOUD_API_URL);
  g_assert_cmpfloat (conn->timeout, ==, CMA_DEFAULT_TIMEOUT_SECONDS);
  g_assert_cmpfloat (conn->renew_within, ==, CMA_DEFAULT_RENEW_WITHIN_DAYS);
  g_assert_cmpfloat (conn->hook_timeout, ==, CMA_DEFAULT_HOOK_TIMEOUT);
}

/* Defence in depth behind the configuration's refusal: a hook is never
 * run with an argument that reads as an option. */
static void
test_hook_refuses_option_name (void)
{
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;
  CmaVerdict verdict = { 0 };
  CmaConnection *conn;

  g_assert_true (
      cma_config_set_command_line_connection (config, NULL, "https://acme.atlassian.net", NULL));
  conn = config->connections->pdata[0];
  g_free (conn->name);
  conn->name = g_strdup ("--help");
  g_assert_false (
      cma_hook_run ("/bin/true", "renewed", &test_product, conn, &verdict, NULL, NULL, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "would read as an option"));
}

static void
test_config_command_line_no_cloud_url (void)
{
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;

  g_assert_false (
      cma_config_set_command_line_connection (config, "https://jira.example.com", NULL, &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
  g_assert_cmpuint (config->connections->len, ==, 0);
}

static void
test_config_command_line_bad_server_url (void)
{
  g_autoptr (CmaConfig) config = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;

  g_assert_false (cma_config_set_command_line_connection (config, "jira.example.com",
                                                          "https://acme.atlassian.net", &error));
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  g_assert_cmpuint (config->connections->len, ==, 0);
}

/* The command line replaces the file's connections but keeps [defaults]. */
static void
test_config_command_line_keeps_defaults (void)
{
  g_autofree char *contents = g_strconcat (defaults_block, connections_block, NULL);
  g_autoptr (CmaConfig) config = load_ok (contents, NULL);
  g_autoptr (GError) error = NULL;
  CmaConnection *conn;

  g_assert_true (
      cma_config_set_command_line_connection (config, "http://[::1]:8080/jira", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->connections->len, ==, 1);
  conn = config->connections->pdata[0];
  g_assert_cmpstr (conn->name, ==, "default");
  g_assert_cmpstr (conn->server_url, ==, "http://[::1]:8080/jira/");
  g_assert_cmpstr (conn->cloud_url, ==, "https://default.atlassian.net/");
  g_assert_cmpstr (conn->cloud_user, ==, "admin@example.com");
  g_assert_cmpfloat (conn->renew_within, ==, 5);
}

/* A value may end in an escaped backslash; only a lone one is refused. */
static void
test_config_escapes_accepted (void)
{
  g_autoptr (CmaConfig) config = load_ok ("[defaults]\ncloud-url = https://acme.atlassian.net\n"
                                          "cloud-user = \\sa\\tb\\\\\n[connection prod]\n",
                                          NULL);
  CmaConnection *conn = config->connections->pdata[0];

  g_assert_cmpstr (conn->cloud_user, ==, "a\tb\\");
}

/* Credential dates are parsed once, at load, into instants; a
 * connection inherits [defaults]' and may set its own; one no group
 * gives is unknown, never the epoch. */
static void
test_config_dates_parsed_at_load (void)
{
  g_autoptr (CmaConfig) config =
      load_ok ("[defaults]\ncloud-url = https://acme.atlassian.net\n"
               "cloud-token-expires = 2027-03-01T00:00:00Z\n"
               "[connection a]\nserver-token-expires = 2027-06-01T12:00:00+02:00\n"
               "[connection b]\ncloud-token-expires = 2027-06-01T10:00:00Z\n",
               NULL);
  g_autoptr (GError) error = NULL;
  CmaConnection *a = config->connections->pdata[0];
  CmaConnection *b = config->connections->pdata[1];

  g_assert_true (a->cloud_token_expires.known);
  g_assert_cmpint (a->cloud_token_expires.at, ==, 1803859200);
  g_assert_true (a->server_token_expires.known);
  g_assert_cmpint (a->server_token_expires.at, ==, 1811844000);
  g_assert_true (b->cloud_token_expires.known);
  g_assert_cmpint (b->cloud_token_expires.at, ==, 1811844000);
  g_assert_false (b->server_token_expires.known);

  g_assert_true (cma_config_set_command_line_connection (config, NULL, NULL, &error));
  g_assert_no_error (error);
  a = config->connections->pdata[0];
  g_assert_true (a->cloud_token_expires.known);
  g_assert_cmpint (a->cloud_token_expires.at, ==, 1803859200);
  g_assert_false (a->server_token_expires.known);
}

/* attach is off unless set; [defaults] may set it, a connection
 * override it either way; attach-margin defaults to 20 hours. */
static void
test_config_attach (void)
{
  g_autoptr (CmaConfig) config =
      load_ok ("[defaults]\ncloud-url = https://acme.atlassian.net\nattach = Yes\n"
               "[connection a]\nattach-margin = 12.5\n[connection b]\nattach = no\n",
               NULL);
  g_autoptr (CmaConfig) plain =
      load_ok ("[connection c]\ncloud-url = https://acme.atlassian.net\n", NULL);
  CmaConnection *a = config->connections->pdata[0];
  CmaConnection *b = config->connections->pdata[1];
  CmaConnection *c = plain->connections->pdata[0];

  g_assert_cmpint (a->attach, ==, CMA_SWITCH_ON);
  g_assert_cmpfloat (a->attach_margin, ==, 12.5);
  g_assert_cmpint (b->attach, ==, CMA_SWITCH_OFF);
  g_assert_cmpfloat (b->attach_margin, ==, 20);
  g_assert_cmpint (c->attach, ==, CMA_SWITCH_OFF);
}

static const char select_config[] = "[defaults]\ncloud-url = https://acme.atlassian.net\n"
                                    "[connection a]\n[connection b]\n[connection c]\n";

typedef struct {
  const char *name;
  const char *names[4];
  const char *expected; /* names joined by ',', or NULL for an error */
} SelectCase;

static const SelectCase selections[] = {
  { "all", { NULL }, "a,b,c" },
  { "one", { "b", NULL }, "b" },
  { "config-order", { "c", "a", NULL }, "a,c" }, /* not argument order */
  { "duplicate", { "a", "a", NULL }, "a" },
  { "unknown-name", { "a", "zz", NULL }, NULL },
  { "case-sensitive", { "A", NULL }, NULL },
};

static void
test_config_select (gconstpointer data)
{
  const SelectCase *c = data;
  g_autoptr (CmaConfig) config = load_ok (select_config, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) selected = cma_config_select (config, c->names, &error);
  g_autoptr (GString) got = g_string_new (NULL);

  if (c->expected == NULL)
    {
      g_assert_null (selected);
      g_assert_error (error, CMA_ERROR, CMA_ERROR_USAGE);
      g_assert_nonnull (strstr (error->message, "no connection named '"));
      return;
    }
  g_assert_no_error (error);
  for (guint n = 0; n < selected->len; n++)
    g_string_append_printf (got, "%s%s", n ? "," : "",
                            ((CmaConnection *) selected->pdata[n])->name);
  g_assert_cmpstr (got->str, ==, c->expected);
}

/* Callers that need no error message may pass NULL for it. */
static void
test_config_select_without_error (void)
{
  g_autoptr (CmaConfig) config = load_ok (select_config, NULL);
  g_autoptr (GPtrArray) all = cma_config_select (config, NULL, NULL);

  g_assert_nonnull (all);
  g_assert_cmpuint (all->len, ==, 3);
}

static void
test_config_select_none_configured (void)
{
  g_autoptr (CmaConfig) empty = cma_config_new (&test_product);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = cma_config_select (empty, NULL, &error);

  g_assert_null (none);
  g_assert_error (error, CMA_ERROR, CMA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no connection configured"));
}

/* One test per row: PREFIX/NAME, with the row as its data. */
#define ADD_TABLE_TESTS(prefix, table, func)                                                       \
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)                                                 \
    {                                                                                              \
      g_autofree char *test_path = g_strconcat (prefix "/", table[i].name, NULL);                  \
                                                                                                   \
      g_test_add_data_func (test_path, &table[i], func);                                           \
    }

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD_TABLE_TESTS ("/config/full", placements, test_config_full);
  ADD_TABLE_TESTS ("/config/errors", errors, test_config_error);
  g_test_add_func ("/config/escapes-accepted", test_config_escapes_accepted);
  g_test_add_func ("/config/dates-parsed-at-load", test_config_dates_parsed_at_load);
  g_test_add_func ("/config/attach", test_config_attach);
  g_test_add_func ("/config/syntax-error", test_config_syntax_error);
  g_test_add_func ("/config/error-no-content", test_config_error_no_content);
  g_test_add_func ("/config/missing/default-path", test_config_missing_default_path);
  g_test_add_func ("/config/missing/optional", test_config_missing_optional);
  g_test_add_func ("/config/missing/required", test_config_missing_required);
  g_test_add_func ("/config/missing/unreadable", test_config_missing_unreadable);
  g_test_add_func ("/config/command-line/cloud-url", test_config_command_line_cloud_url);
  g_test_add_func ("/config/command-line/no-cloud-url", test_config_command_line_no_cloud_url);
  g_test_add_func ("/config/command-line/bad-server-url", test_config_command_line_bad_server_url);
  g_test_add_func ("/config/command-line/keeps-defaults", test_config_command_line_keeps_defaults);
  ADD_TABLE_TESTS ("/config/select", selections, test_config_select);
  g_test_add_func ("/config/select/without-error", test_config_select_without_error);
  g_test_add_func ("/config/select/none-configured", test_config_select_none_configured);
  g_test_add_func ("/hook/refuses-option-name", test_hook_refuses_option_name);

  return g_test_run ();
}
