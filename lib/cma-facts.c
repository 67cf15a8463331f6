/* SPDX-License-Identifier: MIT */
/* cma-facts.c: what the other side told us, in PROG.facts beside the
 * ledger (see the header).
 *
 * {"facts": [{"connection": "prod", "server_url": "…", "cloud_url": "…",
 *             "server_token": {"read_at": "…", "expires": true,
 *                              "expires_at": "…", "name": "…", "match": "…"},
 *             "server_token_asked": "…",
 *             "assistant": {"read_at": "…", "version": "1.12.4"},
 *             "token_check": {"at": "…", "task_id": "…", "status": "FINISHED",
 *                             "outcome": "SUCCESS", "message": null},
 *             "attach": {"read_at": "…", "attached_at": "…", "until": "…"}}]}
 *
 * A writer edits the document it read rather than one rebuilt from what
 * it understood, so members it does not know survive. Each fact is one
 * observation at one instant, replaced whole by the next. */
#include "config.h"

#include <string.h>

#include "cma-error.h"
#include "cma-facts.h"
#include "cma-file.h"
#include "cma-json.h"

/* One entry per token, each a few hundred bytes: far below this. */
#define CMA_FACTS_MAX_BYTES (4 * 1024 * 1024)

CmaFacts *
cma_facts_new (const CmaConnection *conn)
{
  CmaFacts *facts = g_new0 (CmaFacts, 1);

  facts->connection = g_strdup (conn->name);
  facts->server_url = g_strdup (conn->server_url);
  facts->cloud_url = g_strdup (conn->cloud_url);
  return facts;
}

void
cma_server_token_fact_clear (CmaServerTokenFact *fact)
{
  g_free (fact->name);
  g_free (fact->match);
  memset (fact, 0, sizeof *fact);
}

void
cma_assistant_fact_clear (CmaAssistantFact *fact)
{
  g_free (fact->version);
  memset (fact, 0, sizeof *fact);
}

void
cma_token_check_fact_clear (CmaTokenCheckFact *fact)
{
  g_free (fact->task_id);
  g_free (fact->status);
  g_free (fact->outcome);
  g_free (fact->message);
  memset (fact, 0, sizeof *fact);
}

void
cma_facts_free (CmaFacts *facts)
{
  if (facts == NULL)
    return;
  g_free (facts->connection);
  g_free (facts->server_url);
  g_free (facts->cloud_url);
  cma_server_token_fact_clear (&facts->server_token);
  cma_assistant_fact_clear (&facts->assistant);
  cma_token_check_fact_clear (&facts->token_check);
  g_free (facts);
}

/* ---- reading ---- */

/* Whoever can write the state directory can edit the file, and root's
 * status reads it: a member of another type is taken as absent, and a
 * fact missing what it needs is not known, never a critical. */
static JsonObject *
object_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return cma_json_holds (node, JSON_TYPE_OBJECT) ? json_node_get_object (node) : NULL;
}

static gboolean
read_instant (JsonObject *o, const char *name, CmaInstant *out)
{
  const char *text = o != NULL ? cma_json_string_member (o, name) : NULL;

  return text != NULL && cma_time_parse (text, out, NULL);
}

static char *
dup_string (JsonObject *o, const char *name)
{
  return g_strdup (cma_json_string_member (o, name));
}

static void
server_token_from_json (JsonObject *o, CmaServerTokenFact *fact)
{
  JsonNode *expires = o != NULL ? json_object_get_member (o, "expires") : NULL;

  if (!read_instant (o, "read_at", &fact->read_at) || !cma_json_holds (expires, G_TYPE_BOOLEAN))
    return;
  fact->expires = json_node_get_boolean (expires);
  if (fact->expires && !read_instant (o, "expires_at", &fact->expires_at))
    return;
  fact->name = dup_string (o, "name");
  fact->match = dup_string (o, "match");
  fact->known = TRUE;
}

static void
assistant_from_json (JsonObject *o, CmaAssistantFact *fact)
{
  if (!read_instant (o, "read_at", &fact->read_at) || cma_json_string_member (o, "version") == NULL)
    return;
  fact->version = dup_string (o, "version");
  fact->known = TRUE;
}

