/* cma-sim.c: test-bed simulator for cma-token.
 *
 * One HTTPS server on 127.0.0.1 that plays two parts at once:
 *
 *  - api.atlassian.com's  POST /migrations/public/v1/token  (cloud side), and
 *  - a Jira/Confluence server under --context-path with the Cloud Migration
 *    Assistant's  POST {context}/rest/migration/latest/cloud/save/token,
 *    the connected-site list, UPM's plugin resource and /rest/api/2/myself.
 *
 * Tokens issued by the cloud side are remembered with the exact cloudUrl
 * string and a monotonic creation time, so save/token can refuse stale or
 * mismatched tokens the way the real assistant does ("Exception in saving
 * token.", HTTP 500).  --fault switches on one misbehaviour each, so the
 * tool's error paths can be exercised without the real services.
 *
 * GET /_sim/stats reports counters for tests and benchmarks, GET /_sim/sites
 * the saved cloudUrl strings; /_sim/ needs no auth and is neither counted
 * nor logged nor delayed, so that observing the simulator does not change
 * what is observed.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define CLOUD_TOKEN_PATH  "/migrations/public/v1/token"
#define CLOUD_TOKEN_URI   "https://api.atlassian.com" CLOUD_TOKEN_PATH
#define SAVE_TOKEN_PATH   "/rest/migration/latest/cloud/save/token"
#define CLOUD_LIST_PATH   "/rest/migration/latest/cloud"
#define PLUGIN_PATH       "/rest/plugins/1.0/"
#define PLUGIN_SUFFIX     "-key"
#define MYSELF_PATH       "/rest/api/2/myself"
#define SIM_PREFIX        "/_sim/"

/* libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

#define SAVE_FAILED_TEXT  "Exception in saving token."
/* What cloud-oversized pads its answer to: far above anything a sane
 * client should accept from a token endpoint. */
#define OVERSIZED_BYTES   (4 * 1024 * 1024)
/* Past this many remembered tokens, expired ones are dropped so that a long
 * benchmark does not grow without bound. */
#define TOKEN_PRUNE_LIMIT 1024

typedef enum
{
  FAULT_CLOUD_401,
  FAULT_CLOUD_403,
  FAULT_SERVER_401,
  FAULT_SERVER_403,
  FAULT_SERVER_LOGIN_PAGE,
  FAULT_SERVER_LOGIN_REDIRECT,
  FAULT_SAVE_404,
  FAULT_SAVE_500,
  FAULT_PLUGIN_MISSING,
  FAULT_PLUGIN_OLD,
  FAULT_PLUGIN_DISABLED,
  FAULT_PLUGIN_500,
  FAULT_CLOUD_429,
  FAULT_CLOUD_503,
  FAULT_SERVER_429,
  FAULT_SERVER_503,
  FAULT_CLOUD_MALFORMED,
  FAULT_CLOUD_TRUNCATED,
  FAULT_CLOUD_OVERSIZED,
  FAULT_CLOUD_MISSING_TOKEN,
  FAULT_CLOUD_WRONG_TYPE,
  FAULT_SERVER_MALFORMED,
  FAULT_SERVER_WRONG_TYPE,
  N_FAULTS
} Fault;

static const char *const fault_names[N_FAULTS] = {
  [FAULT_CLOUD_401] = "cloud-401",
  [FAULT_CLOUD_403] = "cloud-403",
  [FAULT_SERVER_401] = "server-401",
  [FAULT_SERVER_403] = "server-403",
  [FAULT_SERVER_LOGIN_PAGE] = "server-login-page",
  [FAULT_SERVER_LOGIN_REDIRECT] = "server-login-redirect",
  [FAULT_SAVE_404] = "save-404",
  [FAULT_SAVE_500] = "save-500",
  [FAULT_PLUGIN_MISSING] = "plugin-missing",
  [FAULT_PLUGIN_OLD] = "plugin-old",
  [FAULT_PLUGIN_DISABLED] = "plugin-disabled",
  [FAULT_PLUGIN_500] = "plugin-500",
  [FAULT_CLOUD_429] = "cloud-429",
  [FAULT_CLOUD_503] = "cloud-503",
  [FAULT_SERVER_429] = "server-429",
  [FAULT_SERVER_503] = "server-503",
  [FAULT_CLOUD_MALFORMED] = "cloud-malformed",
  [FAULT_CLOUD_TRUNCATED] = "cloud-truncated",
  [FAULT_CLOUD_OVERSIZED] = "cloud-oversized",
  [FAULT_CLOUD_MISSING_TOKEN] = "cloud-missing-token",
  [FAULT_CLOUD_WRONG_TYPE] = "cloud-wrong-type",
  [FAULT_SERVER_MALFORMED] = "server-malformed",
  [FAULT_SERVER_WRONG_TYPE] = "server-wrong-type",
};

/* The server-side resources; which ones need an administrator matters for
 * server-403, which plays a valid but unprivileged account. */
typedef enum
{
  ENDPOINT_NONE,
  ENDPOINT_SAVE_TOKEN,
  ENDPOINT_CLOUD_LIST,
  ENDPOINT_PLUGIN,
  ENDPOINT_MYSELF,
} Endpoint;

typedef struct
{
  char *cloud_url;
  gint64 created;               /* g_get_monotonic_time () */
} IssuedToken;

typedef struct
{
  char *cloud_url;
  char *cloud_id;
  guint saves;                  /* successful save/token calls */
  gint64 last_saved;            /* g_get_real_time () of the latest */
} Site;

