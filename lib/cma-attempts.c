/* SPDX-License-Identifier: MIT */
/* cma-attempts.c: failed renewal attempts in PROG.attempts, beside the
 * ledger, whose format stays untouched. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-attempts.h"
#include "cma-error.h"
#include "cma-file.h"
#include "cma-json.h"

/* One entry per connection, each a few hundred bytes: far below this. */
#define CMA_ATTEMPTS_MAX_BYTES (4 * 1024 * 1024)

void
cma_failure_free (CmaFailure *f)
{
  if (f == NULL)
    return;
  g_free (f->connection);
  g_free (f->server_url);
  g_free (f->cloud_url);
  g_free (f->error_class);
  g_free (f->message);
  g_free (f);
}

const char *
cma_attempts_error_class (const GError *error)
{
  static const char *const names[] = {
    [CMA_ERROR_USAGE] = "usage",
    [CMA_ERROR_CONFIG] = "config",
    [CMA_ERROR_CREDENTIALS] = "credentials",
    [CMA_ERROR_STATE] = "state",
    [CMA_ERROR_LOCKED] = "locked",
    [CMA_ERROR_AUTH] = "auth",
    [CMA_ERROR_NETWORK] = "network",
    [CMA_ERROR_TLS] = "tls",
    [CMA_ERROR_PROTOCOL] = "protocol",
    [CMA_ERROR_NOT_SUPPORTED] = "not-supported",
    [CMA_ERROR_REJECTED] = "rejected",
    [CMA_ERROR_FAILED] = "failed",
    [CMA_ERROR_UNAVAILABLE] = "unavailable",
    [CMA_ERROR_TEMPORARY] = "temporary",
  };

  if (error->domain != CMA_ERROR || error->code < 0 || (guint) error->code >= G_N_ELEMENTS (names))
    return "failed";
  return names[error->code];
}

/* One line, bounded, valid UTF-8: the file is read by monitoring. */
static char *
clean_message (const char *message)
{
  g_autofree char *valid = g_utf8_make_valid (message, -1);
  const char *end = valid;

  g_strdelimit (valid, "\r\n\t", ' ');
  while (*end != '\0' && (gsize) (end - valid) < CMA_ATTEMPTS_MAX_MESSAGE)
    end = g_utf8_next_char (end);
  return g_strndup (valid, (gsize) (end - valid));
}

static gboolean
read_instant (JsonObject *o, const char *name, CmaInstant *out)
{
  const char *text = cma_json_string_member (o, name);

  return text != NULL && cma_time_parse (text, out, NULL);
}

/* The file is the service's, but whoever can write the state directory
 * can edit it, and root's status reads it: a member of another type is
 * taken as absent, never a critical or a NULL where text belongs. */
static const char *
string_or (JsonObject *o, const char *name, const char *fallback)
{
  const char *text = cma_json_string_member (o, name);

  return text != NULL ? text : fallback;
}

static CmaFailure *
failure_from_json (JsonNode *node)
{
  g_autoptr (CmaFailure) f = g_new0 (CmaFailure, 1);
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  gint64 attempts;

  if (o == NULL || !read_instant (o, "since", &f->since) || !read_instant (o, "at", &f->at))
    return NULL;
  f->connection = g_strdup (string_or (o, "connection", ""));
  f->server_url = g_strdup (cma_json_string_member (o, "server_url"));
  f->cloud_url = g_strdup (cma_json_string_member (o, "cloud_url"));
  f->error_class = g_strdup (string_or (o, "class", "failed"));
  f->message = g_strdup (string_or (o, "message", ""));
  if (f->server_url == NULL || f->cloud_url == NULL ||
      !cma_json_int_member (o, "attempts", &attempts) || attempts < 1 || attempts > G_MAXUINT)
    return NULL;
  f->attempts = (guint) attempts;
  return g_steal_pointer (&f);
}

