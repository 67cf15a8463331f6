/* SPDX-License-Identifier: MIT */
/* cma-config.c: the configuration file and the connections it defines.
 *
 * Errors name the file and line, because an administrator editing a file
 * on a production host should not have to guess which of five connections
 * is wrong. GKeyFile does not report lines, so we find them ourselves.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cma-config.h"
#include "cma-credentials.h"
#include "cma-error.h"
#include "cma-file.h"
#include "cma-text.h"
#include "cma-suggest.h"
#include "cma-url.h"

#define CONNECTION_PREFIX "connection "

#define CMA_CONFIG_MAX_BYTES (1024 * 1024)

/* KEY_DATE is parsed once, here, into a CmaMaybeInstant: every use
 * after the load reads the instant. KEY_DOUBLE, KEY_DATE and KEY_BOOL
 * are values; the other kinds are strings the connection owns. */
typedef enum {
  KEY_URL,
  KEY_CLOUD_URL,
  KEY_STRING,
  KEY_PATH,
  KEY_DOUBLE,
  KEY_DATE,
  KEY_BOOL, /* yes/no into a CmaSwitch */
} KeyKind;

typedef struct {
  const char *name;
  KeyKind kind;
  gsize offset;    /* into CmaConnection */
  double min, max; /* KEY_DOUBLE: the values accepted */
} ConnectionKey;

#define CONN_FIELD(f) G_STRUCT_OFFSET (CmaConnection, f)

/* Ten years: a longer span of days is a typo. */
#define MAX_DAYS 3650

/* Bounds: a timeout or token lifetime under a second makes every request
 * fail; beyond the maxima a value is a typo, and a huge timeout would
 * overflow libcurl's milliseconds. */
static const ConnectionKey connection_keys[] = {
  { "server-url", KEY_URL, CONN_FIELD (server_url) },
  { "cloud-url", KEY_CLOUD_URL, CONN_FIELD (cloud_url) },
  { "cloud-api-url", KEY_URL, CONN_FIELD (cloud_api_url) },
  { "cloud-user", KEY_STRING, CONN_FIELD (cloud_user) },
  { "cloud-token-file", KEY_PATH, CONN_FIELD (cloud_token_file) },
  { "server-user", KEY_STRING, CONN_FIELD (server_user) },
  { "server-token-file", KEY_PATH, CONN_FIELD (server_token_file) },
  { "ca-file", KEY_PATH, CONN_FIELD (ca_file) },
  { "cloud-ca-file", KEY_PATH, CONN_FIELD (cloud_ca_file) },
  { "hook", KEY_PATH, CONN_FIELD (hook) },
  { "job-id", KEY_STRING, CONN_FIELD (job_id) },
  { "hook-timeout", KEY_DOUBLE, CONN_FIELD (hook_timeout), 0.1, 86400 },
  { "timeout", KEY_DOUBLE, CONN_FIELD (timeout), 1, 3600 },
  { "renew-within", KEY_DOUBLE, CONN_FIELD (renew_within), 0, MAX_DAYS },
  { "auth-token-lifetime", KEY_DOUBLE, CONN_FIELD (auth_token_lifetime), 1, 86400 },
  { "cloud-token-expires", KEY_DATE, CONN_FIELD (cloud_token_expires) },
  { "server-token-expires", KEY_DATE, CONN_FIELD (server_token_expires) },
  { "credential-warning-days", KEY_DOUBLE, CONN_FIELD (credential_warning_days), 0, MAX_DAYS },
  { "attach", KEY_BOOL, CONN_FIELD (attach) },
  /* Hours: an attach lasts 24, so a longer margin would re-attach a
   * lapsed site only. */
  { "attach-margin", KEY_DOUBLE, CONN_FIELD (attach_margin), 0, CMA_ATTACH_LIFETIME_HOURS },
};

typedef struct {
  const char *name;
  gsize offset; /* into CmaConfig */
  double min, max;
  gboolean whole; /* a count: no fractions */
} PolicyKey;