typedef struct
{
  /* Options, as given. */
  char *cert_file;
  char *key_file;
  char *port_file;
  int port;
  gboolean plain_http;
  char *context_path;
  char *cloud_user;
  char *cloud_token_file;
  char *server_token_file;
  char *server_user;
  char *plugin_key;
  char *plugin_version;
  int token_validity;
  int latency_ms;
  int retry_after;
  int fail_count;
  gint64 date_offset;
  char **fault_args;
  char *log_file;

  /* Derived from the options. */
  char *context;                /* "" or "/jira": no trailing slash */
  char *cloud_password;
  char *server_secret;
  guint32 faults;               /* bit (1 << Fault) per --fault */
  FILE *log;

  /* State. */
  GHashTable *tokens;           /* token string → IssuedToken */
  GPtrArray *sites;             /* Site, in order of first save */
  GHashTable *conns;            /* GSocket * → Conn, for live connections */
  guint fault_served[N_FAULTS];
  guint64 requests;
  guint64 posts;
  guint64 connections;
  guint64 saved;
  guint64 tokens_issued;
} Sim;

typedef struct
{
  Sim *sim;
  SoupServerMessage *msg;
} Delayed;

/* What we know about one client connection (libsoup owns the socket). */
typedef struct
{
  Sim *sim;
  GSocket *sock;
  GSource *idle_watch;          /* see idle_connection_ready () */
  guint idle_wakeups;           /* with data pending, since it went idle */
  gboolean counted;             /* already in Sim.connections */
} Conn;

static void
issued_token_free (gpointer data)
{
  IssuedToken *token = data;

  g_free (token->cloud_url);
  g_free (token);
}

static void
site_free (gpointer data)
{
  Site *site = data;

  g_free (site->cloud_url);
  g_free (site->cloud_id);
  g_free (site);
}

static void
conn_stop_watch (Conn *conn)
{
  if (conn->idle_watch == NULL)
    return;
  g_source_destroy (conn->idle_watch);
  g_clear_pointer (&conn->idle_watch, g_source_unref);
}

static void
conn_free (Conn *conn)
{
  conn_stop_watch (conn);
  g_free (conn);
}

/* Weak notify: the socket is gone, so its address may be handed to the
 * next connection's socket and must not find this entry. */
static void
conn_socket_finalized (gpointer data,
                       GObject *where_the_object_was)
{
  Sim *sim = data;
  gpointer conn;

  if (g_hash_table_steal_extended (sim->conns, where_the_object_was, NULL, &conn))
    conn_free (conn);
}

static void
conn_forget (Conn *conn)
{
  Sim *sim = conn->sim;

  g_object_weak_unref (G_OBJECT (conn->sock), conn_socket_finalized, sim);
  g_hash_table_steal (sim->conns, conn->sock);
  conn_free (conn);
}

static void
sim_free (Sim *sim)
{
  GHashTableIter iter;
  gpointer conn;

  /* Sockets may outlive us; their weak refs must not reach freed memory. */
  g_hash_table_iter_init (&iter, sim->conns);
  while (g_hash_table_iter_next (&iter, NULL, &conn))
    {
      g_hash_table_iter_steal (&iter);
      g_object_weak_unref (G_OBJECT (((Conn *) conn)->sock), conn_socket_finalized, sim);
      conn_free (conn);
    }
  g_hash_table_unref (sim->conns);
  g_hash_table_unref (sim->tokens);
  g_ptr_array_unref (sim->sites);
  if (sim->log != NULL)
    fclose (sim->log);

  g_free (sim->cert_file);
  g_free (sim->key_file);
  g_free (sim->port_file);
  g_free (sim->context_path);
  g_free (sim->cloud_user);
  g_free (sim->cloud_token_file);
  g_free (sim->server_token_file);
  g_free (sim->server_user);
  g_free (sim->plugin_key);
  g_free (sim->plugin_version);
  g_strfreev (sim->fault_args);
  g_free (sim->log_file);
  g_free (sim->context);
  g_free (sim->cloud_password);
  g_free (sim->server_secret);
  g_free (sim);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sim, sim_free)

