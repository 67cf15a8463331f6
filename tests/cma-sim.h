/* SPDX-License-Identifier: MIT */
/* cma-sim.h: what the parts of the test-bed simulator share.
 *
 *   cma-sim.c           options, start-up and main
 *   cma-sim-conn.c      TLS, listening, and the client connections
 *   cma-sim-dispatch.c  which part answers a request; /_sim/ for tests
 *   cma-sim-http.c      answers, delivery and request helpers of both sides
 *   cma-sim-cloud.c     api.atlassian.com's token endpoint
 *   cma-sim-server.c    the Jira/Confluence endpoints under --context-path
 *   cma-sim-attach.c    the Migration API's attach, with its 24-hour lifetime
 *   cma-sim-marketplace.c  the Marketplace's latest version of the assistant
 *   cma-sim-jobs.c      the Migration API's Check tasks (the assistant's verdict)
 *
 * See cma-sim.c for what the simulator plays and why.
 */
#pragma once

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CLOUD_TOKEN_PATH "/migrations/public/v1/token"

/* libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

typedef enum {
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
  /* Hostile answers (issue 12): each must end in a clear error or a
   * clean success, never a crash, a leak or raw control characters. */
  FAULT_CLOUD_DEEP_JSON,
  FAULT_SAVE_DEEP_JSON,
  FAULT_PLUGIN_DEEP_JSON,
  FAULT_CLOUD_EMPTY_JSON,
  FAULT_CLOUD_HOSTILE_TYPE,
  FAULT_SAVE_HOSTILE_URL,
  FAULT_SAVE_HUGE_URL,
  FAULT_PLUGIN_HOSTILE_VERSION,
  FAULT_CLOUD_PRETTY_JSON,
  FAULT_CLOUD_ESCAPED_KEY,
  FAULT_CLOUD_HUGE_TOKEN,
  FAULT_CLOUD_NUL_TOKEN,
  FAULT_BASIC_DISABLED,
  /* A 401 that quotes the request's credentials (issue 20). */
  FAULT_ECHO_CREDENTIALS,
  FAULT_SAVE_NO_EGRESS,
  FAULT_ECHO_NORMALIZED,
  FAULT_ECHO_OTHER_SITE,
  FAULT_PAT_SEVERAL,
  FAULT_PAT_MISSING,
  FAULT_PAT_NO_EXPIRY,
  FAULT_SITES_MISSING,
  FAULT_SITES_FORGET,
  FAULT_SITES_MANY,
  FAULT_SAVE_SPACE_FIRST_HEADER,
  FAULT_ATTACH_404,
  FAULT_TOKEN_EXPIRED,
  N_FAULTS
} Fault;

/* A cloud site the server side has saved a token for. */
typedef struct {
  char *cloud_url;
  char *cloud_id;
  guint saves;       /* successful save/token calls */
  gint64 last_saved; /* g_get_real_time () of the latest */
} Site;

typedef struct {
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
  int pat_expires_days;
  gint64 date_offset;
  char **fault_args;
  char **connected_sites; /* listed as connected before any save */
  char *server_state;     /* what /status answers; NULL: RUNNING */
  char *log_file;
  char *marketplace_version; /* NULL: the version installed (current) */
  int marketplace_status;    /* 0: 200 */
  char **job_ids;            /* Migration API jobs that exist */
  char *check_outcome;       /* of every Check task; NULL: SUCCESS */
  int task_window;           /* 5 task creations per this many seconds */
  int tasks_busy;            /* the first N creations answer 429 */
  char *control_file;        /* see reset_on_signal () in cma-sim.c */
  char *stats_file;          /* /_sim/stats as "NAME VALUE" lines, kept current */

  /* Derived from the options. */
  char *context; /* "" or "/jira": no trailing slash */
  char *cloud_password;
  char *server_secret;
  guint64 faults; /* bit (1 << Fault) per --fault */
  FILE *log;

  /* State. */
  GHashTable *tokens; /* token string → IssuedToken (cma-sim-cloud.c) */
  GPtrArray *sites;   /* Site, in order of first save */
  GHashTable *conns;  /* GSocket * → Conn (cma-sim-conn.c), for live connections */
  guint fault_served[N_FAULTS];
  guint64 requests;
  guint64 posts;
  guint64 connections;
  guint64 saved;
  guint64 tokens_issued;
  GHashTable *attached; /* cloudUrl → gint64 *: real time (s) its attach lapses */
  guint64 attaches;     /* attach calls answered 200 */
  guint64 attach_refusals;
  GHashTable *tasks;  /* task id → Task (cma-sim-jobs.c) */
  GQueue *task_times; /* monotonic instants of the recent creations */
  guint64 tasks_created;
} Sim;

