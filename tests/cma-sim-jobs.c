/* SPDX-License-Identifier: MIT */
/* cma-sim-jobs.c: api.atlassian.com's Migration API jobs, as far as the
 * assistant's verdict needs them: Check tasks of known jobs (--job-id ID or ID=OUTCOME).
 *
 *   POST /migrations/public/v1/jobs/{job}/tasks
 *        {"task":"Check","options":{"checkTypes":{"includeKeys":[KEY]}}}
 *        → {"taskId": ...}; 404 for an unknown job; at most 5 a
 *        --task-window (60 s), then 429 with Retry-After until the oldest
 *        leaves the window; the first --tasks-busy creations 429 with
 *        --retry-after
 *   GET  /migrations/public/v1/jobs/{job}/tasks/{task}/status
 *        → {"data":{"status","outcome","message","children":{KEY:{...}}}}
 *        PENDING at the first poll, IN_PROGRESS at the second, FINISHED
 *        from the third, with --check-outcome (SUCCESS by default); a
 *        FAILED check carries the assistant's message.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "cma-sim.h"

#define JOBS_PREFIX "/migrations/public/v1/jobs/"

/* What the real assistant says of a token it has marked failed. */
#define FAILED_MESSAGE "Your cloud token has expired. Reconnect to your cloud site and try again."

typedef struct {
  char *job;
  char *key; /* the one check asked for */
  guint polls;
} Task;

void
task_free (gpointer data)
{
  Task *task = data;

  g_free (task->job);
  g_free (task->key);
  g_free (task);
}

gboolean
is_jobs_path (const char *path)
{
  return g_str_has_prefix (path, JOBS_PREFIX);
}

/* The --job-id entry naming @job ("ID" or "ID=OUTCOME"), or NULL. */
static const char *
job_entry (Sim *sim, const char *job)
{
  gsize len = strlen (job);

  for (char **id = sim->job_ids; id != NULL && *id != NULL; id++)
    if (strncmp (*id, job, len) == 0 && ((*id)[len] == '\0' || (*id)[len] == '='))
      return *id;
  return NULL;
}

/* Every Check task of @job finishes with this outcome. */
static const char *
job_outcome (Sim *sim, const char *job)
{
  const char *entry = job_entry (sim, job);
  const char *eq = entry != NULL ? strchr (entry, '=') : NULL;

  if (eq != NULL)
    return eq + 1;
  return sim->check_outcome != NULL ? sim->check_outcome : "SUCCESS";
}

/* Seconds until a creation is allowed again, or 0 now; forgets the
 * creations that left the window. */
static guint
creation_wait (Sim *sim)
{
  gint64 now = g_get_monotonic_time ();
  gint64 window = (gint64) sim->task_window * G_USEC_PER_SEC;

  while (!g_queue_is_empty (sim->task_times) &&
         now - *(gint64 *) g_queue_peek_head (sim->task_times) >= window)
    g_free (g_queue_pop_head (sim->task_times));
  if (g_queue_get_length (sim->task_times) < 5)
    return 0;
  return (guint) ceil ((double) (*(gint64 *) g_queue_peek_head (sim->task_times) + window - now) /
                       G_USEC_PER_SEC);
}

