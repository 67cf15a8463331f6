/* SPDX-License-Identifier: MIT */
/* cma-sim-http.c: what both sides of the simulator answer with, how an
 * answer leaves (after --latency-ms, with the Date of --date-offset), and
 * the request helpers both sides read requests with.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cma-sim.h"

typedef struct {
  Sim *sim;
  SoupServerMessage *msg;
} Delayed;

/* ------------------------------------------------------------------ */
/* Answers                                                             */

void
answer_text (SoupServerMessage *msg, guint status, const char *content_type, const char *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

void
answer_json_as (SoupServerMessage *msg, guint status, const char *content_type,
                JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, length);
}

void
answer_json (SoupServerMessage *msg, guint status, JsonBuilder *builder)
{
  answer_json_as (msg, status, "application/json", builder);
}

/* One "name": value member each; keeps the builders below readable. */
void
member_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
member_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
member_boolean (JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* api.atlassian.com's error shape: {"code": N, "message": "..."}. */
void
answer_cloud_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_int (builder, "code", status);
  member_string (builder, "message", message);
  json_builder_end_object (builder);
  answer_json (msg, status, builder);
}

/* Jira's REST error shape. */
void
answer_server_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_string (builder, "message", message);
  member_int (builder, "status-code", status);
  json_builder_end_object (builder);
  answer_json (msg, status, builder);
}

void
answer_not_found (SoupServerMessage *msg)
{
  answer_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
}

void
answer_bad_method (SoupServerMessage *msg, const char *allowed)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed);
  answer_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "Method Not Allowed\n");
}

void
answer_retry_later (Sim *sim, SoupServerMessage *msg, guint status, gboolean cloud)
{
  /* libsoup 3.2 calls 429 "Unknown Error". */
  const char *phrase =
      status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : soup_status_get_phrase (status);
  char value[32];

  g_snprintf (value, sizeof value, "%d", sim->retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                value);
  if (cloud)
    answer_cloud_error (msg, status, phrase);
  else
    answer_text (msg, status, "text/plain", phrase);
  soup_server_message_set_status (msg, status, phrase);
}

/* Stamped when the answer really leaves, i.e. after any --latency-ms, so
 * that clock-skew tests see the offset and nothing else. */
void
set_common_headers (Sim *sim, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) skewed = g_date_time_add_seconds (now, sim->date_offset);
  g_autofree char *date = soup_date_time_to_string (skewed, SOUP_DATE_HTTP);

  soup_message_headers_replace (headers, "Date", date);
  soup_message_headers_replace (headers, "Server", "cma-sim");
}

static void
log_answer (Sim *sim, SoupServerMessage *msg)
{
  /* Method, path and status only: never headers (Authorization) or bodies
   * (tokens), since test logs end up in CI artefacts. */
  if (sim->log == NULL)
    return;
  fprintf (sim->log, "%s %s %u\n", soup_server_message_get_method (msg),
           g_uri_get_path (soup_server_message_get_uri (msg)),
           soup_server_message_get_status (msg));
  fflush (sim->log);
}