/* cma-sim-conn.c */
SoupServer *start_server (Sim *sim, guint *port, GError **error);
void count_connection (Sim *sim, SoupServerMessage *msg);
void forget_connections (Sim *sim);

/* cma-sim-dispatch.c */
void handle_request (SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data);
gboolean sim_write_file (const char *path, const char *contents, gssize length, GError **error);
gboolean write_stats_file (Sim *sim, GError **error);

/* cma-sim-http.c: answers */
void answer_text (SoupServerMessage *msg, guint status, const char *content_type, const char *text);
void answer_json_as (SoupServerMessage *msg, guint status, const char *content_type,
                     JsonBuilder *builder);
void answer_json (SoupServerMessage *msg, guint status, JsonBuilder *builder);
void member_string (JsonBuilder *builder, const char *name, const char *value);
void member_int (JsonBuilder *builder, const char *name, gint64 value);
void member_boolean (JsonBuilder *builder, const char *name, gboolean value);
void answer_cloud_error (SoupServerMessage *msg, guint status, const char *message);
void answer_server_error (SoupServerMessage *msg, guint status, const char *message);
void answer_not_found (SoupServerMessage *msg);
void answer_bad_method (SoupServerMessage *msg, const char *allowed);
void answer_retry_later (Sim *sim, SoupServerMessage *msg, guint status, gboolean cloud);
void set_common_headers (Sim *sim, SoupServerMessage *msg);
void deliver (Sim *sim, SoupServerMessage *msg);

void answer_deep_json (SoupServerMessage *msg, const char *content_type);
void answer_space_first_header (SoupServerMessage *msg, const char *json);
extern const char HOSTILE_TEXT[];
extern const char HOSTILE_HEADER[];

/* cma-sim-http.c: requests */
gboolean has_fault (Sim *sim, Fault fault);
gboolean retry_fault_fires (Sim *sim, Fault fault);
gboolean is_json_request (SoupServerMessage *msg);
JsonObject *parse_body_object (SoupServerMessage *msg, JsonParser *parser);
const char *get_string_member (JsonObject *object, const char *name);
char *echo_credentials (SoupServerMessage *msg);
gboolean basic_auth_matches (SoupServerMessage *msg, const char *want_user,
                             const char *want_password);

/* cma-sim-cloud.c */
void handle_cloud_token (Sim *sim, SoupServerMessage *msg);
const char *fresh_token_cloud_url (Sim *sim, const char *token);
void issued_token_free (gpointer data);

/* cma-sim-attach.c */
void handle_attach (Sim *sim, SoupServerMessage *msg);
/* Until when @cloud_url is attached (real time, s), 0 if never. */
gint64 sim_attached_until (Sim *sim, const char *cloud_url);

/* cma-sim-marketplace.c */
gboolean is_marketplace_path (const char *path);
void handle_marketplace (Sim *sim, SoupServerMessage *msg, const char *path);

/* cma-sim-jobs.c */
gboolean is_jobs_path (const char *path);
void handle_jobs (Sim *sim, SoupServerMessage *msg, const char *path);
void task_free (gpointer data);

/* cma-sim-server.c */
void handle_server (Sim *sim, SoupServerMessage *msg, const char *rest);
/* @cloud_url's token saved here (and not older than a container token
 * lives), or listed by --connected-site without token-expired. */
gboolean sim_site_authorized (Sim *sim, const char *cloud_url);
const char *plugin_version (Sim *sim);
void site_free (gpointer data);

G_END_DECLS