/* Keys only [defaults] holds: the policy, and run-wide settings. */
static const PolicyKey policy_keys[] = {
  { "lifetime-days", G_STRUCT_OFFSET (CmaConfig, policy.lifetime_days), 0, MAX_DAYS },
  { "warning-days", G_STRUCT_OFFSET (CmaConfig, policy.warning_days), 0, MAX_DAYS },
  { "critical-days", G_STRUCT_OFFSET (CmaConfig, policy.critical_days), 0, MAX_DAYS },
  { "jobs", G_STRUCT_OFFSET (CmaConfig, jobs), 1, CMA_CONFIG_MAX_JOBS, TRUE },
};

static gboolean
key_is_string (KeyKind kind)
{
  return kind != KEY_DOUBLE && kind != KEY_DATE && kind != KEY_BOOL;
}

void
cma_connection_free (CmaConnection *conn)
{
  if (conn == NULL)
    return;
  /* The key table lists every string, so a new key cannot leak. */
  for (gsize i = 0; i < G_N_ELEMENTS (connection_keys); i++)
    if (key_is_string (connection_keys[i].kind))
      g_free (G_STRUCT_MEMBER (char *, conn, connection_keys[i].offset));
  g_free (conn->name);
  g_free (conn);
}

static CmaConnection *
connection_new (const char *name)
{
  CmaConnection *conn = g_new0 (CmaConnection, 1);

  conn->name = g_strdup (name);
  conn->timeout = NAN; /* NAN: not set here, inherit */
  conn->hook_timeout = NAN;
  conn->renew_within = NAN;
  conn->auth_token_lifetime = NAN;
  conn->credential_warning_days = NAN;
  conn->attach = CMA_SWITCH_UNSET;
  conn->attach_margin = NAN;
  return conn;
}

/* Fill @key in @conn from @from when @conn leaves it unset. */
static void
inherit_key (CmaConnection *conn, const CmaConnection *from, const ConnectionKey *key)
{
  if (key->kind == KEY_DOUBLE)
    {
      double *dst = G_STRUCT_MEMBER_P (conn, key->offset);
      if (isnan (*dst))
        *dst = G_STRUCT_MEMBER (double, from, key->offset);
    }
  else if (key->kind == KEY_DATE)
    {
      CmaMaybeInstant *dst = G_STRUCT_MEMBER_P (conn, key->offset);
      if (!dst->known)
        *dst = G_STRUCT_MEMBER (CmaMaybeInstant, from, key->offset);
    }
  else if (key->kind == KEY_BOOL)
    {
      CmaSwitch *dst = G_STRUCT_MEMBER_P (conn, key->offset);
      if (*dst == CMA_SWITCH_UNSET)
        *dst = G_STRUCT_MEMBER (CmaSwitch, from, key->offset);
    }
  else
    {
      char **dst = G_STRUCT_MEMBER_P (conn, key->offset);
      if (*dst == NULL)
        *dst = g_strdup (G_STRUCT_MEMBER (char *, from, key->offset));
    }
}

/* Fill what @conn leaves unset from @from. */
static void
connection_inherit (CmaConnection *conn, const CmaConnection *from)
{
  for (gsize i = 0; i < G_N_ELEMENTS (connection_keys); i++)
    inherit_key (conn, from, &connection_keys[i]);
}

CmaConfig *
cma_config_new (const CmaProduct *product)
{
  CmaConfig *config = g_new0 (CmaConfig, 1);

  config->product = product;
  cma_policy_init_default (&config->policy);
  config->jobs = CMA_CONFIG_DEFAULT_JOBS;
  config->defaults = connection_new ("defaults");
  config->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) cma_connection_free);
  return config;
}

void
cma_config_free (CmaConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  cma_connection_free (config->defaults);
  g_ptr_array_unref (config->connections);
  g_free (config);
}