static void
token_check_from_json (JsonObject *o, CmaTokenCheckFact *fact)
{
  if (!read_instant (o, "at", &fact->at) || cma_json_string_member (o, "status") == NULL)
    return;
  fact->task_id = dup_string (o, "task_id");
  fact->status = dup_string (o, "status");
  fact->outcome = dup_string (o, "outcome");
  fact->message = dup_string (o, "message");
  fact->known = TRUE;
}

static void
attach_from_json (JsonObject *o, CmaAttachFact *fact)
{
  fact->known = read_instant (o, "read_at", &fact->read_at) &&
                read_instant (o, "attached_at", &fact->attached_at) &&
                read_instant (o, "until", &fact->until);
}

/* The token an entry is about, which every entry must name. */
static gboolean
entry_is_valid (JsonNode *node)
{
  JsonObject *o = cma_json_holds (node, JSON_TYPE_OBJECT) ? json_node_get_object (node) : NULL;

  return o != NULL && cma_json_string_member (o, "server_url") != NULL &&
         cma_json_string_member (o, "cloud_url") != NULL;
}

static CmaFacts *
facts_from_json (JsonObject *o)
{
  CmaFacts *facts = g_new0 (CmaFacts, 1);

  facts->connection = g_strdup (cma_json_string_member (o, "connection"));
  facts->server_url = dup_string (o, "server_url");
  facts->cloud_url = dup_string (o, "cloud_url");
  server_token_from_json (object_member (o, "server_token"), &facts->server_token);
  facts->server_token_asked.known =
      read_instant (o, "server_token_asked", &facts->server_token_asked.at);
  assistant_from_json (object_member (o, "assistant"), &facts->assistant);
  token_check_from_json (object_member (o, "token_check"), &facts->token_check);
  attach_from_json (object_member (o, "attach"), &facts->attach);
  return facts;
}

/* The entries of a valid document, or NULL. */
static JsonArray *
entries_of (JsonNode *root)
{
  JsonArray *list = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    list = cma_json_array_member (json_node_get_object (root), "facts");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    if (!entry_is_valid (json_array_get_element (list, i)))
      return NULL;
  return list;
}

/* The document at @path: NULL with *@absent when there is none, NULL
 * with @error when it is damaged or cannot be read. */
static JsonNode *
read_root (const char *path, gboolean *absent, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;

  *absent = FALSE;
  if (!cma_file_read_capped (path, CMA_FACTS_MAX_BYTES, &data, &len, &local_error))
    {
      *absent = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      if (!*absent)
        g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot read %s: %s", path,
                     local_error->message);
      return NULL;
    }
  /* Bounded like every other file a less trusted user could write. */
  root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL);
  if (entries_of (root) == NULL)
    {
      /* Say where, never what: the caller may not be allowed to read it. */
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s: not a valid facts file", path);
      return NULL;
    }
  return g_steal_pointer (&root);
}

GPtrArray *
cma_facts_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func ((GDestroyNotify) cma_facts_free);
  g_autoptr (JsonNode) root = NULL;
  gboolean absent;
  JsonArray *list;

  root = read_root (path, &absent, error);
  if (root == NULL)
    return absent ? g_steal_pointer (&facts) : NULL;
  list = entries_of (root);
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_ptr_array_add (facts, facts_from_json (json_array_get_object_element (list, i)));
  return g_steal_pointer (&facts);
}

static gboolean
is_token_of (const char *server_url, const char *cloud_url, const CmaConnection *conn)
{
  return g_strcmp0 (server_url, conn->server_url) == 0 &&
         g_strcmp0 (cloud_url, conn->cloud_url) == 0;
}

const CmaFacts *
cma_facts_find (GPtrArray *facts, const CmaConnection *conn)
{
  for (guint i = 0; i < facts->len; i++)
    {
      const CmaFacts *f = facts->pdata[i];

      if (is_token_of (f->server_url, f->cloud_url, conn))
        return f;
    }
  return NULL;
}

static gboolean
recent (gboolean known, CmaInstant then, CmaInstant now)
{
  return known && then <= now && now - then < CMA_FACTS_SERVER_TOKEN_INTERVAL_SECONDS;
}