static gboolean
deliver_delayed (gpointer data)
{
  Delayed *delayed = data;

  set_common_headers (delayed->sim, delayed->msg);
  log_answer (delayed->sim, delayed->msg);
  soup_server_message_unpause (delayed->msg);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (gpointer data)
{
  Delayed *delayed = data;

  g_object_unref (delayed->msg);
  g_free (delayed);
}

/* Hands a fully prepared answer over, after --latency-ms if any.  The
 * message is paused rather than the loop blocked so that concurrent
 * clients see independent delays. */
void
deliver (Sim *sim, SoupServerMessage *msg)
{
  Delayed *delayed;

  if (sim->latency_ms <= 0 || g_object_get_data (G_OBJECT (msg), "cma-sim-taken-over") != NULL)
    {
      set_common_headers (sim, msg);
      log_answer (sim, msg);
      return;
    }
  delayed = g_new0 (Delayed, 1);
  delayed->sim = sim;
  delayed->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  g_timeout_add_full (G_PRIORITY_DEFAULT, sim->latency_ms, deliver_delayed, delayed, delayed_free);
}

/* ------------------------------------------------------------------ */
/* Request helpers                                                     */

gboolean
has_fault (Sim *sim, Fault fault)
{
  return (sim->faults & (G_GUINT64_CONSTANT (1) << fault)) != 0;
}

/* For 429/503: fire --fail-count times per fault, then behave; 0 = always. */
gboolean
retry_fault_fires (Sim *sim, Fault fault)
{
  guint *served = &sim->fault_served[fault];

  if (!has_fault (sim, fault))
    return FALSE;
  if (sim->fail_count > 0 && *served >= (guint) sim->fail_count)
    return FALSE;
  (*served)++;
  return TRUE;
}

gboolean
is_json_request (SoupServerMessage *msg)
{
  const char *type;

  type =
      soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Returns the body's top-level object (owned by @parser), or NULL. */
JsonObject *
parse_body_object (SoupServerMessage *msg, JsonParser *parser)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (data == NULL || length == 0 || !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_node_get_object (root);
}

const char *
get_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* What careless servers say in a 401 (--fault echo-credentials): the
 * Authorization header and the body's "token" quoted back, short enough
 * that a client's cut at 160 bytes keeps them whole. */
char *
echo_credentials (SoupServerMessage *msg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *body = parse_body_object (msg, parser);
  const char *token = body ? get_string_member (body, "token") : NULL;
  const char *auth =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  return g_strdup_printf ("bad %s%s%s", auth ? auth : "(none)", token ? " for " : "",
                          token ? token : "");
}

/* Splits "Basic base64(user:password)"; FALSE if it is anything else. */
static gboolean
parse_basic_auth (const char *header, char **user, char **password)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize length;
  char *colon;

  if (header == NULL || g_ascii_strncasecmp (header, "Basic ", 6) != 0)
    return FALSE;
  decoded = g_base64_decode (header + 6, &length);
  text = g_strndup ((const char *) decoded, length);
  colon = strchr (text, ':');
  if (colon == NULL)
    return FALSE;
  *user = g_strndup (text, colon - text);
  *password = g_strdup (colon + 1);
  return TRUE;
}

gboolean
basic_auth_matches (SoupServerMessage *msg, const char *want_user, const char *want_password)
{
  const char *header;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  header =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (!parse_basic_auth (header, &user, &password))
    return FALSE;
  return g_str_equal (user, want_user) && g_str_equal (password, want_password);
}

/* "[[[[...]]]]": 100,000 levels, which overflow a recursive parser's stack. */
void
answer_deep_json (SoupServerMessage *msg, const char *content_type)
{
  const gsize depth = 100000;
  char *text = g_malloc (2 * depth);

  memset (text, '[', depth);
  memset (text + depth, ']', depth);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, 2 * depth);
}

/* A 200 whose first header line starts with a space: no field line is
 * there for it to continue (RFC 9112, 2.2 and 5.2), as a broken proxy may
 * send. libsoup writes no such answer, so it goes out on the connection
 * taken over from libsoup, which is then closed. */
void
answer_space_first_header (SoupServerMessage *msg, const char *json)
{
  g_autoptr (GIOStream) stream = NULL;
  g_autofree char *raw = NULL;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL); /* for the log */
  /* deliver () must not pause or unpause it: libsoup is done with it. */
  g_object_set_data (G_OBJECT (msg), "cma-sim-taken-over", GINT_TO_POINTER (TRUE));
  stream = soup_server_message_steal_connection (msg);
  raw = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                         " X-Continued: a line with no field before it\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: %zu\r\n"
                         "Connection: close\r\n"
                         "\r\n%s",
                         strlen (json), json);
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), raw, strlen (raw), NULL, NULL,
                             NULL);
  g_io_stream_close (stream, NULL, NULL);
}

/* What hostile faults put in server-chosen text: clear the screen, set the
 * window title, and forge a line of output. */
const char HOSTILE_TEXT[] = "\033[2J\033]0;pwned\007\rprod: renewed (forged)\n";
/* The same for a header, where CR and LF would end it. */
const char HOSTILE_HEADER[] = "\033[2J\033[1Apwned\007text/html";