char *
cma_config_default_path (const CmaProduct *product, gboolean system, const char *sysconfdir)
{
  g_autofree char *file = g_strconcat (product->program, ".conf", NULL);

  if (system)
    return g_build_filename (sysconfdir, "cma-token", file, NULL);
  return g_build_filename (g_get_user_config_dir (), "cma-token", file, NULL);
}

/* The 1-based line of [group] (key == NULL) or of key inside [group]. */
static guint
find_line (const char *contents, const char *group, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree char *header = g_strdup_printf ("[%s]", group);
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize klen;

      while (g_ascii_isspace (*line))
        line++;
      if (*line == '[')
        {
          in_group = g_str_has_prefix (line, header);
          if (in_group && key == NULL)
            return i + 1;
          continue;
        }
      if (!in_group || key == NULL)
        continue;
      klen = strlen (key);
      if (strncmp (line, key, klen) == 0 &&
          (line[klen] == '=' || line[klen] == ' ' || line[klen] == '\t'))
        return i + 1;
    }
  return 0;
}

typedef struct {
  const char *path;
  const char *contents;
  GKeyFile *keyfile;
} Source;

/* What is wrong with one line of a key file, or NULL. */
static const char *
line_syntax_error (const char *line, gboolean in_group)
{
  while (g_ascii_isspace (*line))
    line++;
  if (!g_utf8_validate (line, -1, NULL))
    return "not valid UTF-8";
  if (*line == '\0' || *line == '#')
    return NULL;
  if (*line == '[')
    return strchr (line, ']') != NULL ? NULL : "a [group] line without its closing ']'";
  if (!in_group)
    return "a line before the first [group]";
  if (strchr (line, '=') == NULL)
    return "neither key = value, a [group] nor a # comment";
  if (*line == '=')
    return "a value without a key";
  return NULL;
}

/* GKeyFile's syntax errors quote the offending line, which may come from
 * any file the caller could name with -c, root-only ones included under
 * sudo: name the file and line, never its content. */
static gboolean
fail_syntax (GError **error, const char *path, const char *contents)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *why = line_syntax_error (lines[i], in_group);

      if (why != NULL)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "%s:%u: %s", path, i + 1, why);
          return FALSE;
        }
      in_group = in_group || g_strstrip (lines[i])[0] == '[';
    }
  g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
               "%s: not a configuration file (see cma-token.conf(5))", path);
  return FALSE;
}

static gboolean fail_at (GError **error, const Source *src, const char *group, const char *key,
                         const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail_at (GError **error, const Source *src, const char *group, const char *key, const char *fmt,
         ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "%s:%u: %s", src->path,
               find_line (src->contents, group, key), msg);
  return FALSE;
}

/* Whether @raw (a value as written, escapes not yet undone) ends in a
 * backslash that escapes nothing: an odd run of them at the end. */
static gboolean
ends_in_lone_backslash (const char *raw)
{
  size_t len = strlen (raw);
  size_t run = 0;

  while (run < len && raw[len - 1 - run] == '\\')
    run++;
  return run % 2 == 1;
}

/* The value of @key, stripped. GKeyFile refuses invalid UTF-8, an unknown
 * escape ("\q") and a backslash that ends the line; its message quotes
 * the value, which we do not repeat (it may be binary, or a secret typed
 * into the wrong key). The last case is checked here first: GLib 2.74
 * sets its GError twice when an unknown escape comes before such a
 * backslash, and prints a three-line warning of its own doing so. */
static char *
get_value (const Source *src, const char *group, const char *key, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *raw = g_key_file_get_value (src->keyfile, group, key, NULL);
  char *value = NULL;

  if (raw != NULL && !ends_in_lone_backslash (raw))
    value = g_key_file_get_string (src->keyfile, group, key, &local_error);
  if (value == NULL || local_error != NULL)
    {
      g_free (value);
      fail_at (error, src, group, key,
               "%s has an invalid value: not UTF-8, or a backslash not followed by "
               "s, n, t, r or \\",
               key);
      return NULL;
    }
  return g_strstrip (value);
}

