/* SPDX-License-Identifier: MIT */
/* cma-api-check.c: a Check task limited to the container token check. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cma-api-answer.h"
#include "cma-api-check.h"
#include "cma-error.h"
#include "cma-json.h"
#include "cma-url.h"

/* Task ids, statuses and outcomes are short words; messages a sentence. */
#define MAX_WORD    80
#define MAX_MESSAGE 300

#define FIRST_POLL_SECONDS 0.1
#define MAX_POLL_SECONDS   5.0

void
cma_token_check_clear (CmaTokenCheck *check)
{
  g_clear_pointer (&check->task_id, g_free);
  g_clear_pointer (&check->status, g_free);
  g_clear_pointer (&check->outcome, g_free);
  g_clear_pointer (&check->message, g_free);
}

/* {cloud-api-url}migrations/public/v1/jobs/{job-id}/tasks[@rest] */
static char *
tasks_url (const CmaApiContext *ctx, const char *rest)
{
  g_autofree char *job = g_uri_escape_string (ctx->conn->job_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("migrations/public/v1/jobs/", job, "/tasks", rest, NULL);

  return cma_url_join (ctx->conn->cloud_api_url, path);
}

static gboolean
fail_answer (const CmaApiContext *ctx, const char *url, const CmaHttpResponse *r, GError **error)
{
  g_autofree char *said = cma_answer_suffix (r);
  const char *retry = cma_http_response_header (r, "retry-after");

  if (r->status == 404)
    g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                 "cloud %s: no Migration API job %s (HTTP 404)%s; check job-id", url,
                 ctx->conn->job_id, said);
  else if (r->status == 401 || r->status == 403)
    g_set_error (error, CMA_ERROR, CMA_ERROR_AUTH,
                 "cloud %s refused cloud-user %s (HTTP %ld)%s; the job's checks need a site or "
                 "org admin's API token",
                 url, ctx->conn->cloud_user, r->status, said);
  else if (r->status == 429)
    g_set_error (error, CMA_ERROR, CMA_ERROR_TEMPORARY,
                 "cloud %s answered HTTP 429: the Migration API creates at most 5 tasks a "
                 "minute; try again in %s s",
                 url, retry != NULL ? retry : "60");
  else
    g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "cloud %s answered HTTP %ld%s", url,
                 r->status, said);
  return FALSE;
}

/* The answer's JSON object, or NULL with @error set. */
static JsonObject *
answer_object (const CmaApiContext *ctx, const char *url, const CmaHttpResponse *r, JsonNode **root,
               GError **error)
{
  const char *data;
  gsize len = 0;

  if (r->status < 200 || r->status > 299)
    {
      fail_answer (ctx, url, r, error);
      return NULL;
    }
  data = r->body != NULL ? g_bytes_get_data (r->body, &len) : NULL;
  if (!cma_http_response_is_json (r) || data == NULL ||
      (*root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (*root))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "cloud %s answered without a JSON object",
                   url);
      return NULL;
    }
  return json_node_get_object (*root);
}

static char *
create_task (CmaHttp *http, const CmaApiContext *ctx, const char *auth, GError **error)
{
  g_autofree char *url = tasks_url (ctx, "");
  g_autofree char *key = g_strescape (ctx->product->token_check_key, NULL);
  g_autofree char *body = g_strdup_printf (
      "{\"task\":\"Check\",\"options\":{\"checkTypes\":{\"includeKeys\":[\"%s\"]}}}", key);
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  const char *id;

  r = cma_http_request (http, CMA_SIDE_CLOUD, "POST", url, auth, body, error);
  if (r == NULL || (obj = answer_object (ctx, url, r, &root, error)) == NULL)
    return NULL;
  if ((id = cma_json_string_member (obj, "taskId")) == NULL || *id == '\0')
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "cloud %s answered without a \"taskId\"",
                   url);
      return NULL;
    }
  return cma_answer_text (r, id, MAX_WORD);
}

/* Kept in the facts and shown by status: redacted as every server text. */
static char *
member_text (const CmaHttpResponse *r, JsonObject *obj, const char *name, gsize max)
{
  const char *value = obj != NULL ? cma_json_string_member (obj, name) : NULL;

  return value != NULL && *value != '\0' ? cma_answer_text (r, value, max) : NULL;
}