static Sim *
sim_new (void)
{
  Sim *sim = g_new0 (Sim, 1);

  sim->context_path = g_strdup ("/jira");
  sim->cloud_user = g_strdup ("admin@example.com");
  sim->server_user = g_strdup ("admin");
  sim->plugin_key = g_strdup ("com.atlassian.jira.migration.jira-migration-plugin");
  sim->plugin_version = g_strdup ("1.12.40");
  sim->token_validity = 300;
  sim->retry_after = 1;
  sim->fail_count = 1;
  sim->tokens = g_hash_table_new_full (g_str_hash, g_str_equal,
                                       g_free, issued_token_free);
  sim->sites = g_ptr_array_new_with_free_func (site_free);
  sim->conns = g_hash_table_new (g_direct_hash, g_direct_equal);
  return sim;
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

static void
answer_text (SoupServerMessage *msg,
             guint status,
             const char *content_type,
             const char *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

static void
answer_json_as (SoupServerMessage *msg,
                guint status,
                const char *content_type,
                JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type,
                                    SOUP_MEMORY_TAKE, text, length);
}

static void
answer_json (SoupServerMessage *msg,
             guint status,
             JsonBuilder *builder)
{
  answer_json_as (msg, status, "application/json", builder);
}

/* One "name": value member each; keeps the builders below readable. */
static void
member_string (JsonBuilder *builder,
               const char *name,
               const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
member_int (JsonBuilder *builder,
            const char *name,
            gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
member_boolean (JsonBuilder *builder,
                const char *name,
                gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* api.atlassian.com's error shape: {"code": N, "message": "..."}. */
static void
answer_cloud_error (SoupServerMessage *msg,
                    guint status,
                    const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_int (builder, "code", status);
  member_string (builder, "message", message);
  json_builder_end_object (builder);
  answer_json (msg, status, builder);
}

/* Jira's REST error shape. */
static void
answer_server_error (SoupServerMessage *msg,
                     guint status,
                     const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_string (builder, "message", message);
  member_int (builder, "status-code", status);
  json_builder_end_object (builder);
  answer_json (msg, status, builder);
}

static void
answer_not_found (SoupServerMessage *msg)
{
  answer_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
}

static void
answer_bad_method (SoupServerMessage *msg,
                   const char *allowed)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", allowed);
  answer_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
               "Method Not Allowed\n");
}

static void
answer_retry_later (Sim *sim,
                    SoupServerMessage *msg,
                    guint status,
                    gboolean cloud)
{
  /* libsoup 3.2 calls 429 "Unknown Error". */
  const char *phrase = status == STATUS_TOO_MANY_REQUESTS
                       ? "Too Many Requests" : soup_status_get_phrase (status);
  char value[32];

  g_snprintf (value, sizeof value, "%d", sim->retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", value);
  if (cloud)
    answer_cloud_error (msg, status, phrase);
  else
    answer_text (msg, status, "text/plain", phrase);
  soup_server_message_set_status (msg, status, phrase);
}

/* Stamped when the answer really leaves, i.e. after any --latency-ms, so
 * that clock-skew tests see the offset and nothing else. */
static void
set_common_headers (Sim *sim,
                    SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) skewed = g_date_time_add_seconds (now, sim->date_offset);
  g_autofree char *date = soup_date_time_to_string (skewed, SOUP_DATE_HTTP);

  soup_message_headers_replace (headers, "Date", date);
  soup_message_headers_replace (headers, "Server", "cma-sim");
}

static void
log_answer (Sim *sim,
            SoupServerMessage *msg)
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
static void
deliver (Sim *sim,
         SoupServerMessage *msg)
{
  Delayed *delayed;

  if (sim->latency_ms <= 0)
    {
      set_common_headers (sim, msg);
      log_answer (sim, msg);
      return;
    }
  delayed = g_new0 (Delayed, 1);
  delayed->sim = sim;
  delayed->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  g_timeout_add_full (G_PRIORITY_DEFAULT, sim->latency_ms,
                      deliver_delayed, delayed, delayed_free);
}

/* ------------------------------------------------------------------ */
/* Request helpers                                                     */

static gboolean
has_fault (Sim *sim,
           Fault fault)
{
  return (sim->faults & (1u << fault)) != 0;
}

/* For 429/503: fire --fail-count times per fault, then behave; 0 = always. */
static gboolean
retry_fault_fires (Sim *sim,
                   Fault fault)
{
  guint *served = &sim->fault_served[fault];

  if (!has_fault (sim, fault))
    return FALSE;
  if (sim->fail_count > 0 && *served >= (guint) sim->fail_count)
    return FALSE;
  (*served)++;
  return TRUE;
}

static gboolean
is_json_request (SoupServerMessage *msg)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                                NULL);
  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Returns the body's top-level object (owned by @parser), or NULL. */
static JsonObject *
parse_body_object (SoupServerMessage *msg,
                   JsonParser *parser)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (data == NULL || length == 0
      || !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_node_get_object (root);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Splits "Basic base64(user:password)"; FALSE if it is anything else. */
static gboolean
parse_basic_auth (const char *header,
                  char **user,
                  char **password)
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

static gboolean
basic_auth_matches (SoupServerMessage *msg,
                    const char *want_user,
                    const char *want_password)
{
  const char *header;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  if (!parse_basic_auth (header, &user, &password))
    return FALSE;
  return g_str_equal (user, want_user) && g_str_equal (password, want_password);
}

/* Jira and Confluence accept a personal access token as Bearer, or an
 * administrator's user name and password as Basic. */
static gboolean
server_auth_ok (Sim *sim,
                SoupServerMessage *msg)
{
  const char *header;

  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    return g_str_equal (header + 7, sim->server_secret);
  return basic_auth_matches (msg, sim->server_user, sim->server_secret);
}

/* 40+ characters of base64url, like Atlassian's opaque tokens. */
static char *
random_token (void)
{
  guint32 words[12];
  char *text;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (words); i++)
    words[i] = g_random_int ();
  text = g_base64_encode ((const guchar *) words, sizeof words);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  g_strdelimit (text, "=", '\0');
  return text;
}

static Conn *
conn_lookup (Sim *sim,
             SoupServerMessage *msg)
{
  GSocket *sock = soup_server_message_get_socket (msg);
  Conn *conn;

  if (sock == NULL)
    return NULL;
  conn = g_hash_table_lookup (sim->conns, sock);
  if (conn != NULL)
    return conn;
  conn = g_new0 (Conn, 1);
  conn->sim = sim;
  conn->sock = sock;
  g_hash_table_insert (sim->conns, sock, conn);
  g_object_weak_ref (G_OBJECT (sock), conn_socket_finalized, sim);
  return conn;
}

/* Counts each client connection once, at its first counted request, so
 * stats queries on their own connections do not inflate a benchmark's
 * handshake count. */
static void
count_connection (Sim *sim,
                  SoupServerMessage *msg)
{
  Conn *conn = conn_lookup (sim, msg);

  if (conn == NULL || conn->counted)
    return;
  conn->counted = TRUE;
  sim->connections++;
}

/* libsoup 3.2 (Debian 12) never closes a keep-alive connection that the
 * client closes while it is idle: the descriptor stays in CLOSE_WAIT and
 * the simulator would run out of descriptors during a benchmark.  So while
 * a connection is idle we watch it ourselves and close it on EOF.  Peeking
 * leaves any new request (or TLS alert) for libsoup to read. */
static gboolean
idle_connection_ready (GSocket *sock,
                       GIOCondition condition G_GNUC_UNUSED,
                       gpointer data)
{
  Conn *conn = data;
  char byte;
  gssize got;

  if (g_socket_is_closed (sock))
    {
      g_clear_pointer (&conn->idle_watch, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  got = recv (g_socket_get_fd (sock), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  /* Data is libsoup's to read; should it not, give up rather than spin. */
  if (got > 0 && ++conn->idle_wakeups < 1000)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&conn->idle_watch, g_source_unref);
  if (got > 0)
    return G_SOURCE_REMOVE;
  g_socket_close (sock, NULL);
  conn_forget (conn);
  return G_SOURCE_REMOVE;
}

static void
request_started (SoupServer *server G_GNUC_UNUSED,
                 SoupServerMessage *msg,
                 gpointer data)
{
  Conn *conn = conn_lookup (data, msg);

  if (conn != NULL)
    conn_stop_watch (conn);
}

static void
request_finished (SoupServer *server G_GNUC_UNUSED,
                  SoupServerMessage *msg,
                  gpointer data)
{
  Conn *conn = conn_lookup (data, msg);

  if (conn == NULL || conn->idle_watch != NULL || g_socket_is_closed (conn->sock))
    return;
  conn->idle_wakeups = 0;
  conn->idle_watch = g_socket_create_source (conn->sock, G_IO_IN, NULL);
  g_source_set_callback (conn->idle_watch, G_SOURCE_FUNC (idle_connection_ready),
                         conn, NULL);
  g_source_attach (conn->idle_watch, NULL);
}

/* ------------------------------------------------------------------ */
/* Cloud side: POST /migrations/public/v1/token                        */

static void
prune_expired_tokens (Sim *sim)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  if (g_hash_table_size (sim->tokens) < TOKEN_PRUNE_LIMIT)
    return;
  g_hash_table_iter_init (&iter, sim->tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      IssuedToken *token = value;

      if (now - token->created > (gint64) sim->token_validity * G_USEC_PER_SEC)
        g_hash_table_iter_remove (&iter);
    }
}

static void
remember_token (Sim *sim,
                const char *token,
                const char *cloud_url)
{
  IssuedToken *issued = g_new0 (IssuedToken, 1);

  prune_expired_tokens (sim);
  issued->cloud_url = g_strdup (cloud_url);
  issued->created = g_get_monotonic_time ();
  g_hash_table_replace (sim->tokens, g_strdup (token), issued);
  sim->tokens_issued++;
}

static char *
token_answer_json (const char *cloud_url,
                   const char *token,
                   gsize *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *uri = g_strconcat (CLOUD_TOKEN_URI "/", id, NULL);

  json_builder_begin_object (builder);
  member_string (builder, "uri", uri);
  member_string (builder, "cloudUrl", cloud_url);
  if (token != NULL)
    member_string (builder, "token", token);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

/* The normal answer, or the variant a body fault asks for. */
static void
answer_token (Sim *sim,
              SoupServerMessage *msg,
              const char *cloud_url)
{
  g_autofree char *token = random_token ();
  char *text;
  gsize length;

  if (has_fault (sim, FAULT_CLOUD_MALFORMED))
    {
      answer_text (msg, SOUP_STATUS_OK, "application/json", "this is not json");
      return;
    }
  if (has_fault (sim, FAULT_CLOUD_WRONG_TYPE))
    {
      answer_text (msg, SOUP_STATUS_OK, "text/html; charset=UTF-8",
                   "<!DOCTYPE html>\n<html><head><title>Atlassian</title></head>"
                   "<body><h1>Something went wrong</h1></body></html>\n");
      return;
    }
  if (has_fault (sim, FAULT_CLOUD_MISSING_TOKEN))
    {
      text = token_answer_json (cloud_url, NULL, &length);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json",
                                        SOUP_MEMORY_TAKE, text, length);
      return;
    }

  text = token_answer_json (cloud_url, token, &length);
  if (has_fault (sim, FAULT_CLOUD_TRUNCATED))
    {
      /* Cut inside the token string: the JSON can never parse, yet the
       * HTTP framing (Content-Length) is intact. */
      length = (g_strrstr (text, token) - text) + strlen (token) / 2;
      text[length] = '\0';
    }
  else if (has_fault (sim, FAULT_CLOUD_OVERSIZED))
    {
      static const char member[] = ",\"padding\":\"";
      GString *padded = g_string_sized_new (OVERSIZED_BYTES);
      gsize pad = OVERSIZED_BYTES - (length - 1) - strlen (member) - 2;

      /* Still one valid object, so only a size limit can refuse it. */
      g_string_append_len (padded, text, length - 1);
      g_string_append (padded, member);
      memset (padded->str + padded->len, 'x', pad);
      g_string_set_size (padded, padded->len + pad);
      g_string_append (padded, "\"}");
      g_free (text);
      length = padded->len;
      text = g_string_free (padded, FALSE);
      remember_token (sim, token, cloud_url);
    }
  else
    remember_token (sim, token, cloud_url);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE, text, length);
}

static void
handle_cloud_token (Sim *sim,
                    SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *body;
  const char *cloud_url;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      answer_bad_method (msg, "POST");
      return;
    }
  if (retry_fault_fires (sim, FAULT_CLOUD_429))
    {
      answer_retry_later (sim, msg, STATUS_TOO_MANY_REQUESTS, TRUE);
      return;
    }
  if (retry_fault_fires (sim, FAULT_CLOUD_503))
    {
      answer_retry_later (sim, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, TRUE);
      return;
    }
  if (has_fault (sim, FAULT_CLOUD_401)
      || !basic_auth_matches (msg, sim->cloud_user, sim->cloud_password))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate",
                                    "Basic realm=\"api.atlassian.com\"");
      answer_cloud_error (msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized");
      return;
    }
  /* A valid account that is not an admin of the destination site. */
  if (has_fault (sim, FAULT_CLOUD_403))
    {
      answer_cloud_error (msg, SOUP_STATUS_FORBIDDEN, "Forbidden");
      return;
    }
  if (!is_json_request (msg))
    {
      answer_cloud_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                          "Unsupported Media Type");
      return;
    }
  body = parse_body_object (msg, parser);
  cloud_url = body != NULL ? get_string_member (body, "cloudUrl") : NULL;
  if (cloud_url == NULL)
    {
      answer_cloud_error (msg, SOUP_STATUS_BAD_REQUEST,
                          "Request body must be a JSON object with a string \"cloudUrl\"");
      return;
    }
  answer_token (sim, msg, cloud_url);
}