/* A '#' after a value is part of it (cma-token.conf(5)); say so when a
 * value that has one is refused. */
static const char *
comment_hint (const char *value)
{
  return strchr (value, '#') != NULL ? " (a # comment must be on a line of its own)" : "";
}

static gboolean
parse_double (const Source *src, const char *group, const char *key, double min, double max,
              double *out, GError **error)
{
  g_autofree char *value = get_value (src, group, key, error);
  char *end = NULL;
  double d;

  if (value == NULL)
    return FALSE;
  d = g_ascii_strtod (value, &end);
  if (*value == '\0' || *end != '\0' || !isfinite (d) || d < min)
    return fail_at (error, src, group, key, "%s must be a number of at least %g%s", key, min,
                    comment_hint (value));
  if (d > max)
    return fail_at (error, src, group, key, "%s must be at most %g", key, max);
  *out = d;
  return TRUE;
}

static const ConnectionKey *
lookup_connection_key (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (connection_keys); i++)
    if (strcmp (connection_keys[i].name, name) == 0)
      return &connection_keys[i];
  return NULL;
}

/* A date, parsed once: what is used later is the instant. */
static gboolean
set_date (const Source *src, const char *group, const char *key, const char *value,
          CmaMaybeInstant *dst, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!cma_credential_parse_expiry (value, &dst->at, &local_error))
    return fail_at (error, src, group, key, "%s is %s%s", key, local_error->message,
                    comment_hint (value));
  dst->known = TRUE;
  return TRUE;
}

/* yes or no, as the configuration's other switches would be written;
 * true/false and 1/0 too, as GKeyFile writes booleans. */
static gboolean
set_switch (const Source *src, const char *group, const char *key, const char *value,
            CmaSwitch *dst, GError **error)
{
  static const char *const on[] = { "yes", "true", "1", NULL };
  static const char *const off[] = { "no", "false", "0", NULL };

  for (guint i = 0; on[i] != NULL; i++)
    if (g_ascii_strcasecmp (value, on[i]) == 0 || g_ascii_strcasecmp (value, off[i]) == 0)
      {
        *dst = g_ascii_strcasecmp (value, on[i]) == 0 ? CMA_SWITCH_ON : CMA_SWITCH_OFF;
        return TRUE;
      }
  return fail_at (error, src, group, key, "%s must be yes or no%s", key, comment_hint (value));
}

static gboolean
set_connection_key (const Source *src, const char *group, const ConnectionKey *key,
                    CmaConnection *conn, GError **error)
{
  g_autofree char *value = NULL;
  g_autoptr (GError) local_error = NULL;
  char **dst;

  if (key->kind == KEY_DOUBLE)
    return parse_double (src, group, key->name, key->min, key->max,
                         G_STRUCT_MEMBER_P (conn, key->offset), error);

  value = get_value (src, group, key->name, error);
  if (value == NULL)
    return FALSE;
  if (*value == '\0')
    return fail_at (error, src, group, key->name, "%s is empty", key->name);
  if (key->kind == KEY_DATE)
    return set_date (src, group, key->name, value, G_STRUCT_MEMBER_P (conn, key->offset), error);
  if (key->kind == KEY_BOOL)
    return set_switch (src, group, key->name, value, G_STRUCT_MEMBER_P (conn, key->offset), error);
  dst = G_STRUCT_MEMBER_P (conn, key->offset);
  g_clear_pointer (dst, g_free);
  if (key->kind == KEY_URL || key->kind == KEY_CLOUD_URL)
    {
      *dst = key->kind == KEY_CLOUD_URL ? cma_url_normalize_cloud (value, key->name, &local_error)
                                        : cma_url_normalize (value, key->name, &local_error);
      if (*dst == NULL)
        return fail_at (error, src, group, key->name, "%s", local_error->message);
    }
  else if (key->kind == KEY_PATH && !g_path_is_absolute (value))
    {
      /* Relative paths follow the config file, not the working directory
       * cron happens to start us in. */
      g_autofree char *dir = g_path_get_dirname (src->path);
      *dst = g_build_filename (dir, value, NULL);
    }
  else
    *dst = g_steal_pointer (&value);
  return TRUE;
}

