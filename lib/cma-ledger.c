/* cma-ledger.c: reading and atomically rewriting the renewal ledger. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-ledger.h"

/* A ledger grows by one line per renewal, every two weeks or so; anything
 * this large is not ours and is refused rather than read into memory. */
#define MAX_LEDGER_BYTES (16 * 1024 * 1024)

struct _CmaLedger {
  char *dir;
  char *path;
  char *lock_path;
  int   lock_fd;
};

CmaRenewal *
cma_renewal_new (CmaInstant at, const CmaConnection *conn, const char *method,
                 const char *note)
{
  CmaRenewal *r = g_new0 (CmaRenewal, 1);

  r->at = at;
  r->connection = g_strdup (conn->name);
  r->server_url = g_strdup (conn->server_url);
  r->cloud_url = g_strdup (conn->cloud_url);
  r->method = g_strdup (method);
  r->user = g_strdup (g_get_user_name ());
  r->note = g_strdup (note);
  return r;
}

void
cma_renewal_free (CmaRenewal *r)
{
  if (r == NULL)
    return;
  g_free (r->connection);
  g_free (r->server_url);
  g_free (r->cloud_url);
  g_free (r->method);
  g_free (r->user);
  g_free (r->note);
  g_free (r->fingerprint);
  g_free (r);
}

char *
cma_ledger_default_dir (gboolean system, const char *localstatedir)
{
  if (system)
    return g_build_filename (localstatedir, "lib", "cma-token", NULL);
  return g_build_filename (g_get_user_state_dir (), "cma-token", NULL);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot %s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

CmaLedger *
cma_ledger_new (const char *dir, const char *program)
{
  g_autoptr(CmaLedger) ledger = g_new0 (CmaLedger, 1);
  g_autofree char *name = g_strconcat (program, ".ledger", NULL);
  g_autofree char *lock = g_strconcat (program, ".lock", NULL);

  ledger->lock_fd = -1;
  ledger->dir = g_strdup (dir);
  ledger->path = g_build_filename (dir, name, NULL);
  ledger->lock_path = g_build_filename (dir, lock, NULL);
  return g_steal_pointer (&ledger);
}

void
cma_ledger_free (CmaLedger *ledger)
{
  if (ledger == NULL)
    return;
  cma_ledger_unlock (ledger);
  g_free (ledger->dir);
  g_free (ledger->path);
  g_free (ledger->lock_path);
  g_free (ledger);
}

const char *
cma_ledger_get_path (CmaLedger *ledger)
{
  return ledger->path;
}

/* Only writers create the state directory, so status and history run by a
 * monitoring agent leave nothing behind. Parents get ordinary modes; the
 * directory itself is private, since it tells who renewed what and when. */
static gboolean
ensure_dir (CmaLedger *ledger, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (ledger->dir);

  if (g_mkdir_with_parents (parent, 0755) != 0 ||
      (g_mkdir (ledger->dir, 0700) != 0 && errno != EEXIST))
    return set_errno_error (error, errno, "create state directory", ledger->dir);
  return TRUE;
}

gboolean
cma_ledger_lock (CmaLedger *ledger, guint timeout_seconds, GError **error)
{
  /* Poll rather than block: a run stuck on a dead network must not hold
   * every later timer run hostage forever. */
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  int fd;

  if (ledger->lock_fd >= 0)
    return TRUE;
  if (!ensure_dir (ledger, error))
    return FALSE;
  fd = g_open (ledger->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "open lock file", ledger->lock_path);
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EWOULDBLOCK && g_get_monotonic_time () < deadline)
        {
          g_usleep (G_USEC_PER_SEC / 10);
          continue;
        }
      close (fd);
      if (saved_errno == EWOULDBLOCK)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_LOCKED,
                       "%s is locked by another run%s; try again later", ledger->path,
                       timeout_seconds > 0 ? " that did not finish in time" : "");
          return FALSE;
        }
      return set_errno_error (error, saved_errno, "lock", ledger->lock_path);
    }
  ledger->lock_fd = fd;
  return TRUE;
}

void
cma_ledger_unlock (CmaLedger *ledger)
{
  if (ledger->lock_fd >= 0)
    {
      close (ledger->lock_fd); /* closing releases the flock */
      ledger->lock_fd = -1;
    }
}

static gboolean
corrupt (GError **error, CmaLedger *ledger, guint line, const char *why)
{
  g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s:%u: %s", ledger->path, line, why);
  return FALSE;
}

