/* SPDX-License-Identifier: MIT */
/* cma-sim-server.c: a Jira/Confluence server under --context-path with the
 * Cloud Migration Assistant's  POST {context}/rest/migration/latest/cloud/save/token,
 * the connected-site list, UPM's plugin resource and /rest/api/2/myself.
 *
 * save/token refuses unknown, stale and other-site tokens the way the real
 * assistant does ("Exception in saving token.", HTTP 500).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cma-sim.h"

#define SAVE_TOKEN_PATH "/rest/migration/latest/cloud/save/token"
#define CLOUD_LIST_PATH "/rest/migration/latest/cloud"
#define PLUGIN_PATH     "/rest/plugins/1.0/"
#define PLUGIN_SUFFIX   "-key"
#define MYSELF_PATH     "/rest/api/2/myself"
#define STATUS_PATH     "/status"
#define PAT_LIST_PATH   "/rest/pat/latest/tokens"
#define ATTACH_PATH     "/rest/migration/latest/public/v1/attach"

/* A container token lives 21 days; a save older than that has lapsed. */
#define CONTAINER_TOKEN_SECONDS (21 * 86400)

#define SAVE_FAILED_TEXT    "Exception in saving token."
#define BASIC_DISABLED_TEXT "Basic Authentication has been disabled on this instance."

/* The server-side resources; which ones need an administrator matters for
 * server-403, which plays a valid but unprivileged account. */
typedef enum {
  ENDPOINT_NONE,
  ENDPOINT_SAVE_TOKEN,
  ENDPOINT_CLOUD_LIST,
  ENDPOINT_PLUGIN,
  ENDPOINT_MYSELF,
  ENDPOINT_PAT_LIST,
  ENDPOINT_ATTACH,
} Endpoint;

void
site_free (gpointer data)
{
  Site *site = data;

  g_free (site->cloud_url);
  g_free (site->cloud_id);
  g_free (site);
}

/* Jira and Confluence accept a personal access token as Bearer, or an
 * administrator's user name and password as Basic. */
static gboolean
server_auth_ok (Sim *sim, SoupServerMessage *msg)
{
  const char *header;

  header =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    return g_str_equal (header + 7, sim->server_secret);
  return basic_auth_matches (msg, sim->server_user, sim->server_secret);
}

static gboolean
uses_basic (SoupServerMessage *msg)
{
  const char *header =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  return header != NULL && g_ascii_strncasecmp (header, "Basic ", 6) == 0;
}

/* GET {context}/status: no authentication, as on Jira and Confluence,
 * with the HTTP status they give each state: 200 running or in its first
 * run, 500 in error, 503 starting, stopping or in maintenance. */
static void
handle_status (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *state = sim->server_state != NULL ? sim->server_state : "RUNNING";
  guint status = SOUP_STATUS_SERVICE_UNAVAILABLE;

  if (g_str_equal (state, "RUNNING") || g_str_equal (state, "FIRST_RUN"))
    status = SOUP_STATUS_OK;
  else if (g_str_equal (state, "ERROR"))
    status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  json_builder_begin_object (builder);
  member_string (builder, "state", state);
  json_builder_end_object (builder);
  answer_json (msg, status, builder);
}

static Endpoint
classify_server_path (const char *rest, const char **method)
{
  if (g_str_equal (rest, SAVE_TOKEN_PATH))
    {
      *method = SOUP_METHOD_POST;
      return ENDPOINT_SAVE_TOKEN;
    }
  if (g_str_equal (rest, ATTACH_PATH))
    {
      *method = SOUP_METHOD_POST;
      return ENDPOINT_ATTACH;
    }
  /* Jersey serves the collection with or without the trailing slash. */
  *method = SOUP_METHOD_GET;
  if (g_str_equal (rest, CLOUD_LIST_PATH) || g_str_equal (rest, CLOUD_LIST_PATH "/"))
    return ENDPOINT_CLOUD_LIST;
  if (g_str_equal (rest, MYSELF_PATH))
    return ENDPOINT_MYSELF;
  if (g_str_equal (rest, PAT_LIST_PATH))
    return ENDPOINT_PAT_LIST;
  if (g_str_has_prefix (rest, PLUGIN_PATH) && g_str_has_suffix (rest, PLUGIN_SUFFIX))
    return ENDPOINT_PLUGIN;
  return ENDPOINT_NONE;
}