static gboolean fail_unknown_key (GError **error, const Source *src, const char *group,
                                  const char *key, gboolean in_defaults);

static gboolean
load_group (const Source *src, const char *group, CmaConnection *conn, CmaConfig *settings,
            GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (src->keyfile, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const ConnectionKey *ckey = lookup_connection_key (keys[i]);
      gboolean done = FALSE;

      if (ckey != NULL)
        {
          if (!set_connection_key (src, group, ckey, conn, error))
            return FALSE;
          continue;
        }
      for (gsize p = 0; settings != NULL && p < G_N_ELEMENTS (policy_keys); p++)
        if (strcmp (policy_keys[p].name, keys[i]) == 0)
          {
            double *value = G_STRUCT_MEMBER_P (settings, policy_keys[p].offset);

            if (!parse_double (src, group, keys[i], policy_keys[p].min, policy_keys[p].max, value,
                               error))
              return FALSE;
            if (policy_keys[p].whole && *value != floor (*value))
              return fail_at (error, src, group, keys[i], "%s must be a whole number", keys[i]);
            done = TRUE;
          }
      if (!done)
        return fail_unknown_key (error, src, group, keys[i], settings != NULL);
    }
  return TRUE;
}

/* The key itself is not repeated (the file may not be the caller's to
 * read), but the key it most resembles is ours to name. */
static gboolean
fail_unknown_key (GError **error, const Source *src, const char *group, const char *key,
                  gboolean in_defaults)
{
  const char *names[G_N_ELEMENTS (connection_keys) + G_N_ELEMENTS (policy_keys) + 1];
  g_autofree char *hint = NULL;
  const char *guess;
  gsize n = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (connection_keys); i++)
    names[n++] = connection_keys[i].name;
  for (gsize i = 0; in_defaults && i < G_N_ELEMENTS (policy_keys); i++)
    names[n++] = policy_keys[i].name;
  names[n] = NULL;
  guess = cma_suggest (key, names);
  if (guess != NULL)
    hint = g_strdup_printf ("; did you mean '%s'?", guess);
  return fail_at (
      error, src, group, key, "unknown key%s%s", hint ? hint : "",
      !in_defaults && g_str_has_suffix (key, "-days") ? " (policy keys belong in [defaults])" : "");
}

static gboolean
valid_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
load_connection (CmaConfig *config, const Source *src, const char *group, GError **error)
{
  const char *name = group + strlen (CONNECTION_PREFIX);
  g_autoptr (CmaConnection) conn = NULL;

  if (!valid_name (name))
    return fail_at (error, src, group, NULL,
                    "a connection name may only use letters, digits, '-', '_' and '.'");
  /* "-C" or "--help" would read as an option to a hook or a command, and
   * "." or ".." as a directory. */
  if (name[0] == '-' || name[0] == '.')
    return fail_at (error, src, group, NULL,
                    "a connection name must not start with '%c': it would read as %s", name[0],
                    name[0] == '-' ? "an option to hooks and commands" : "a path");
  for (guint i = 0; i < config->connections->len; i++)
    if (strcmp (((CmaConnection *) config->connections->pdata[i])->name, name) == 0)
      return fail_at (error, src, group, NULL, "connection defined twice");

  conn = connection_new (name);
  if (!load_group (src, group, conn, NULL, error))
    return FALSE;
  if (conn->cloud_url == NULL && config->defaults->cloud_url == NULL)
    return fail_at (error, src, group, NULL,
                    "connection has no cloud-url (and [defaults] gives none)");
  g_ptr_array_add (config->connections, g_steal_pointer (&conn));
  return TRUE;
}