/* The one key of options.checkTypes.includeKeys, or NULL. */
static const char *
included_key (JsonObject *body)
{
  JsonNode *options = json_object_get_member (body, "options");
  JsonNode *types, *keys;
  JsonArray *array;

  if (options == NULL || !JSON_NODE_HOLDS_OBJECT (options) ||
      (types = json_object_get_member (json_node_get_object (options), "checkTypes")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (types) ||
      (keys = json_object_get_member (json_node_get_object (types), "includeKeys")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (keys))
    return NULL;
  array = json_node_get_array (keys);
  if (json_array_get_length (array) != 1 ||
      !JSON_NODE_HOLDS_VALUE (json_array_get_element (array, 0)))
    return NULL;
  return json_array_get_string_element (array, 0);
}

static void
create_task (Sim *sim, SoupServerMessage *msg, const char *job)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  JsonObject *body = parse_body_object (msg, parser);
  const char *key = body != NULL ? included_key (body) : NULL;
  g_autofree char *id = NULL;
  Task *task;
  guint wait;

  if (body == NULL || g_strcmp0 (get_string_member (body, "task"), "Check") != 0 || key == NULL)
    {
      answer_cloud_error (msg, SOUP_STATUS_BAD_REQUEST, "a Check task with one includeKeys");
      return;
    }
  if (sim->tasks_busy > 0)
    {
      sim->tasks_busy--;
      answer_retry_later (sim, msg, STATUS_TOO_MANY_REQUESTS, TRUE);
      return;
    }
  if ((wait = creation_wait (sim)) > 0)
    {
      char value[16];

      g_snprintf (value, sizeof value, "%u", wait);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    value);
      answer_cloud_error (msg, STATUS_TOO_MANY_REQUESTS, "Rate limit exceeded");
      return;
    }
  g_queue_push_tail (sim->task_times,
                     g_memdup2 (&(gint64){ g_get_monotonic_time () }, sizeof (gint64)));
  sim->tasks_created++;
  id = g_strdup_printf ("task-%" G_GUINT64_FORMAT, sim->tasks_created);
  task = g_new0 (Task, 1);
  task->job = g_strdup (job);
  task->key = g_strdup (key);
  g_hash_table_insert (sim->tasks, g_strdup (id), task);
  json_builder_begin_object (builder);
  member_string (builder, "taskId", id);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_CREATED, builder);
}

static void
add_child (Sim *sim, JsonBuilder *builder, const Task *task, const char *status)
{
  const char *outcome = job_outcome (sim, task->job);

  json_builder_set_member_name (builder, "children");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, task->key);
  json_builder_begin_object (builder);
  member_string (builder, "status", status);
  if (g_str_equal (status, "FINISHED"))
    member_string (builder, "outcome", outcome);
  if (g_str_equal (status, "FINISHED") && g_str_equal (outcome, "FAILED"))
    {
      member_string (builder, "message", FAILED_MESSAGE);
      member_boolean (builder, "excludable", FALSE);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
answer_status (Sim *sim, SoupServerMessage *msg, Task *task)
{
  static const char *const steps[] = { "PENDING", "IN_PROGRESS", "FINISHED" };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *outcome = job_outcome (sim, task->job);
  const char *status = steps[MIN (task->polls, G_N_ELEMENTS (steps) - 1)];

  task->polls++;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  member_string (builder, "status", status);
  if (g_str_equal (status, "FINISHED"))
    {
      member_string (builder, "outcome", outcome);
      member_string (builder, "message",
                     g_str_equal (outcome, "FAILED") ? "Some Preflight checks have failed."
                                                     : "All Preflight checks have passed.");
    }
  add_child (sim, builder, task, status);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "links");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

void
handle_jobs (Sim *sim, SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) parts = g_strsplit (path + strlen (JOBS_PREFIX), "/", -1);
  guint n = g_strv_length (parts);
  Task *task;

  if (!basic_auth_matches (msg, sim->cloud_user, sim->cloud_password))
    answer_cloud_error (msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized");
  else if (n < 2 || !g_str_equal (parts[1], "tasks") || job_entry (sim, parts[0]) == NULL)
    answer_cloud_error (msg, SOUP_STATUS_NOT_FOUND, "Job not found");
  else if (n == 2)
    {
      if (g_str_equal (method, SOUP_METHOD_POST))
        create_task (sim, msg, parts[0]);
      else
        answer_bad_method (msg, "POST");
    }
  else if (n == 4 && g_str_equal (parts[3], "status") &&
           (task = g_hash_table_lookup (sim->tasks, parts[2])) != NULL &&
           g_str_equal (task->job, parts[0]))
    {
      if (g_str_equal (method, SOUP_METHOD_GET))
        answer_status (sim, msg, task);
      else
        answer_bad_method (msg, "GET");
    }
  else
    answer_cloud_error (msg, SOUP_STATUS_NOT_FOUND, "Task not found");
}