/* ------------------------------------------------------------------ */
/* Server side: Jira/Confluence under --context-path                   */

static Endpoint
classify_server_path (const char *rest,
                      const char **method)
{
  if (g_str_equal (rest, SAVE_TOKEN_PATH))
    {
      *method = SOUP_METHOD_POST;
      return ENDPOINT_SAVE_TOKEN;
    }
  /* Jersey serves the collection with or without the trailing slash. */
  *method = SOUP_METHOD_GET;
  if (g_str_equal (rest, CLOUD_LIST_PATH) || g_str_equal (rest, CLOUD_LIST_PATH "/"))
    return ENDPOINT_CLOUD_LIST;
  if (g_str_equal (rest, MYSELF_PATH))
    return ENDPOINT_MYSELF;
  if (g_str_has_prefix (rest, PLUGIN_PATH) && g_str_has_suffix (rest, PLUGIN_SUFFIX))
    return ENDPOINT_PLUGIN;
  return ENDPOINT_NONE;
}

/* Seraph's login page, as served to anonymous users instead of the data. */
static void
answer_login_page (Sim *sim,
                   SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *page = NULL;

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><title>Log in - Jira</title></head>\n"
                          "<body><form id=\"login-form\" method=\"post\" action=\"%s/login.jsp\">\n"
                          "<input type=\"text\" name=\"os_username\"/>\n"
                          "<input type=\"password\" name=\"os_password\"/>\n"
                          "</form></body></html>\n", sim->context);
  soup_message_headers_replace (headers, "X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
  soup_message_headers_replace (headers, "X-AUSERNAME", "anonymous");
  answer_text (msg, SOUP_STATUS_OK, "text/html;charset=UTF-8", page);
}