/* Connections inherit [defaults] whatever the group order in the file. */
static gboolean
finish_connections (CmaConfig *config, GError **error)
{
  CmaConnection product_defaults = {
    .server_url = (char *) config->product->default_server_url,
    .cloud_api_url = (char *) CMA_DEFAULT_CLOUD_API_URL,
    .timeout = CMA_DEFAULT_TIMEOUT_SECONDS,
    .hook_timeout = CMA_DEFAULT_HOOK_TIMEOUT,
    .renew_within = CMA_DEFAULT_RENEW_WITHIN_DAYS,
    .auth_token_lifetime = CMA_DEFAULT_AUTH_TOKEN_LIFETIME,
    .credential_warning_days = CMA_DEFAULT_CREDENTIAL_WARNING_DAYS,
    .attach = CMA_SWITCH_OFF,
    .attach_margin = CMA_DEFAULT_ATTACH_MARGIN_HOURS,
  };

  for (guint i = 0; i < config->connections->len; i++)
    {
      CmaConnection *conn = config->connections->pdata[i];

      connection_inherit (conn, config->defaults);
      connection_inherit (conn, &product_defaults);
    }
  return cma_policy_validate (&config->policy, error);
}

/* The name of the group or key that @line starts, or NULL for a blank or
 * comment line; *is_group says which. */
static char *
line_name (const char *line, gboolean *is_group)
{
  const char *end;

  while (g_ascii_isspace (*line))
    line++;
  *is_group = *line == '[';
  if (*is_group)
    return (end = strrchr (line, ']')) != NULL ? g_strndup (line + 1, end - line - 1) : NULL;
  if (*line == '#' || (end = strchr (line, '=')) == NULL)
    return NULL;
  return g_strstrip (g_strndup (line, end - line));
}

/* GKeyFile silently merges a repeated [group] into the first one, and
 * keeps the last of a repeated key, so a connection block copied and
 * never renamed, or a key changed by adding a line, would overwrite the
 * original without a word. Names are not quoted (the file may not be the
 * caller's to read): the two line numbers say enough. */
static gboolean
check_duplicates (const Source *src, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (src->contents, "\n", -1);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) keys = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean is_group;
      char *name = line_name (lines[i], &is_group);
      GHashTable *table = is_group ? seen : keys;
      guint first;

      if (name == NULL || table == NULL)
        {
          g_free (name);
          continue;
        }
      first = GPOINTER_TO_UINT (g_hash_table_lookup (table, name));
      if (first != 0)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                       "%s:%u: %s appears twice (first on line %u)", src->path, i + 1,
                       is_group ? "group" : "key", first);
          g_free (name);
          return FALSE;
        }
      g_hash_table_insert (table, name, GUINT_TO_POINTER (i + 1));
      if (is_group)
        {
          g_clear_pointer (&keys, g_hash_table_unref);
          keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        }
    }
  return TRUE;
}

static gboolean
load_keyfile (CmaConfig *config, const Source *src, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (src->keyfile, NULL);

  if (!check_duplicates (src, error))
    return FALSE;
  if (g_key_file_has_group (src->keyfile, "defaults") &&
      !load_group (src, "defaults", config->defaults, config, error))
    return FALSE;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (strcmp (groups[i], "defaults") == 0)
        continue;
      if (!g_str_has_prefix (groups[i], CONNECTION_PREFIX))
        return fail_at (error, src, groups[i], NULL,
                        "unknown group; expected [defaults] or [connection NAME]");
      if (!load_connection (config, src, groups[i], error))
        return FALSE;
    }
  return TRUE;
}

/* A configuration is a few kilobytes; the cap is enforced while reading,
 * so -c /dev/zero or a FIFO fails at once instead of eating memory or
 * hanging. /dev/null stands for an empty file, as people expect. */
