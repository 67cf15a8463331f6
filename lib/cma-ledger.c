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
  int lock_fd;
  gint64 group; /* -1: the state stays private */
};

typedef enum { FIELD_STRING, FIELD_INSTANT } FieldType;

typedef struct {
  const char *name;  /* the JSON member */
  FieldType type;    /* FIELD_INSTANT: written as ISO 8601 UTC */
  gsize offset;      /* into CmaRenewal */
  gboolean required; /* a record without it is corrupt */
} RenewalField;

#define RENEWAL_FIELD(f) G_STRUCT_OFFSET (CmaRenewal, f)

/* Every member of a record, in the order written: the one list behind
 * reading and writing the ledger and history's JSON, so they cannot drift. */
static const RenewalField renewal_fields[] = {
  { "at", FIELD_INSTANT, RENEWAL_FIELD (at), TRUE },
  { "connection", FIELD_STRING, RENEWAL_FIELD (connection), TRUE },
  { "server_url", FIELD_STRING, RENEWAL_FIELD (server_url), TRUE },
  { "cloud_url", FIELD_STRING, RENEWAL_FIELD (cloud_url), TRUE },
  { "method", FIELD_STRING, RENEWAL_FIELD (method), TRUE },
  { "user", FIELD_STRING, RENEWAL_FIELD (user), FALSE },
  { "note", FIELD_STRING, RENEWAL_FIELD (note), FALSE },
  { "fingerprint", FIELD_STRING, RENEWAL_FIELD (fingerprint), FALSE },
};

/* Who renewed: the account, and under sudo the person too ("alice (sudo
 * as root)"), since "root" alone does not say who to ask. SUDO_USER is
 * trusted only when running as root, where sudo sets it. */
static char *
renewal_user (void)
{
  const char *sudo_user = g_getenv ("SUDO_USER");
  const char *account = g_get_user_name ();

  if (getuid () == 0 && sudo_user != NULL && *sudo_user != '\0' &&
      g_strcmp0 (sudo_user, account) != 0)
    return g_strdup_printf ("%s (sudo as %s)", sudo_user, account);
  return g_strdup (account);
}

CmaRenewal *
cma_renewal_new (CmaInstant at, const CmaConnection *conn, const char *method, const char *note)
{
  CmaRenewal *r = g_new0 (CmaRenewal, 1);

  r->at = at;
  r->connection = g_strdup (conn->name);
  r->server_url = g_strdup (conn->server_url);
  r->cloud_url = g_strdup (conn->cloud_url);
  r->method = g_strdup (method);
  r->user = renewal_user ();
  r->note = g_strdup (note);
  return r;
}