/* Seraph's login page, as served to anonymous users instead of the data. */
static void
answer_login_page (Sim *sim, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *page = NULL;

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><title>Log in - Jira</title></head>\n"
                          "<body><form id=\"login-form\" method=\"post\" action=\"%s/login.jsp\">\n"
                          "<input type=\"text\" name=\"os_username\"/>\n"
                          "<input type=\"password\" name=\"os_password\"/>\n"
                          "</form></body></html>\n",
                          sim->context);
  soup_message_headers_replace (headers, "X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
  soup_message_headers_replace (headers, "X-AUSERNAME", "anonymous");
  answer_text (msg, SOUP_STATUS_OK, "text/html;charset=UTF-8", page);
}

static void
answer_login_redirect (Sim *sim, SoupServerMessage *msg, const char *rest)
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
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location != NULL ? location : relative);
}

static void
answer_server_401 (Sim *sim, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *refusal = "Client must be authenticated to access this resource.";
  g_autofree char *said =
      has_fault (sim, FAULT_ECHO_CREDENTIALS) ? echo_credentials (msg) : g_strdup (refusal);

  soup_message_headers_replace (headers, "X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
  soup_message_headers_replace (headers, "X-AUSERNAME", "anonymous");
  answer_server_error (msg, SOUP_STATUS_UNAUTHORIZED, said);
}

static void
mark_connected (Sim *sim, const char *cloud_url)
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

/* What the server says it saved: the string sent, or as a real server
 * may echo it (echo-normalized: lower case and a trailing slash), or
 * another site altogether (echo-other-site). */
static char *
echoed_cloud_url (Sim *sim, const char *cloud_url)
{
  g_autofree char *slashed = NULL;

  if (has_fault (sim, FAULT_ECHO_OTHER_SITE))
    return g_strdup ("https://other.atlassian.net");
  if (!has_fault (sim, FAULT_ECHO_NORMALIZED))
    return g_strdup (cloud_url);
  slashed = g_strconcat (cloud_url, g_str_has_suffix (cloud_url, "/") ? "" : "/", NULL);
  return g_ascii_strdown (slashed, -1);
}

/* The cloudUrl the save confirms: the one saved, or what a hostile
 * server puts there instead (control characters, or 128 KiB). */
static void
save_answer_cloud_url (Sim *sim, JsonBuilder *builder, const char *echo)
{
  g_autofree char *value = NULL;

  if (has_fault (sim, FAULT_SAVE_HOSTILE_URL))
    value = g_strconcat ("https://evil.example/", HOSTILE_TEXT, NULL);
  else if (has_fault (sim, FAULT_SAVE_HUGE_URL))
    {
      value = g_malloc (128 * 1024 + 1);
      memset (value, 'x', 128 * 1024);
      value[128 * 1024] = '\0';
    }
  member_string (builder, "cloudUrl", value != NULL ? value : echo);
}

/* A well-formed request: what is answered depends on the token, and on
 * the faults that garble a success. */
static void
save_token (Sim *sim, SoupServerMessage *msg, const char *cloud_url, const char *token)
{
  g_autoptr (JsonBuilder) builder = NULL;
  const char *issued_for;
  g_autofree char *echo = NULL;

  /* Garbled success answers: nothing is saved, the tool must not claim it. */
  if (has_fault (sim, FAULT_SERVER_MALFORMED))
    {
      answer_text (msg, SOUP_STATUS_OK, "application/json", "not json");
      return;
    }
  if (has_fault (sim, FAULT_SAVE_DEEP_JSON))
    {
      answer_deep_json (msg, "application/json");
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
  issued_for = fresh_token_cloud_url (sim, token);
  /* save-no-egress: the server cannot reach Atlassian to check the
   * token, and the assistant says the same as for a bad one. */
  if (issued_for == NULL || strcmp (issued_for, cloud_url) != 0 ||
      has_fault (sim, FAULT_SAVE_NO_EGRESS))
    {
      answer_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain", SAVE_FAILED_TEXT);
      return;
    }
  mark_connected (sim, cloud_url);
  echo = echoed_cloud_url (sim, cloud_url);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  save_answer_cloud_url (sim, builder, echo);
  member_string (builder, "message", "Token saved successfully.");
  json_builder_end_object (builder);
  if (has_fault (sim, FAULT_SAVE_SPACE_FIRST_HEADER))
    {
      g_autoptr (JsonNode) root = json_builder_get_root (builder);
      g_autofree char *json = json_to_string (root, FALSE);

      answer_space_first_header (msg, json);
      return;
    }
  answer_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_save_token (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *body;
  const char *cloud_url = NULL;
  const char *token = NULL;

  if (!is_json_request (msg))
    {
      answer_server_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
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
      answer_server_error (
          msg, SOUP_STATUS_BAD_REQUEST,
          "Request body must be a JSON object with string \"cloudUrl\" and \"token\"");
      return;
    }
  save_token (sim, msg, cloud_url, token);
}

gboolean
sim_site_authorized (Sim *sim, const char *cloud_url)
{
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < sim->sites->len; i++)
    {
      const Site *site = g_ptr_array_index (sim->sites, i);

      if (g_str_equal (site->cloud_url, cloud_url) &&
          now - site->last_saved < (gint64) CONTAINER_TOKEN_SECONDS * G_USEC_PER_SEC)
        return TRUE;
    }
  return !has_fault (sim, FAULT_TOKEN_EXPIRED) && sim->connected_sites != NULL &&
         g_strv_contains ((const char *const *) sim->connected_sites, cloud_url);
}

static void
add_listed_site (JsonBuilder *builder, const char *cloud_url, const char *cloud_id)
{
  json_builder_begin_object (builder);
  member_string (builder, "cloudUrl", cloud_url);
  member_string (builder, "cloudId", cloud_id);
  member_string (builder, "edition", "paid");
  member_string (builder, "cloudType", "STANDARD");
  json_builder_end_object (builder);
}

/* The assistant's connected sites (undocumented; CCMA's): --connected-site
 * ones, then those saved since. sites-missing plays an assistant without
 * the resource, sites-forget one that lists only another site, sites-many
 * one that lists 6,000 others first (900 KB, under the 1 MiB answers
 * may have). */
static void
handle_cloud_list (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (has_fault (sim, FAULT_SITES_MISSING))
    {
      answer_not_found (msg);
      return;
    }
  json_builder_begin_array (builder);
  if (has_fault (sim, FAULT_SITES_FORGET))
    add_listed_site (builder, "https://other.atlassian.net",
                     "00000000-0000-4000-8000-000000000000");
  for (guint i = 0; has_fault (sim, FAULT_SITES_MANY) && i < 6000; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://site%05u.atlassian.net", i);
      add_listed_site (builder, url, "22222222-2222-4222-8222-222222222222");
    }
  for (guint i = 0; !has_fault (sim, FAULT_SITES_FORGET) && sim->connected_sites != NULL &&
                    sim->connected_sites[i] != NULL;
       i++)
    add_listed_site (builder, sim->connected_sites[i], "11111111-1111-4111-8111-111111111111");
  for (guint i = 0; !has_fault (sim, FAULT_SITES_FORGET) && i < sim->sites->len; i++)
    {
      const Site *site = g_ptr_array_index (sim->sites, i);
      add_listed_site (builder, site->cloud_url, site->cloud_id);
    }
  json_builder_end_array (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* What the plugin manager reports; a hostile one hides control
 * characters after an old version, so the "too old" message shows it. */
const char *
plugin_version (Sim *sim)
{
  static char *hostile;

  if (has_fault (sim, FAULT_PLUGIN_HOSTILE_VERSION))
    {
      if (hostile == NULL)
        hostile = g_strconcat ("1.0.0", HOSTILE_TEXT, NULL);
      return hostile;
    }
  return has_fault (sim, FAULT_PLUGIN_OLD) ? "1.0.0" : sim->plugin_version;
}

static void
handle_plugin (Sim *sim, SoupServerMessage *msg, const char *rest)
{
  g_autoptr (JsonBuilder) builder = NULL;
  const char *key = rest + strlen (PLUGIN_PATH);
  gsize key_length = strlen (key) - strlen (PLUGIN_SUFFIX);

  if (has_fault (sim, FAULT_PLUGIN_MISSING) || strlen (sim->plugin_key) != key_length ||
      strncmp (key, sim->plugin_key, key_length) != 0)
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
  if (has_fault (sim, FAULT_PLUGIN_DEEP_JSON))
    {
      answer_deep_json (msg, "application/vnd.atl.plugins.plugin+json");
      return;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  member_string (builder, "key", sim->plugin_key);
  member_string (builder, "version", plugin_version (sim));
  member_boolean (builder, "enabled", !has_fault (sim, FAULT_PLUGIN_DISABLED));
  member_string (builder, "name", "Cloud Migration Assistant");
  json_builder_end_object (builder);
  /* UPM labels its plugin representation with a vendor media type; a
   * client that insists on exactly application/json would break on the
   * real thing, so the simulator does the same. */
  answer_json_as (msg, SOUP_STATUS_OK, "application/vnd.atl.plugins.plugin+json", builder);
}

static void
handle_myself (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  member_string (builder, "name", sim->server_user);
  member_boolean (builder, "active", TRUE);
  json_builder_end_object (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* "2027-01-31T10:00:00.000+0000", as Jira and Confluence write instants. */
static void
member_instant (JsonBuilder *builder, const char *name, gint64 unix_seconds)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_seconds);
  g_autofree char *text = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S.000+0000");

  member_string (builder, name, text);
}

static void
add_pat (JsonBuilder *builder, gint64 id, const char *name, gint64 expires, gint64 used)
{
  json_builder_begin_object (builder);
  member_int (builder, "id", id);
  member_string (builder, "name", name);
  member_instant (builder, "createdAt", used - 30 * 86400);
  if (expires != 0)
    member_instant (builder, "expiringAt", expires);
  member_instant (builder, "lastAccessedAt", used);
  json_builder_end_object (builder);
}

/* The caller's personal access tokens (Jira 8.14+, Confluence 7.9+): the
 * one in use was accessed just now; pat-several adds older ones. */
static void
handle_pat_list (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (has_fault (sim, FAULT_PAT_MISSING))
    {
      answer_not_found (msg);
      return;
    }
  json_builder_begin_array (builder);
  if (has_fault (sim, FAULT_PAT_SEVERAL))
    {
      add_pat (builder, 3, "old laptop", now + 5 * 86400, now - 90 * 86400);
      add_pat (builder, 5, "never expires", 0, now - 10 * 86400);
    }
  add_pat (builder, 7, "cma-token renewals",
           has_fault (sim, FAULT_PAT_NO_EXPIRY) ? 0 : now + (gint64) sim->pat_expires_days * 86400,
           now);
  json_builder_end_array (builder);
  answer_json (msg, SOUP_STATUS_OK, builder);
}

/* Proxy limits, then the login filter, then authentication; TRUE if one
 * of them answered. */
static gboolean
server_refuses_caller (Sim *sim, SoupServerMessage *msg, const char *rest)
{
  if (retry_fault_fires (sim, FAULT_SERVER_429))
    answer_retry_later (sim, msg, STATUS_TOO_MANY_REQUESTS, FALSE);
  else if (retry_fault_fires (sim, FAULT_SERVER_503))
    answer_retry_later (sim, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, FALSE);
  else if (has_fault (sim, FAULT_SERVER_LOGIN_PAGE))
    answer_login_page (sim, msg);
  else if (has_fault (sim, FAULT_SERVER_LOGIN_REDIRECT))
    answer_login_redirect (sim, msg, rest);
  else if (has_fault (sim, FAULT_BASIC_DISABLED) && uses_basic (msg))
    answer_server_error (msg, SOUP_STATUS_FORBIDDEN, BASIC_DISABLED_TEXT);
  else if (has_fault (sim, FAULT_SERVER_401) || !server_auth_ok (sim, msg))
    answer_server_401 (sim, msg);
  else
    return FALSE;
  return TRUE;
}

/* For an authenticated user: authorisation, then the resource's own
 * faults, then the method; TRUE if one of them answered. */
static gboolean
server_refuses_request (Sim *sim, SoupServerMessage *msg, Endpoint endpoint, const char *method)
{
  /* An authenticated user without admin rights: myself still works. */
  if (has_fault (sim, FAULT_SERVER_403) && endpoint != ENDPOINT_MYSELF &&
      endpoint != ENDPOINT_PAT_LIST)
    answer_server_error (
        msg, SOUP_STATUS_FORBIDDEN,
        "Client must be authenticated as a system administrator to access this resource.");
  /* Without the assistant there is no token endpoint either. */
  else if (endpoint == ENDPOINT_SAVE_TOKEN &&
           (has_fault (sim, FAULT_SAVE_404) || has_fault (sim, FAULT_PLUGIN_MISSING)))
    answer_not_found (msg);
  else if (endpoint == ENDPOINT_SAVE_TOKEN && has_fault (sim, FAULT_SAVE_500))
    answer_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain", SAVE_FAILED_TEXT);
  else if (!g_str_equal (soup_server_message_get_method (msg), method))
    answer_bad_method (msg, method);
  else
    return FALSE;
  return TRUE;
}

/* @rest is the path below the context path, starting with '/'.  Checks run
 * in the order a real deployment applies them: proxy limits, then the
 * login filter, then authorisation, then the resource itself. */
void
handle_server (Sim *sim, SoupServerMessage *msg, const char *rest)
{
  const char *method = NULL;
  Endpoint endpoint = classify_server_path (rest, &method);

  if (g_str_equal (rest, STATUS_PATH))
    {
      handle_status (sim, msg);
      return;
    }
  if (endpoint == ENDPOINT_NONE)
    {
      answer_not_found (msg);
      return;
    }
  if (server_refuses_caller (sim, msg, rest))
    return;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-AUSERNAME",
                                sim->server_user);
  if (server_refuses_request (sim, msg, endpoint, method))
    return;

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
    case ENDPOINT_PAT_LIST:
      handle_pat_list (sim, msg);
      break;
    case ENDPOINT_ATTACH:
      handle_attach (sim, msg);
      break;
    case ENDPOINT_NONE:
    default:
      g_assert_not_reached ();
    }
}