static void
answer_login_redirect (Sim *sim,
                       SoupServerMessage *msg,
                       const char *rest)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *request_uri = g_uri_to_string (soup_server_message_get_uri (msg));
  g_autofree char *destination = g_uri_escape_string (rest, NULL, FALSE);
  g_autofree char *relative = NULL;
  g_autofree char *location = NULL;

  relative = g_strconcat (sim->context, "/login.jsp?os_destination=", destination, NULL);
  location = g_uri_resolve_relative (request_uri, relative, G_URI_FLAGS_NONE, NULL);
  soup_message_headers_replace (headers, "X-Seraph-LoginReason", "AUTHENTICATION_DENIED");
  soup_message_headers_replace (headers, "X-AUSERNAME", "anonymous");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND,
                                    location != NULL ? location : relative);
}

static void
answer_server_401 (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
  soup_message_headers_replace (headers, "X-AUSERNAME", "anonymous");
  answer_server_error (msg, SOUP_STATUS_UNAUTHORIZED,
                       "Client must be authenticated to access this resource.");
}

static const IssuedToken *
lookup_fresh_token (Sim *sim,
                    const char *token)
{
  const IssuedToken *issued = g_hash_table_lookup (sim->tokens, token);

  if (issued == NULL)
    return NULL;
  if (g_get_monotonic_time () - issued->created
      > (gint64) sim->token_validity * G_USEC_PER_SEC)
    return NULL;
  return issued;
}

static void
mark_connected (Sim *sim,
                const char *cloud_url)
{
  Site *site = NULL;
  guint i;

  for (i = 0; i < sim->sites->len && site == NULL; i++)
    if (g_str_equal (((Site *) g_ptr_array_index (sim->sites, i))->cloud_url, cloud_url))
      site = g_ptr_array_index (sim->sites, i);
  if (site == NULL)
    {
      site = g_new0 (Site, 1);
      site->cloud_url = g_strdup (cloud_url);
      site->cloud_id = g_uuid_string_random ();
      g_ptr_array_add (sim->sites, site);
    }
  site->saves++;
  site->last_saved = g_get_real_time ();
  sim->saved++;
}