static char *
dup_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static CmaRenewal *
parse_record (CmaLedger *ledger, const char *text, guint line, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(CmaRenewal) r = g_new0 (CmaRenewal, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *at = NULL;
  JsonObject *obj;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_autofree char *why = g_strdup_printf ("not a valid record (%s)", local_error->message);
      corrupt (error, ledger, line, why);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      corrupt (error, ledger, line, "not a valid record (not a JSON object)");
      return NULL;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  at = dup_member (obj, "at");
  r->connection = dup_member (obj, "connection");
  r->server_url = dup_member (obj, "server_url");
  r->cloud_url = dup_member (obj, "cloud_url");
  r->method = dup_member (obj, "method");
  r->user = dup_member (obj, "user");
  r->note = dup_member (obj, "note");
  r->fingerprint = dup_member (obj, "fingerprint");
  if (at == NULL || r->connection == NULL || r->server_url == NULL ||
      r->cloud_url == NULL || r->method == NULL)
    {
      corrupt (error, ledger, line,
               "record lacks one of at, connection, server_url, cloud_url, method");
      return NULL;
    }
  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (at, utc);

    if (dt == NULL)
      {
        corrupt (error, ledger, line, "record has an invalid time in \"at\"");
        return NULL;
      }
    r->at = g_date_time_to_unix (dt);
  }
  return g_steal_pointer (&r);
}

/* Parse @contents into @out (may be NULL: validate only). */
static gboolean
parse_contents (CmaLedger *ledger, const char *contents, gsize length,
                GPtrArray *out, GError **error)
{
  const char *p = contents;
  const char *end = contents + length;
  const char *nul = memchr (contents, '\0', length);
  guint line = 0;

  if (nul != NULL)
    {
      /* Name the line that holds it, as for any other damage. */
      guint nul_line = 1;

      for (const char *c = contents; c < nul; c++)
        nul_line += *c == '\n';
      return corrupt (error, ledger, nul_line, "binary data in ledger");
    }
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      g_autofree char *text = NULL;
      CmaRenewal *r;

      line++;
      /* Every record we write ends in a newline; one without it is the
       * remains of an interrupted write by something other than us. */
      if (nl == NULL)
        return corrupt (error, ledger, line, "truncated record (no end of line)");
      text = g_strndup (p, nl - p);
      p = nl + 1;
      if (*g_strstrip (text) == '\0')
        continue;
      r = parse_record (ledger, text, line, error);
      if (r == NULL)
        return FALSE;
      if (out != NULL)
        g_ptr_array_add (out, r);
      else
        cma_renewal_free (r);
    }
  return TRUE;
}

static gboolean
read_file (CmaLedger *ledger, char **contents, gsize *length, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  if (g_stat (ledger->path, &st) == 0 && st.st_size > MAX_LEDGER_BYTES)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE,
                   "%s is %" G_GINT64_FORMAT " bytes, larger than any ledger we write",
                   ledger->path, (gint64) st.st_size);
      return FALSE;
    }
  if (!g_file_get_contents (ledger->path, contents, length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          *contents = g_strdup ("");
          *length = 0;
          return TRUE;
        }
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cma_ledger_load (CmaLedger *ledger, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GPtrArray) renewals =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cma_renewal_free);

  if (!read_file (ledger, &contents, &length, error))
    return NULL;
  if (!parse_contents (ledger, contents, length, renewals, error))
    return NULL;
  return g_steal_pointer (&renewals);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static char *
serialize_record (const CmaRenewal *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *at = cma_time_format_iso (r->at);

  json_builder_begin_object (b);
  add_string (b, "at", at);
  add_string (b, "connection", r->connection);
  add_string (b, "server_url", r->server_url);
  add_string (b, "cloud_url", r->cloud_url);
  add_string (b, "method", r->method);
  add_string (b, "user", r->user);
  add_string (b, "note", r->note);
  add_string (b, "fingerprint", r->fingerprint);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *record = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (ledger->lock_fd >= 0, FALSE);

  if (!read_file (ledger, &contents, &length, error) ||
      !parse_contents (ledger, contents, length, NULL, error))
    return FALSE;

  record = serialize_record (renewal);
  out = g_string_new_len (contents, length);
  g_string_append (out, record);
  g_string_append_c (out, '\n');

  /* CONSISTENT writes a temporary file, fsyncs it and renames it over the
   * ledger; DURABLE also fsyncs the directory, so a crash or power cut
   * leaves the old ledger or the new one, never a mixture. */
  if (!g_file_set_contents_full (ledger->path, out->str, out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT |
                                 G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
cma_renewal_matches (const CmaRenewal *r, const CmaConnection *conn)
{
  return strcmp (r->server_url, conn->server_url) == 0 &&
         strcmp (r->cloud_url, conn->cloud_url) == 0;
}

const CmaRenewal *
cma_ledger_find_last (GPtrArray *renewals, const CmaConnection *conn)
{
  const CmaRenewal *last = NULL;

  for (guint i = 0; i < renewals->len; i++)
    {
      const CmaRenewal *r = renewals->pdata[i];

      if (cma_renewal_matches (r, conn) && (last == NULL || r->at >= last->at))
        last = r;
    }
  return last;
}