void
cma_renewal_free (CmaRenewal *r)
{
  if (r == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    if (renewal_fields[i].type == FIELD_STRING)
      g_free (G_STRUCT_MEMBER (char *, r, renewal_fields[i].offset));
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
  g_autoptr (CmaLedger) ledger = g_new0 (CmaLedger, 1);
  g_autofree char *name = g_strconcat (program, ".ledger", NULL);
  g_autofree char *lock = g_strconcat (program, ".lock", NULL);

  ledger->lock_fd = -1;
  ledger->group = -1;
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

void
cma_ledger_set_group (CmaLedger *ledger, gint64 gid)
{
  ledger->group = gid;
}

/* Setgid, so every file created in it (the ledger is replaced by a new
 * file on each write) belongs to the group without a chown. */
static gboolean
share_dir (CmaLedger *ledger, GError **error)
{
  if (ledger->group < 0)
    return TRUE;
  if (chown (ledger->dir, (uid_t) -1, (gid_t) ledger->group) != 0 ||
      g_chmod (ledger->dir, 02750) != 0)
    return set_errno_error (error, errno, "share state directory", ledger->dir);
  return TRUE;
}

/* The ledger is as readable as its directory: private (0600) unless the
 * directory was shared with a group (--state-group, or by hand, or by a
 * unit's StateDirectoryMode), so a later write never takes the group's
 * read access away. */
static int
ledger_mode (CmaLedger *ledger)
{
  GStatBuf st;

  if (g_stat (ledger->dir, &st) == 0 && (st.st_mode & S_IRGRP))
    return 0640;
  return 0600;
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
  return share_dir (ledger, error);
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

static gboolean
parse_instant (const char *text, CmaInstant *out)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);

  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* "at, connection, ...": the members no record may lack. */
static char *
required_names (void)
{
  GString *names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    if (renewal_fields[i].required)
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", renewal_fields[i].name);
  return g_string_free (names, FALSE);
}

/* Fill @r from @obj. Returns NULL, or why @obj is not a valid record;
 * a missing member is named before a malformed one. */
static char *
read_fields (JsonObject *obj, CmaRenewal *r)
{
  const char *bad_instant = NULL;
  gboolean complete = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    {
      const RenewalField *f = &renewal_fields[i];
      g_autofree char *value = dup_member (obj, f->name);

      if (value == NULL)
        complete = complete && !f->required;
      else if (f->type == FIELD_STRING)
        G_STRUCT_MEMBER (char *, r, f->offset) = g_steal_pointer (&value);
      else if (!parse_instant (value, G_STRUCT_MEMBER_P (r, f->offset)) && bad_instant == NULL)
        bad_instant = f->name;
    }
  if (!complete)
    {
      g_autofree char *names = required_names ();
      return g_strdup_printf ("record lacks one of %s", names);
    }
  if (bad_instant != NULL)
    return g_strdup_printf ("record has an invalid time in \"%s\"", bad_instant);
  return NULL;
}

static CmaRenewal *
parse_record (CmaLedger *ledger, const char *text, guint line, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (CmaRenewal) r = g_new0 (CmaRenewal, 1);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *why = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    why = g_strdup_printf ("not a valid record (%s)", local_error->message);
  else if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    why = g_strdup ("not a valid record (not a JSON object)");
  else
    why = read_fields (json_node_get_object (json_parser_get_root (parser)), r);
  if (why != NULL)
    {
      corrupt (error, ledger, line, why);
      return NULL;
    }
  return g_steal_pointer (&r);
}

/* Parse @contents into @out (may be NULL: validate only). */
static gboolean
parse_contents (CmaLedger *ledger, const char *contents, gsize length, GPtrArray *out,
                GError **error)
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
  g_autoptr (GError) local_error = NULL;
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
  g_autoptr (GPtrArray) renewals =
      g_ptr_array_new_with_free_func ((GDestroyNotify) cma_renewal_free);

  if (!read_file (ledger, &contents, &length, error))
    return NULL;
  if (!parse_contents (ledger, contents, length, renewals, error))
    return NULL;
  return g_steal_pointer (&renewals);
}

/* The value of @f in @r as JSON text, or NULL when absent. */
static char *
field_text (const CmaRenewal *r, const RenewalField *f)
{
  if (f->type == FIELD_INSTANT)
    return cma_time_format_iso (G_STRUCT_MEMBER (CmaInstant, r, f->offset));
  return g_strdup (G_STRUCT_MEMBER (char *, r, f->offset));
}

void
cma_renewal_build_json (const CmaRenewal *r, JsonBuilder *b, gboolean absent_as_null)
{
  json_builder_begin_object (b);
  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    {
      g_autofree char *value = field_text (r, &renewal_fields[i]);

      if (value == NULL && !absent_as_null)
        continue;
      json_builder_set_member_name (b, renewal_fields[i].name);
      if (value != NULL)
        json_builder_add_string_value (b, value);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
}

static char *
serialize_record (const CmaRenewal *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  cma_renewal_build_json (r, b, FALSE);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *record = NULL;
  g_autoptr (GString) out = NULL;
  g_autoptr (GError) local_error = NULL;
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
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 ledger_mode (ledger), &local_error))
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
  return cma_ledger_find_last_at (renewals, conn, G_MAXINT64);
}

const CmaRenewal *
cma_ledger_find_last_at (GPtrArray *renewals, const CmaConnection *conn, CmaInstant at)
{
  const CmaRenewal *last = NULL;

  for (guint i = 0; i < renewals->len; i++)
    {
      const CmaRenewal *r = renewals->pdata[i];

      if (r->at <= at && cma_renewal_matches (r, conn) && (last == NULL || r->at >= last->at))
        last = r;
    }
  return last;
}