static void
handle_save_token (Sim *sim,
                   SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) builder = NULL;
  JsonObject *body;
  const char *cloud_url = NULL;
  const char *token = NULL;
  const IssuedToken *issued;

  if (!is_json_request (msg))
    {
      answer_server_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                           "Unsupported Media Type");
      return;
    }
  body = parse_body_object (msg, parser);
  if (body != NULL)
    {
      cloud_url = get_string_member (body, "cloudUrl");
      token = get_string_member (body, "token");
    }
  if (cloud_url == NULL || token == NULL)
    {
      answer_server_error (msg, SOUP_STATUS_BAD_REQUEST,
                           "Request body must be a JSON object with string \"cloudUrl\" and \"token\"");
      return;
    }
  /* Garbled success answers: nothing is saved, the tool must not claim it. */
  if (has_fault (sim, FAULT_SERVER_MALFORMED))
    {
      answer_text (msg, SOUP_STATUS_OK, "application/json", "not json");
      return;
    }
  if (has_fault (sim, FAULT_SERVER_WRONG_TYPE))
    {
      answer_text (msg, SOUP_STATUS_OK, "text/html;charset=UTF-8",
                   "<!DOCTYPE html>\n<html><body><p>Token saved successfully.</p></body></html>\n");
      return;
    }
  /* The assistant says the same thing for unknown, stale and
   * other-site tokens; so do we. */
  issued = lookup_fresh_token (sim, token);
  if (issued == NULL || strcmp (issued->cloud_url, cloud_url) != 0)
    {
      answer_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain", SAVE_FAILED_TEXT);
      return;
    }
  mark_connected (sim, cloud_url);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  member_string (builder, "cloudUrl", cloud_url);
  member_string (builder, "message", "Token saved successfully.");
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_cloud_list (Sim *sim,
                   SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint i;

  json_builder_begin_array (builder);
  for (i = 0; i < sim->sites->len; i++)
    {
      const Site *site = g_ptr_array_index (sim->sites, i);

      json_builder_begin_object (builder);
      member_string (builder, "cloudUrl", site->cloud_url);
      member_string (builder, "cloudId", site->cloud_id);
      member_string (builder, "edition", "paid");
      member_string (builder, "cloudType", "STANDARD");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_plugin (Sim *sim,
               SoupServerMessage *msg,
               const char *rest)
{
  g_autoptr(JsonBuilder) builder = NULL;
  const char *key = rest + strlen (PLUGIN_PATH);
  gsize key_length = strlen (key) - strlen (PLUGIN_SUFFIX);

  if (has_fault (sim, FAULT_PLUGIN_MISSING)
      || strlen (sim->plugin_key) != key_length
      || strncmp (key, sim->plugin_key, key_length) != 0)
    {
      answer_server_error (msg, SOUP_STATUS_NOT_FOUND, "Plugin not found");
      return;
    }
  /* UPM failing inside, as it does while plugins are being reloaded. */
  if (has_fault (sim, FAULT_PLUGIN_500))
    {
      answer_server_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Internal server error");
      return;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  member_string (builder, "key", sim->plugin_key);
  member_string (builder, "version", has_fault (sim, FAULT_PLUGIN_OLD) ? "1.0.0" : sim->plugin_version);
  member_boolean (builder, "enabled", !has_fault (sim, FAULT_PLUGIN_DISABLED));
  member_string (builder, "name", "Cloud Migration Assistant");
  json_builder_end_object (builder);
  /* UPM labels its plugin representation with a vendor media type; a
   * client that insists on exactly application/json would break on the
   * real thing, so the simulator does the same. */
  answer_json_as (msg, SOUP_STATUS_OK, "application/vnd.atl.plugins.plugin+json", builder);
}

static void
handle_myself (Sim *sim,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_string (builder, "name", sim->server_user);
  member_boolean (builder, "active", TRUE);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* @rest is the path below the context path, starting with '/'.  Checks run
 * in the order a real deployment applies them: proxy limits, then the
 * login filter, then authorisation, then the resource itself. */
static void
handle_server (Sim *sim,
               SoupServerMessage *msg,
               const char *rest)
{
  const char *method = NULL;
  Endpoint endpoint = classify_server_path (rest, &method);

  if (endpoint == ENDPOINT_NONE)
    {
      answer_not_found (msg);
      return;
    }
  if (retry_fault_fires (sim, FAULT_SERVER_429))
    {
      answer_retry_later (sim, msg, STATUS_TOO_MANY_REQUESTS, FALSE);
      return;
    }
  if (retry_fault_fires (sim, FAULT_SERVER_503))
    {
      answer_retry_later (sim, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, FALSE);
      return;
    }
  if (has_fault (sim, FAULT_SERVER_LOGIN_PAGE))
    {
      answer_login_page (sim, msg);
      return;
    }
  if (has_fault (sim, FAULT_SERVER_LOGIN_REDIRECT))
    {
      answer_login_redirect (sim, msg, rest);
      return;
    }
  if (has_fault (sim, FAULT_SERVER_401) || !server_auth_ok (sim, msg))
    {
      answer_server_401 (msg);
      return;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-AUSERNAME", sim->server_user);
  /* An authenticated user without admin rights: myself still works. */
  if (has_fault (sim, FAULT_SERVER_403) && endpoint != ENDPOINT_MYSELF)
    {
      answer_server_error (msg, SOUP_STATUS_FORBIDDEN,
                           "Client must be authenticated as a system administrator to access this resource.");
      return;
    }
  if (endpoint == ENDPOINT_SAVE_TOKEN && has_fault (sim, FAULT_SAVE_404))
    {
      answer_not_found (msg);
      return;
    }
  if (endpoint == ENDPOINT_SAVE_TOKEN && has_fault (sim, FAULT_SAVE_500))
    {
      answer_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain", SAVE_FAILED_TEXT);
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), method))
    {
      answer_bad_method (msg, method);
      return;
    }

  switch (endpoint)
    {
    case ENDPOINT_SAVE_TOKEN:
      handle_save_token (sim, msg);
      break;
    case ENDPOINT_CLOUD_LIST:
      handle_cloud_list (sim, msg);
      break;
    case ENDPOINT_PLUGIN:
      handle_plugin (sim, msg, rest);
      break;
    case ENDPOINT_MYSELF:
      handle_myself (sim, msg);
      break;
    case ENDPOINT_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

static void
answer_sim_stats (Sim *sim,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_int (builder, "requests", sim->requests);
  member_int (builder, "posts", sim->posts);
  member_int (builder, "connections", sim->connections);
  member_int (builder, "saved", sim->saved);
  member_int (builder, "tokens_issued", sim->tokens_issued);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* Lets a test check exactly which cloudUrl strings were saved, and when. */
static void
answer_sim_sites (Sim *sim,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint i;

  json_builder_begin_array (builder);
  for (i = 0; i < sim->sites->len; i++)
    {
      const Site *site = g_ptr_array_index (sim->sites, i);

      json_builder_begin_object (builder);
      member_string (builder, "cloudUrl", site->cloud_url);
      member_int (builder, "saves", site->saves);
      member_int (builder, "lastSaved", site->last_saved / G_USEC_PER_SEC);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_sim_control (Sim *sim,
                    SoupServerMessage *msg,
                    const char *path)
{
  gboolean stats = g_str_equal (path, SIM_PREFIX "stats");

  if (!stats && !g_str_equal (path, SIM_PREFIX "sites"))
    answer_not_found (msg);
  else if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    answer_bad_method (msg, "GET");
  else if (stats)
    answer_sim_stats (sim, msg);
  else
    answer_sim_sites (sim, msg);
}

/* The path below the context path (always starting with '/'), or NULL if
 * @path is not inside it. */
static const char *
server_relative_path (Sim *sim,
                      const char *path)
{
  gsize length = strlen (sim->context);

  if (strncmp (path, sim->context, length) != 0 || path[length] != '/')
    return NULL;
  return path + length;
}

static void
handle_request (SoupServer *server G_GNUC_UNUSED,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query G_GNUC_UNUSED,
                gpointer user_data)
{
  Sim *sim = user_data;
  const char *rest;

  if (g_str_has_prefix (path, SIM_PREFIX))
    {
      handle_sim_control (sim, msg, path);
      set_common_headers (sim, msg);
      return;
    }

  sim->requests++;
  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    sim->posts++;
  count_connection (sim, msg);

  /* The cloud path wins if --context-path is "/" and would also match. */
  if (g_str_equal (path, CLOUD_TOKEN_PATH))
    handle_cloud_token (sim, msg);
  else if ((rest = server_relative_path (sim, path)) != NULL)
    handle_server (sim, msg, rest);
  else
    answer_not_found (msg);
  deliver (sim, msg);
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

static char *
read_secret (const char *file,
             const char *option,
             GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "%s FILE is required", option);
      return NULL;
    }
  if (!g_file_get_contents (file, &text, &length, error))
    return NULL;
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r'))
    text[--length] = '\0';
  if (length == 0 || strlen (text) != length)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: empty or contains a NUL byte", file);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* Accepts repeated --fault and, for convenience, comma-separated lists. */
static gboolean
parse_faults (Sim *sim,
              GError **error)
{
  char **arg;

  for (arg = sim->fault_args; arg != NULL && *arg != NULL; arg++)
    {
      g_auto(GStrv) names = g_strsplit (*arg, ",", -1);
      char **name;

      for (name = names; *name != NULL; name++)
        {
          guint i;

          for (i = 0; i < N_FAULTS; i++)
            if (g_str_equal (g_strstrip (*name), fault_names[i]))
              break;
          if (i == N_FAULTS)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "unknown fault \"%s\"", *name);
              return FALSE;
            }
          sim->faults |= 1u << i;
        }
    }
  return TRUE;
}

static gboolean
parse_options (Sim *sim,
               int *argc,
               char ***argv,
               GError **error)
{
  const GOptionEntry entries[] = {
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &sim->cert_file, "TLS certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &sim->key_file, "TLS private key (PEM)", "FILE" },
    { "port-file", 0, 0, G_OPTION_ARG_FILENAME, &sim->port_file, "Write the port here once listening", "FILE" },
    { "port", 0, 0, G_OPTION_ARG_INT, &sim->port, "Port on 127.0.0.1 (default 0: ephemeral)", "N" },
    { "plain-http", 0, 0, G_OPTION_ARG_NONE, &sim->plain_http, "Serve plain HTTP", NULL },
    { "context-path", 0, 0, G_OPTION_ARG_STRING, &sim->context_path, "Server base path (default /jira)", "PATH" },
    { "cloud-user", 0, 0, G_OPTION_ARG_STRING, &sim->cloud_user, "Cloud Basic-auth user", "EMAIL" },
    { "cloud-token-file", 0, 0, G_OPTION_ARG_FILENAME, &sim->cloud_token_file, "Cloud API token accepted", "FILE" },
    { "server-token-file", 0, 0, G_OPTION_ARG_FILENAME, &sim->server_token_file, "Server PAT or password accepted", "FILE" },
    { "server-user", 0, 0, G_OPTION_ARG_STRING, &sim->server_user, "Server Basic-auth user (default admin)", "NAME" },
    { "plugin-key", 0, 0, G_OPTION_ARG_STRING, &sim->plugin_key, "Migration assistant plugin key", "KEY" },
    { "plugin-version", 0, 0, G_OPTION_ARG_STRING, &sim->plugin_version, "Its version (default 1.12.40)", "V" },
    { "token-validity", 0, 0, G_OPTION_ARG_INT, &sim->token_validity, "Auth token lifetime (default 300)", "SECONDS" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &sim->latency_ms, "Delay every answer", "N" },
    { "retry-after", 0, 0, G_OPTION_ARG_INT, &sim->retry_after, "Retry-After of 429/503 faults (default 1)", "N" },
    { "fail-count", 0, 0, G_OPTION_ARG_INT, &sim->fail_count, "429/503 faults fire N times, 0 = forever (default 1)", "N" },
    { "date-offset", 0, 0, G_OPTION_ARG_INT64, &sim->date_offset, "Skew the Date header", "SECONDS" },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sim->fault_args, "Misbehave (repeatable)", "NAME" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &sim->log_file, "Append METHOD PATH STATUS per request", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Atlassian migration API simulator");
  GString *faults = g_string_new ("Faults:");
  gsize i;

  for (i = 0; i < N_FAULTS; i++)
    g_string_append_printf (faults, "%s %s", i % 4 == 0 ? "\n " : "", fault_names[i]);
  g_option_context_set_description (context, faults->str);
  g_string_free (faults, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (sim->port_file == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--port-file is required");
      return FALSE;
    }
  if (!sim->plain_http && (sim->cert_file == NULL || sim->key_file == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--cert and --key are required unless --plain-http");
      return FALSE;
    }
  if (sim->port < 0 || sim->port > 65535 || sim->token_validity < 0
      || sim->latency_ms < 0 || sim->retry_after < 0 || sim->fail_count < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "numeric options must not be negative (and --port <= 65535)");
      return FALSE;
    }
  if (sim->context_path[0] != '\0' && sim->context_path[0] != '/')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--context-path must start with '/'");
      return FALSE;
    }
  /* "/", "" and "/jira/" all normalise to a prefix without trailing '/'. */
  sim->context = g_strdup (sim->context_path);
  while (sim->context[0] != '\0' && sim->context[strlen (sim->context) - 1] == '/')
    sim->context[strlen (sim->context) - 1] = '\0';

  if (!parse_faults (sim, error))
    return FALSE;
  sim->cloud_password = read_secret (sim->cloud_token_file, "--cloud-token-file", error);
  if (sim->cloud_password == NULL)
    return FALSE;
  sim->server_secret = read_secret (sim->server_token_file, "--server-token-file", error);
  return sim->server_secret != NULL;
}

static SoupServer *
start_server (Sim *sim,
              guint *port,
              GError **error)
{
  g_autoptr(SoupServer) server = soup_server_new ("server-header", "cma-sim", NULL);
  SoupServerListenOptions flags = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;

  if (!sim->plain_http)
    {
      g_autoptr(GTlsCertificate) cert = NULL;

      cert = g_tls_certificate_new_from_files (sim->cert_file, sim->key_file, error);
      if (cert == NULL)
        return NULL;
      soup_server_set_tls_certificate (server, cert);
      flags |= SOUP_SERVER_LISTEN_HTTPS;
    }
  soup_server_add_handler (server, NULL, handle_request, sim, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started), sim);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished), sim);
  if (!soup_server_listen_local (server, sim->port, flags, error))
    return NULL;

  uris = soup_server_get_uris (server);
  g_assert (uris != NULL);
  *port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&server);
}

static gboolean
quit_on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc,
      char **argv)
{
  g_autoptr(Sim) sim = sim_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *port_text = NULL;
  guint port = 0;
  guint sigterm_id, sigint_id;

  if (!parse_options (sim, &argc, &argv, &error))
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 2;
    }
  if (sim->log_file != NULL)
    {
      sim->log = fopen (sim->log_file, "a");
      if (sim->log == NULL)
        {
          g_printerr ("cma-sim: %s: %s\n", sim->log_file, g_strerror (errno));
          return 1;
        }
    }

  /* Before the port file appears: a test may signal us as soon as it does. */
  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_on_signal, loop);

  server = start_server (sim, &port, &error);
  if (server == NULL)
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 1;
    }
  /* Atomic (temporary file + rename): a test polling for the file never
   * reads half a number. */
  port_text = g_strdup_printf ("%u\n", port);
  if (!g_file_set_contents_full (sim->port_file, port_text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      g_printerr ("cma-sim: %s\n", error->message);
      return 1;
    }

  g_main_loop_run (loop);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);

  soup_server_disconnect (server);
  g_clear_object (&server);
  return 0;
}