gboolean
cma_token_check_read (const CmaHttpResponse *r, JsonObject *answer, const char *key,
                      CmaTokenCheck *out)
{
  JsonNode *data = json_object_get_member (answer, "data");
  JsonObject *d, *child = NULL;
  JsonNode *children, *node;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return FALSE;
  d = json_node_get_object (data);
  children = json_object_get_member (d, "children");
  if (children != NULL && JSON_NODE_HOLDS_OBJECT (children) &&
      (node = json_object_get_member (json_node_get_object (children), key)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (node))
    child = json_node_get_object (node);
  g_free (out->status);
  g_free (out->outcome);
  g_free (out->message);
  out->status = member_text (r, d, "status", MAX_WORD);
  out->outcome = member_text (r, child, "outcome", MAX_WORD);
  if (out->outcome == NULL)
    out->outcome = member_text (r, d, "outcome", MAX_WORD);
  out->message = member_text (r, child, "message", MAX_MESSAGE);
  if (out->message == NULL)
    out->message = member_text (r, d, "message", MAX_MESSAGE);
  return out->status != NULL;
}

static gboolean
poll_status (CmaHttp *http, const CmaApiContext *ctx, const char *auth, CmaTokenCheck *out,
             GError **error)
{
  g_autofree char *task = g_uri_escape_string (out->task_id, NULL, FALSE);
  g_autofree char *rest = g_strconcat ("/", task, "/status?expandChildren=true", NULL);
  g_autofree char *url = tasks_url (ctx, rest);
  g_autoptr (CmaHttpResponse) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;

  r = cma_http_request (http, CMA_SIDE_CLOUD, "GET", url, auth, NULL, error);
  if (r == NULL || (obj = answer_object (ctx, url, r, &root, error)) == NULL)
    return FALSE;
  if (!cma_token_check_read (r, obj, ctx->product->token_check_key, out))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL, "cloud %s answered without data.status",
                   url);
      return FALSE;
    }
  return TRUE;
}

gboolean
cma_api_token_check (CmaHttp *http, const CmaApiContext *ctx, double max_wait, CmaTokenCheck *out,
                     GError **error)
{
  g_auto (CmaWiped) auth = cma_api_cloud_authorization (ctx);
  gint64 deadline = g_get_monotonic_time () + (gint64) (max_wait * G_USEC_PER_SEC);
  double pause = FIRST_POLL_SECONDS;

  g_return_val_if_fail (ctx->product->token_check_key != NULL && ctx->conn->job_id != NULL, FALSE);
  if (auth == NULL || (out->task_id = create_task (http, ctx, auth, error)) == NULL)
    return FALSE;
  while (poll_status (http, ctx, auth, out, error))
    {
      if (g_str_equal (out->status, "FINISHED"))
        return TRUE;
      if (g_get_monotonic_time () + (gint64) (pause * G_USEC_PER_SEC) > deadline)
        {
          g_clear_pointer (&out->outcome, g_free); /* unfinished: no verdict */
          return TRUE;
        }
      g_usleep ((gulong) (pause * G_USEC_PER_SEC));
      pause = MIN (pause * 2, MAX_POLL_SECONDS);
    }
  return FALSE;
}

gboolean
cma_token_check_remember (CmaStore *store, const CmaConnection *conn, const CmaTokenCheck *check,
                          CmaInstant at, GError **error)
{
  g_autoptr (CmaFacts) learnt = cma_facts_new (conn);
  CmaTokenCheckFact *fact = &learnt->token_check;

  fact->known = TRUE;
  fact->at = at;
  fact->task_id = g_strdup (check->task_id);
  fact->status = g_strdup (check->status);
  fact->outcome = g_strdup (check->outcome);
  fact->message = g_strdup (check->message);
  return cma_store_note_facts (store, conn, learnt, error);
}

char *
cma_token_check_unknown (const CmaProduct *product)
{
  if (product->token_check_key != NULL)
    return NULL;
  return g_strdup_printf ("no container-token check key is known for %s; the assistant's verdict "
                          "is not asked",
                          product->assistant_abbrev);
}