static gboolean
parse_failures (const char *path, const char *data, gsize len, GPtrArray *out, GError **error)
{
  /* Bounded like every other file a less trusted user could write. */
  g_autoptr (JsonNode) root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL);
  JsonArray *list = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    list = cma_json_array_member (json_node_get_object (root), "failures");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      CmaFailure *f = failure_from_json (json_array_get_element (list, i));

      if (f == NULL)
        break;
      g_ptr_array_add (out, f);
    }
  if (list == NULL || out->len != json_array_get_length (list))
    {
      /* Say where, never what: the caller may not be allowed to read it. */
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s: not a valid attempts file", path);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cma_attempts_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray) failures =
      g_ptr_array_new_with_free_func ((GDestroyNotify) cma_failure_free);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;

  if (!cma_file_read_capped (path, CMA_ATTEMPTS_MAX_BYTES, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&failures);
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot read %s: %s", path,
                   local_error->message);
      return NULL;
    }
  if (!parse_failures (path, data, len, failures, error))
    return NULL;
  return g_steal_pointer (&failures);
}

static gboolean
failure_matches (const CmaFailure *f, const CmaConnection *conn)
{
  return g_strcmp0 (f->server_url, conn->server_url) == 0 &&
         g_strcmp0 (f->cloud_url, conn->cloud_url) == 0;
}

const CmaFailure *
cma_attempts_find (GPtrArray *failures, const CmaConnection *conn)
{
  for (guint i = 0; i < failures->len; i++)
    if (failure_matches (failures->pdata[i], conn))
      return failures->pdata[i];
  return NULL;
}

void
cma_failure_add_members (JsonBuilder *b, const CmaFailure *f)
{
  cma_json_add_instant (b, "at", TRUE, f->at);
  cma_json_add_instant (b, "since", TRUE, f->since);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, f->attempts);
  cma_json_add_string (b, "class", f->error_class);
  cma_json_add_string (b, "message", f->message);
}

/* The file's entry: which token, then what status shows of it. */
static void
failure_to_json (JsonBuilder *b, const CmaFailure *f)
{
  json_builder_begin_object (b);
  cma_json_add_string (b, "connection", f->connection);
  cma_json_add_string (b, "server_url", f->server_url);
  cma_json_add_string (b, "cloud_url", f->cloud_url);
  cma_failure_add_members (b, f);
  json_builder_end_object (b);
}

static gboolean
save (const char *path, GPtrArray *failures, int mode, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "failures");
  json_builder_begin_array (b);
  for (guint i = 0; i < failures->len; i++)
    failure_to_json (b, failures->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &len);
  return cma_file_replace_contents (path, data, len, mode, error);
}

gboolean
cma_attempts_record_failure (const char *path, const CmaConnection *conn, CmaInstant at,
                             const GError *failure, int mode, GError **error)
{
  g_autoptr (GPtrArray) failures = cma_attempts_load (path, error);
  CmaFailure *f;

  if (failures == NULL)
    return FALSE;
  f = (CmaFailure *) cma_attempts_find (failures, conn);
  if (f == NULL)
    {
      f = g_new0 (CmaFailure, 1);
      f->server_url = g_strdup (conn->server_url);
      f->cloud_url = g_strdup (conn->cloud_url);
      f->since = at;
      g_ptr_array_add (failures, f);
    }
  g_free (f->connection);
  f->connection = g_strdup (conn->name);
  g_free (f->error_class);
  f->error_class = g_strdup (cma_attempts_error_class (failure));
  g_free (f->message);
  f->message = clean_message (failure->message);
  f->at = at;
  f->attempts++;
  return save (path, failures, mode, error);
}

gboolean
cma_attempts_clear (const char *path, const CmaConnection *conn, int mode, GError **error)
{
  g_autoptr (GPtrArray) failures = cma_attempts_load (path, error);
  const CmaFailure *f;

  if (failures == NULL)
    return FALSE;
  f = cma_attempts_find (failures, conn);
  if (f == NULL)
    return TRUE;
  g_ptr_array_remove (failures, (gpointer) f);
  return save (path, failures, mode, error);
}

gboolean
cma_failure_is_current (const CmaFailure *f, const CmaVerdict *v, CmaInstant now)
{
  return f != NULL && f->at <= now && (!v->known || f->at > v->renewed_at);
}

gboolean
cma_failure_escalates (const CmaFailure *f, const CmaVerdict *v, double renew_within,
                       CmaInstant now)
{
  /* In whole seconds, as renew's "due from" is computed. */
  return cma_failure_is_current (f, v, now) &&
         (!v->known || v->usable_until - now < cma_days_to_seconds (renew_within));
}