static gboolean
read_config (const char *path, char **contents, GError **error)
{
  gsize length;

  if (g_strcmp0 (path, "/dev/null") == 0)
    {
      *contents = g_strdup ("");
      return TRUE;
    }
  return cma_file_read_capped (path, CMA_CONFIG_MAX_BYTES, contents, &length, error);
}

gboolean
cma_config_load (CmaConfig *config, const char *path, gboolean must_exist, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  Source src;

  if (!read_config (path, &contents, &local_error))
    {
      if (!must_exist && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return finish_connections (config, error);
      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "%s", local_error->message);
      return FALSE;
    }
  if (!g_key_file_load_from_data (keyfile, contents, -1, G_KEY_FILE_NONE, NULL))
    return fail_syntax (error, path, contents);

  /* Absolute, so relative token files and messages still make sense when
   * cron or systemd starts us in another directory. */
  g_free (config->path);
  config->path = g_canonicalize_filename (path, NULL);
  src = (Source){ config->path, contents, keyfile };
  if (!load_keyfile (config, &src, error))
    return FALSE;
  /* The policy comes only from [defaults]: point there, as a config error. */
  if (!cma_policy_validate (&config->policy, &local_error))
    return fail_at (error, &src, "defaults", NULL, "%s", local_error->message);
  return finish_connections (config, error);
}

gboolean
cma_config_set_command_line_connection (CmaConfig *config, const char *server_url,
                                        const char *cloud_url, GError **error)
{
  g_autoptr (CmaConnection) conn = connection_new ("default");

  if (server_url != NULL &&
      (conn->server_url = cma_url_normalize (server_url, "server URL", error)) == NULL)
    return FALSE;
  if (cloud_url != NULL &&
      (conn->cloud_url = cma_url_normalize_cloud (cloud_url, "cloud URL", error)) == NULL)
    return FALSE;
  if (conn->cloud_url == NULL && config->defaults->cloud_url == NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "--server-url needs --cloud-url (or cloud-url in [defaults])");
      return FALSE;
    }

  g_ptr_array_set_size (config->connections, 0);
  g_ptr_array_add (config->connections, g_steal_pointer (&conn));
  return finish_connections (config, error);
}

/* "-C prdo": suggest the closest name and list them all, since -C takes
 * only configured names. */
static GPtrArray *
fail_no_such_connection (CmaConfig *config, const char *name, GError **error)
{
  g_autofree const char **names = g_new0 (const char *, config->connections->len + 1);
  g_autofree char *list = NULL;
  const char *guess;

  for (guint i = 0; i < config->connections->len; i++)
    names[i] = ((CmaConnection *) config->connections->pdata[i])->name;
  guess = cma_suggest (name, names);
  list = g_strjoinv (", ", (char **) names);
  g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE, "no connection named '%s'%s%s%s (configured: %s)",
               name, guess ? "; did you mean '" : "", guess ? guess : "", guess ? "'?" : "", list);
  return NULL;
}

GPtrArray *
cma_config_select (CmaConfig *config, const char *const *names, GError **error)
{
  g_autoptr (GPtrArray) selected = g_ptr_array_new ();

  if (config->connections->len == 0)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                   "no connection configured: pass --cloud-url URL, or define "
                   "[connection NAME] in %s",
                   config->path ? config->path : "the configuration file");
      return NULL;
    }
  for (guint i = 0; i < config->connections->len; i++)
    {
      CmaConnection *conn = config->connections->pdata[i];

      if (names == NULL || names[0] == NULL || g_strv_contains (names, conn->name))
        g_ptr_array_add (selected, conn);
    }
  for (guint n = 0; names != NULL && names[n] != NULL; n++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < selected->len && !found; i++)
        found = strcmp (((CmaConnection *) selected->pdata[i])->name, names[n]) == 0;
      if (!found)
        return fail_no_such_connection (config, names[n], error);
    }
  return g_steal_pointer (&selected);
}