gboolean
cma_facts_server_token_due (const CmaFacts *facts, CmaInstant now)
{
  return facts == NULL ||
         (!recent (facts->server_token.known, facts->server_token.read_at, now) &&
          !recent (facts->server_token_asked.known, facts->server_token_asked.at, now));
}

gboolean
cma_facts_token_check_due (const CmaFacts *facts, CmaInstant now)
{
  return facts == NULL || !recent (facts->token_check.known, facts->token_check.at, now);
}

/* ---- writing ---- */

/* The fact's members, as a new object node. */
static JsonNode *
server_token_to_json (const CmaServerTokenFact *fact)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_json_add_instant (b, "read_at", TRUE, fact->read_at);
  json_builder_set_member_name (b, "expires");
  json_builder_add_boolean_value (b, fact->expires);
  cma_json_add_instant (b, "expires_at", fact->expires, fact->expires_at);
  cma_json_add_string (b, "name", fact->name);
  cma_json_add_string (b, "match", fact->match);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
assistant_to_json (const CmaAssistantFact *fact)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_json_add_instant (b, "read_at", TRUE, fact->read_at);
  cma_json_add_string (b, "version", fact->version);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
token_check_to_json (const CmaTokenCheckFact *fact)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_json_add_instant (b, "at", TRUE, fact->at);
  cma_json_add_string (b, "task_id", fact->task_id);
  cma_json_add_string (b, "status", fact->status);
  cma_json_add_string (b, "outcome", fact->outcome);
  cma_json_add_string (b, "message", fact->message);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
attach_to_json (const CmaAttachFact *fact)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cma_json_add_instant (b, "read_at", TRUE, fact->read_at);
  cma_json_add_instant (b, "attached_at", TRUE, fact->attached_at);
  cma_json_add_instant (b, "until", TRUE, fact->until);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The facts @learnt knows replace @entry's; the rest of it stays. */
static void
merge_into (JsonObject *entry, const CmaConnection *conn, const CmaFacts *learnt)
{
  json_object_set_string_member (entry, "connection", conn->name);
  json_object_set_string_member (entry, "server_url", conn->server_url);
  json_object_set_string_member (entry, "cloud_url", conn->cloud_url);
  if (learnt->server_token.known)
    json_object_set_member (entry, "server_token", server_token_to_json (&learnt->server_token));
  if (learnt->server_token_asked.known)
    {
      g_autofree char *iso = cma_time_format_iso (learnt->server_token_asked.at);

      json_object_set_string_member (entry, "server_token_asked", iso);
    }
  if (learnt->assistant.known)
    json_object_set_member (entry, "assistant", assistant_to_json (&learnt->assistant));
  if (learnt->token_check.known)
    json_object_set_member (entry, "token_check", token_check_to_json (&learnt->token_check));
  if (learnt->attach.known)
    json_object_set_member (entry, "attach", attach_to_json (&learnt->attach));
}

/* @conn's entry in @list, added when there is none. */
static JsonObject *
entry_of (JsonArray *list, const CmaConnection *conn)
{
  JsonObject *entry;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      entry = json_array_get_object_element (list, i);
      if (is_token_of (cma_json_string_member (entry, "server_url"),
                       cma_json_string_member (entry, "cloud_url"), conn))
        return entry;
    }
  entry = json_object_new ();
  json_array_add_object_element (list, entry);
  return entry;
}

static gboolean
save (const char *path, JsonNode *root, int mode, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &len);
  return cma_file_replace_contents (path, data, len, mode, error);
}

gboolean
cma_facts_note (const char *path, const CmaConnection *conn, const CmaFacts *learnt, int mode,
                GError **error)
{
  gboolean absent;
  g_autoptr (JsonNode) root = read_root (path, &absent, NULL);

  /* Absent or damaged alike: what we learnt now is worth more than a
   * file nobody can read, which would stop every later note. */
  if (root == NULL)
    {
      JsonObject *o = json_object_new ();

      json_object_set_array_member (o, "facts", json_array_new ());
      root = json_node_init_object (json_node_alloc (), o);
      json_object_unref (o);
    }
  merge_into (entry_of (entries_of (root), conn), conn, learnt);
  return save (path, root, mode, error);
}
