/* SPDX-License-Identifier: MIT */
/* cma-http.c: libcurl behind a small, safe interface. */
#include "config.h"

#include <string.h>

#include "cma-curl.h"
#include "cma-http.h"
#include "cma-redact.h"
#include "cma-text.h"
#include "cma-tls.h"
#include "cma-wipe.h"
#include "cma-url.h"

/* Bodies we accept are a few hundred bytes; cap what we hold in memory. */
#define CMA_HTTP_MAX_BODY               (1024 * 1024)
#define CMA_HTTP_DEFAULT_ATTEMPTS       3
#define CMA_HTTP_DEFAULT_MAX_RETRY_WAIT 60

struct _CmaHttp {
  CmaHttpShare *own_share; /* when options.share is NULL (perform ()) */
  CmaHttpOptions options;
  char *ca_file;
  char *cloud_ca_file;
  struct curl_slist *connect_to; /* options.connect_to as libcurl takes it */
  guint requests;
  guint connects;
  GByteArray *trace_out; /* the bodies of the current transfer, for the trace */
  GByteArray *trace_in;
  gint64 last_date;
  CmaSecrets *secrets; /* what no trace line, answer or error may quote */
};

typedef struct {
  GByteArray *body;
  GHashTable *headers;
  gboolean oversized;
} Transfer;

void
cma_http_response_free (CmaHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->content_type);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, g_hash_table_unref);
  cma_secrets_unref (response->secrets);
  g_free (response);
}

const char *
cma_http_response_header (const CmaHttpResponse *response, const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (response->headers, lower);
}

gboolean
cma_http_response_is_json (const CmaHttpResponse *response)
{
  return response->content_type != NULL &&
         (strcmp (response->content_type, "application/json") == 0 ||
          g_str_has_suffix (response->content_type, "+json"));
}

/* ---- keeping connections between requests ---- */

/* Each request gets an easy handle of its own and runs it in a multi
 * handle, whose connection cache outlives the easy handle: that is what
 * keeps a connection, and its TLS session, open from one request to the
 * next. Reusing one easy handle would too, but libcurl before 8.1.0 (7.88.1
 * in Debian 12) keeps a pointer to the previous answer's last header, freed
 * by then, and appends to it when the next answer's first header line is
 * folded: a server or proxy sending that crashed the renewal (curl issue
 * 11101, fixed by curl commit cd1c611b). A new easy handle has no such
 * pointer.
 *
 * run_transfer() is curl_easy_perform() on @multi: the handle leaves
 * @multi when done, its connection staying in @multi's cache. */
static CURLcode
run_transfer (CURLM *multi, CURL *c)
{
  CURLMcode mc = sym_curl_multi_add_handle (multi, c);
  CURLcode code = CURLE_OK;
  gboolean done = FALSE;
  int running = 1, queued;

  while (mc == CURLM_OK && running > 0)
    {
      mc = sym_curl_multi_perform (multi, &running);
      /* Waits for the sockets or libcurl's next timeout, whichever first. */
      if (mc == CURLM_OK && running > 0)
        mc = sym_curl_multi_poll (multi, NULL, 0, 1000, NULL);
    }
  for (CURLMsg *m; (m = sym_curl_multi_info_read (multi, &queued)) != NULL;)
    if (m->msg == CURLMSG_DONE && m->easy_handle == c)
      {
        code = m->data.result;
        done = TRUE;
      }
  sym_curl_multi_remove_handle (multi, c);
  /* Not curl_easy_perform()'s CURLE_BAD_FUNCTION_ARGUMENT: that code
   * stands for a malformed answer here (map_curl_error ()). */
  if (mc != CURLM_OK)
    return mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
  return done ? code : CURLE_FAILED_INIT;
}

/* The connection caches (multi handles) for one host: each keeps its
 * connection open, and no more than the cap exist, so a run opens at most
 * that many connections to a host and has at most that many requests
 * there. */
typedef struct {
  GPtrArray *idle; /* CURLM* */
  guint in_use;
} HostConnections;

struct _CmaHttpShare {
  CURLSH *sh;
  GMutex locks[CURL_LOCK_DATA_LAST];
  guint per_host;
  GMutex hosts_lock;
  GCond hosts_changed;
  GHashTable *hosts; /* "scheme://host:port" -> HostConnections */
};

/* Closes the connections too. */
static void
connections_free (CURLM *multi)
{
  sym_curl_multi_cleanup (multi);
}

static void
host_connections_free (HostConnections *h)
{
  g_ptr_array_unref (h->idle); /* closes each connection */
  g_free (h);
}

static void
share_lock_cb (CURL *handle G_GNUC_UNUSED, curl_lock_data data,
               curl_lock_access access G_GNUC_UNUSED, void *user_data)
{
  CmaHttpShare *share = user_data;

  g_mutex_lock (&share->locks[data]);
}

static void
share_unlock_cb (CURL *handle G_GNUC_UNUSED, curl_lock_data data, void *user_data)
{
  CmaHttpShare *share = user_data;

  g_mutex_unlock (&share->locks[data]);
}

/* Sessions and DNS answers are shared; connections are not, as libcurl
 * does not support one connection cache used by concurrent threads
 * (CURLSHOPT_SHARE(3)): each stays in its multi handle, kept per host. */
CmaHttpShare *
cma_http_share_new (guint per_host)
{
  CmaHttpShare *share = g_new0 (CmaHttpShare, 1);

  for (guint i = 0; i < G_N_ELEMENTS (share->locks); i++)
    g_mutex_init (&share->locks[i]);
  share->per_host = MAX (per_host, 1);
  g_mutex_init (&share->hosts_lock);
  g_cond_init (&share->hosts_changed);
  share->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) host_connections_free);
  /* Without libcurl no libcurl share: each cma_http_new () says why. */
  if (!cma_curl_load (NULL))
    return share;
  share->sh = sym_curl_share_init ();
  sym_curl_share_setopt (share->sh, CURLSHOPT_LOCKFUNC, share_lock_cb);
  sym_curl_share_setopt (share->sh, CURLSHOPT_UNLOCKFUNC, share_unlock_cb);
  sym_curl_share_setopt (share->sh, CURLSHOPT_USERDATA, share);
  sym_curl_share_setopt (share->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  sym_curl_share_setopt (share->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  return share;
}

void
cma_http_share_free (CmaHttpShare *share)
{
  if (share == NULL)
    return;
  g_hash_table_unref (share->hosts);
  if (share->sh != NULL)
    sym_curl_share_cleanup (share->sh);
  for (guint i = 0; i < G_N_ELEMENTS (share->locks); i++)
    g_mutex_clear (&share->locks[i]);
  g_mutex_clear (&share->hosts_lock);
  g_cond_clear (&share->hosts_changed);
  g_free (share);
}

/* "scheme://host:port", the unit libcurl reuses connections for. */
static char *
host_key (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return g_strdup (url); /* libcurl will refuse it with a proper error */
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri));
}

/* Connections for @url's host: an idle cache (most recently used first,
 * its connection likeliest open), a new one while under the cap, else wait
 * for one to come back. */
static CURLM *
share_acquire (CmaHttpShare *share, const char *url, HostConnections **out)
{
  g_autofree char *key = host_key (url);
  HostConnections *h;
  CURLM *multi = NULL;

  g_mutex_lock (&share->hosts_lock);
  if ((h = g_hash_table_lookup (share->hosts, key)) == NULL)
    {
      h = g_new0 (HostConnections, 1);
      h->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) connections_free);
      g_hash_table_insert (share->hosts, g_steal_pointer (&key), h);
    }
  while (h->idle->len == 0 && h->in_use >= share->per_host)
    g_cond_wait (&share->hosts_changed, &share->hosts_lock);
  if (h->idle->len > 0)
    multi = g_ptr_array_steal_index (h->idle, h->idle->len - 1);
  h->in_use++;
  g_mutex_unlock (&share->hosts_lock);
  if (multi == NULL)
    multi = sym_curl_multi_init ();
  *out = h;
  return multi;
}

static void
share_release (CmaHttpShare *share, HostConnections *h, CURLM *multi)
{
  g_mutex_lock (&share->hosts_lock);
  if (multi != NULL)
    g_ptr_array_add (h->idle, multi);
  h->in_use--;
  g_cond_broadcast (&share->hosts_changed);
  g_mutex_unlock (&share->hosts_lock);
}

/* The run's share, or this CmaHttp's own. */
static CmaHttpShare *
share_of (CmaHttp *http)
{
  return http->options.share != NULL ? http->options.share : http->own_share;
}

/* CmaHttpOptions.connect_to as libcurl takes it, or NULL. */
static struct curl_slist *
connect_to_list (const char *spec)
{
  g_auto (GStrv) entries = spec != NULL ? g_strsplit_set (spec, " ,", -1) : NULL;
  struct curl_slist *list = NULL;

  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    if (*entries[i] != '\0')
      list = sym_curl_slist_append (list, entries[i]);
  return list;
}

CmaHttp *
cma_http_new (const CmaHttpOptions *options, GError **error)
{
  g_autoptr (CmaHttp) http = NULL;

  if (!cma_curl_load (error))
    return NULL;
  http = g_new0 (CmaHttp, 1);
  http->options = *options;
  http->trace_out = g_byte_array_new ();
  http->trace_in = g_byte_array_new ();
  http->secrets = cma_secrets_new ();
  http->ca_file = g_strdup (options->ca_file);
  http->cloud_ca_file = g_strdup (options->cloud_ca_file);
  http->options.ca_file = http->ca_file;
  http->options.cloud_ca_file = http->cloud_ca_file;
  http->options.connect_to = NULL; /* the copy below is the one used */
  http->connect_to = connect_to_list (options->connect_to);
  if (http->options.attempts == 0)
    http->options.attempts = CMA_HTTP_DEFAULT_ATTEMPTS;
  if (http->options.max_retry_wait == 0)
    http->options.max_retry_wait = CMA_HTTP_DEFAULT_MAX_RETRY_WAIT;
  if (http->options.timeout <= 0)
    http->options.timeout = 30;
  for (guint i = 0; i < 2; i++)
    {
      const char *ca = i == 0 ? http->ca_file : http->cloud_ca_file;

      if (ca != NULL && !g_file_test (ca, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG, "%s %s does not exist",
                       i == 0 ? "ca-file" : "cloud-ca-file", ca);
          return NULL;
        }
    }
  /* Without a run's share, one of its own keeps the connections, and
   * their TLS sessions, between the calls of one renewal. */
  if (options->share == NULL)
    http->own_share = cma_http_share_new (1);
  return g_steal_pointer (&http);
}

void
cma_http_free (CmaHttp *http)
{
  if (http == NULL)
    return;
  cma_http_share_free (http->own_share);
  if (http->connect_to != NULL)
    sym_curl_slist_free_all (http->connect_to);
  g_free (http->ca_file);
  g_free (http->cloud_ca_file);
  /* The request body held the auth token. */
  g_byte_array_unref (http->trace_out);
  g_byte_array_unref (http->trace_in);
  cma_secrets_unref (http->secrets);
  g_free (http);
}

guint
cma_http_get_requests (CmaHttp *http)
{
  return http->requests;
}

guint
cma_http_get_connects (CmaHttp *http)
{
  return http->connects;
}

gint64
cma_http_get_last_date (CmaHttp *http)
{
  return http->last_date;
}

void
cma_http_add_secret (CmaHttp *http, CmaSide side, const char *secret)
{
  cma_secrets_add (http->secrets, 1u << side, secret);
}

char *
cma_http_redact (const CmaHttpResponse *response, const char *text)
{
  return cma_secrets_redact (response->secrets, 1u << response->side, text);
}

char *
cma_http_basic_auth (const char *user, const char *password)
{
  g_auto (CmaWiped) pair = g_strconcat (user, ":", password, NULL);
  g_auto (CmaWiped) b64 = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", b64, NULL);
}

/* ---- tracing ---- */

/* Every trace line leaves through here, whatever libcurl meant it for: its
 * informational lines quote request headers too (HTTP/2's "h2h3
 * [authorization: Basic ...]"). */
static void
trace_emit (CmaHttp *http, const char *line)
{
  g_autofree char *safe = cma_secrets_redact (http->secrets, CMA_SECRETS_ALL_SCOPES, line);

  http->options.trace (safe, http->options.trace_data);
}

static void
trace_lines (CmaHttp *http, const char *prefix, const char *data, size_t size)
{
  g_autofree char *text = g_strndup (data, size);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = NULL;
      g_autofree char *redacted = NULL;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      line = g_strconcat (prefix, lines[i], NULL);
      redacted = cma_redact_header_line (line);
      trace_emit (http, redacted);
    }
}

/* Bodies are traced whole after the transfer: a token split across
 * chunks, or escaped, is only recognisable in the complete body. */
static void
trace_body (CmaHttp *http, const char *prefix, GByteArray *body)
{
  g_auto (GStrv) lines = NULL;

  if (body->len == 0)
    return;
  lines = cma_redact_body (prefix, (const char *) body->data, body->len);
  for (guint i = 0; lines[i] != NULL; i++)
    trace_emit (http, lines[i]);
  /* The request body held the auth token. */
  explicit_bzero (body->data, body->len);
  g_byte_array_set_size (body, 0);
}

/* Keep at most what we would accept as an answer. */
static void
keep_body (GByteArray *body, const char *data, size_t size)
{
  if (body->len + size <= CMA_HTTP_MAX_BODY)
    g_byte_array_append (body, (const guint8 *) data, size);
}

static int
debug_cb (CURL *handle, curl_infotype type, char *data, size_t size, void *user_data)
{
  CmaHttp *http = user_data;

  switch (type)
    {
    case CURLINFO_TEXT:
      trace_lines (http, "* ", data, size);
      break;
    case CURLINFO_HEADER_OUT:
      trace_lines (http, "> ", data, size);
      break;
    case CURLINFO_HEADER_IN:
      trace_lines (http, "< ", data, size);
      break;
    case CURLINFO_DATA_OUT:
      keep_body (http->trace_out, data, size);
      break;
    case CURLINFO_DATA_IN:
      keep_body (http->trace_in, data, size);
      break;
    case CURLINFO_SSL_DATA_IN:
    case CURLINFO_SSL_DATA_OUT:
    case CURLINFO_END:
    default:
      break;
    }
  return 0;
}

/* ---- transfer callbacks ---- */

static size_t
write_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  size_t n = size * nmemb;

  if (t->body->len + n > CMA_HTTP_MAX_BODY)
    {
      t->oversized = TRUE;
      return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
  g_byte_array_append (t->body, (const guint8 *) data, n);
  return n;
}

static size_t
header_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  size_t n = size * nmemb;
  g_autofree char *line = g_strndup (data, n);
  char *colon;

  g_strchomp (line);
  /* A new status line (after 100 Continue, say) starts a new header set. */
  if (g_str_has_prefix (line, "HTTP/"))
    g_hash_table_remove_all (t->headers);
  else if ((colon = strchr (line, ':')) != NULL)
    {
      *colon = '\0';
      g_hash_table_replace (t->headers, g_ascii_strdown (line, -1),
                            g_strdup (g_strstrip (colon + 1)));
    }
  return n;
}

/* ---- one request ---- */

gboolean
cma_http_check_url (CmaSide side, const char *url, GError **error)
{
  if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    return TRUE;
  if (g_ascii_strncasecmp (url, "http://", 7) == 0 && cma_url_is_loopback (url))
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
               "refusing to send %s credentials over plain http to %s: use https "
               "(plain http is allowed only to a loopback address)",
               cma_side_to_string (side), url);
  return FALSE;
}

/* The system store as the one bundle file configure found: with a CA
 * directory as well (libcurl's default), GnuTLS parses every file in it
 * for each new connection, some 55 ms on Debian. */
static void
use_system_bundle (CURL *c)
{
#ifdef CMA_CA_BUNDLE
  if (g_file_test (CMA_CA_BUNDLE, G_FILE_TEST_IS_REGULAR))
    {
      sym_curl_easy_setopt (c, CURLOPT_CAINFO, CMA_CA_BUNDLE);
      sym_curl_easy_setopt (c, CURLOPT_CAPATH, NULL);
    }
#endif
  /* Keep the parsed store for the run where libcurl can (7.87, OpenSSL
   * builds); others ignore it and parse it per connection. */
  sym_curl_easy_setopt (c, CURLOPT_CA_CACHE_TIMEOUT, 3600L);
}

static void
setup_common (CmaHttp *http, CURL *c, CmaSide side, const char *url)
{
  /* A server's private CA must not become the only CA trusted for
   * api.atlassian.com, hence one CA setting per side. */
  const char *ca = side == CMA_SIDE_CLOUD ? http->cloud_ca_file : http->ca_file;

  sym_curl_easy_setopt (c, CURLOPT_URL, url);
  sym_curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  sym_curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  /* Plain http goes only to a loopback address (cma_http_check_url), but
   * libcurl would hand it, credentials and all, to an http_proxy from the
   * environment, off this host in clear text: no proxy for plain http. */
  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    sym_curl_easy_setopt (c, CURLOPT_PROXY, "");
  sym_curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 0L);
  sym_curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 1L);
  sym_curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 2L);
  sym_curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  sym_curl_easy_setopt (c, CURLOPT_TIMEOUT_MS, (long) (http->options.timeout * 1000));
  sym_curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT_MS,
                        (long) (MIN (http->options.timeout, 15.0) * 1000));
  sym_curl_easy_setopt (c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
  if (http->connect_to != NULL)
    sym_curl_easy_setopt (c, CURLOPT_CONNECT_TO, http->connect_to);
  if (http->options.http2_prior_knowledge && cma_curl_has_http2 ())
    sym_curl_easy_setopt (c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  /* A CA file replaces the system store rather than adding to it: an
   * administrator who names the CA means that CA, and loading hundreds of
   * system certificates per run costs memory for nothing. */
  if (ca != NULL)
    {
      sym_curl_easy_setopt (c, CURLOPT_CAINFO, ca);
      sym_curl_easy_setopt (c, CURLOPT_CAPATH, NULL);
    }
  else
    use_system_bundle (c);
  if (http->options.trace != NULL)
    {
      sym_curl_easy_setopt (c, CURLOPT_VERBOSE, 1L);
      sym_curl_easy_setopt (c, CURLOPT_DEBUGFUNCTION, debug_cb);
      sym_curl_easy_setopt (c, CURLOPT_DEBUGDATA, http);
    }
}

static void
map_curl_error (CURL *c, CURLcode code, const char *errbuf, const Transfer *t, CmaSide side,
                const char *url, GError **error)
{
  long verify = 0;

  const char *who = cma_side_to_string (side);
  /* libcurl's message may quote the peer (a certificate's names). */
  g_autofree char *detail =
      cma_text_sanitize (errbuf[0] ? errbuf : sym_curl_easy_strerror (code), CMA_TEXT_SHORT);

  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      g_set_error (error, CMA_ERROR, CMA_ERROR_NETWORK,
                   "%s %s: host name not found (%s); check the URL and DNS", who, url, detail);
      break;
    case CURLE_COULDNT_CONNECT:
      g_set_error (error, CMA_ERROR, CMA_ERROR_NETWORK,
                   "%s %s: cannot connect (%s); is it running and reachable from here?", who, url,
                   detail);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      g_set_error (error, CMA_ERROR, CMA_ERROR_NETWORK,
                   "%s %s: no answer in time (%s); raise 'timeout' or check the network", who, url,
                   detail);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      sym_curl_easy_getinfo (c, CURLINFO_SSL_VERIFYRESULT, &verify);
      cma_tls_set_error (side, url, detail, verify, error);
      break;
    /* Not HTTP, or a header line that is no field ("name: value") nor
     * continues one: libcurl before 8.1 fails the latter as a bad argument
     * of its own, a code no option of ours can cause (run_transfer ()). */
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                   "%s %s: answered malformed HTTP (%s); is a proxy in the way?", who, url,
                   code == CURLE_WEIRD_SERVER_REPLY || errbuf[0] ? detail : "bad header line");
      break;
    case CURLE_WRITE_ERROR:
      if (t->oversized)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_PROTOCOL,
                       "%s %s: answer larger than %d bytes; not an Atlassian API answer", who, url,
                       CMA_HTTP_MAX_BODY);
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, CMA_ERROR, CMA_ERROR_NETWORK, "%s %s: %s", who, url, detail);
      break;
    }
}

static char *
content_type_of (GHashTable *headers)
{
  const char *ct = g_hash_table_lookup (headers, "content-type");
  g_autofree char *lower = NULL;
  char *semi;

  if (ct == NULL)
    return NULL;
  lower = g_ascii_strdown (ct, -1);
  if ((semi = strchr (lower, ';')) != NULL)
    *semi = '\0';
  return g_strdup (g_strstrip (lower));
}

/* JSON both ways, and the credentials; libcurl copies every line. */
static struct curl_slist *
request_headers (const char *authorization, gboolean has_body)
{
  struct curl_slist *list = sym_curl_slist_append (NULL, "Accept: application/json");

  if (has_body)
    list = sym_curl_slist_append (list, "Content-Type: application/json");
  if (authorization != NULL)
    {
      g_auto (CmaWiped) line = g_strconcat ("Authorization: ", authorization, NULL);
      list = sym_curl_slist_append (list, line);
    }
  return list;
}

/* curl_slist_append copied the Authorization header: wipe that copy too. */
static void
free_request_headers (struct curl_slist *list)
{
  for (struct curl_slist *l = list; l != NULL; l = l->next)
    cma_secret_zero (l->data);
  sym_curl_slist_free_all (list);
}

/* Server text enters here, so here it loses the run's secrets: whatever
 * a caller shows or stores of an answer (an error page echoing the
 * Authorization header, say) cannot quote them. */
static void
redact_answer (CmaHttp *http, CmaHttpResponse *response, GByteArray *body)
{
  guint scope = 1u << response->side;
  GHashTableIter iter;
  gpointer value;

  response->secrets = cma_secrets_ref (http->secrets);
  response->body = cma_secrets_redact_bytes (http->secrets, scope, body->data, body->len);
  g_byte_array_unref (body);
  g_hash_table_iter_init (&iter, response->headers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_iter_replace (&iter, cma_secrets_redact (http->secrets, scope, value));
}

/* The answer to the transfer @c just did; takes @body and @headers. */
static CmaHttpResponse *
response_new (CmaHttp *http, CURL *c, CmaSide side, GByteArray *body, GHashTable *headers)
{
  CmaHttpResponse *response = g_new0 (CmaHttpResponse, 1);
  const char *date;

  sym_curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &response->status);
  response->side = side;
  response->headers = headers;
  redact_answer (http, response, body);
  response->content_type = content_type_of (headers);
  date = g_hash_table_lookup (headers, "date");
  if (date != NULL)
    http->last_date = sym_curl_getdate (date, NULL);
  return response;
}

/* One request on a new easy handle @c, through the connections of
 * @multi; cleans @c up. */
static CmaHttpResponse *
perform_once (CmaHttp *http, CURLM *multi, CURL *c, CmaSide side, const char *method,
              const char *url, const char *authorization, const char *json_body, GError **error)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Transfer t = { body, headers, FALSE };
  struct curl_slist *list = request_headers (authorization, json_body != NULL);
  CmaHttpResponse *response = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  long connects = 0;
  CURLcode code;

  /* Before the transfer: libcurl traces the header as it sends it. */
  cma_secrets_add_authorization (http->secrets, CMA_SECRETS_ALL_SCOPES, authorization);
  setup_common (http, c, side, url);
  sym_curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  sym_curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, write_cb);
  sym_curl_easy_setopt (c, CURLOPT_WRITEDATA, &t);
  sym_curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, header_cb);
  sym_curl_easy_setopt (c, CURLOPT_HEADERDATA, &t);
  if (json_body != NULL)
    sym_curl_easy_setopt (c, CURLOPT_POSTFIELDS, json_body);
  sym_curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, method);
  sym_curl_easy_setopt (c, CURLOPT_HTTPHEADER, list);

  code = run_transfer (multi, c);
  free_request_headers (list);
  if (http->options.trace != NULL)
    {
      trace_body (http, ">> ", http->trace_out);
      trace_body (http, "<< ", http->trace_in);
    }
  http->requests++;
  sym_curl_easy_getinfo (c, CURLINFO_NUM_CONNECTS, &connects);
  http->connects += (guint) connects;
  if (code != CURLE_OK)
    {
      g_autofree char *said = cma_secrets_redact (http->secrets, CMA_SECRETS_ALL_SCOPES, errbuf);

      map_curl_error (c, code, said, &t, side, url, error);
    }
  else
    response = response_new (http, c, side, g_steal_pointer (&body), g_steal_pointer (&headers));
  sym_curl_easy_cleanup (c);
  return response;
}

/* perform_once() on a new easy handle, through connections borrowed
 * from those the share keeps for @url's host. */
static CmaHttpResponse *
perform (CmaHttp *http, CmaSide side, const char *method, const char *url,
         const char *authorization, const char *json_body, GError **error)
{
  CmaHttpShare *share = share_of (http);
  HostConnections *host;
  CURLM *multi = share_acquire (share, url, &host);
  CURL *c = multi != NULL ? sym_curl_easy_init () : NULL;
  CmaHttpResponse *response = NULL;

  if (c == NULL)
    g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED, "cannot initialise libcurl");
  else
    {
      sym_curl_easy_setopt (c, CURLOPT_SHARE, share->sh);
      response = perform_once (http, multi, c, side, method, url, authorization, json_body, error);
    }
  share_release (share, host, multi);
  return response;
}

/* Seconds @response asks us to wait, at most @cap (1 when it says nothing).
 * Retry-After is delta-seconds or an HTTP date (RFC 9110, 10.2.3). */
static guint
retry_after (const CmaHttpResponse *response, guint cap)
{
  const char *value = cma_http_response_header (response, "retry-after");
  gint64 seconds = 1;

  if (value != NULL)
    {
      char *end = NULL;
      gint64 n = g_ascii_strtoll (value, &end, 10);

      if (end != value && *end == '\0')
        seconds = n;
      else
        {
          time_t when = sym_curl_getdate (value, NULL);
          if (when > 0)
            seconds = (gint64) when - g_get_real_time () / G_USEC_PER_SEC;
        }
    }
  return (guint) CLAMP (seconds, 0, (gint64) cap);
}

gboolean
cma_http_wait_for_retry (CmaHttp *http, CmaSide side, const CmaHttpResponse *response,
                         guint attempt)
{
  guint wait;

  /* 429 and 503 ask us to come back later; nothing else is worth a retry.
   * No sleep after the last try: the answer goes back as it is. */
  if ((response->status != 429 && response->status != 503) || attempt >= http->options.attempts)
    return FALSE;
  wait = retry_after (response, http->options.max_retry_wait);
  if (http->options.trace != NULL)
    {
      g_autofree char *line = g_strdup_printf ("* %s answered %ld; retrying in %u s "
                                               "(attempt %u of %u)",
                                               cma_side_to_string (side), response->status, wait,
                                               attempt + 1, http->options.attempts);
      trace_emit (http, line);
    }
  g_usleep ((gulong) wait * G_USEC_PER_SEC);
  return TRUE;
}

CmaHttpResponse *
cma_http_request_once (CmaHttp *http, CmaSide side, const char *method, const char *url,
                       const char *authorization, const char *json_body, GError **error)
{
  if (!cma_http_check_url (side, url, error))
    return NULL;
  return perform (http, side, method, url, authorization, json_body, error);
}

CmaHttpResponse *
cma_http_request (CmaHttp *http, CmaSide side, const char *method, const char *url,
                  const char *authorization, const char *json_body, GError **error)
{
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr (CmaHttpResponse) response =
          cma_http_request_once (http, side, method, url, authorization, json_body, error);

      if (response == NULL || !cma_http_wait_for_retry (http, side, response, attempt))
        return g_steal_pointer (&response);
    }
}

/* ---- reaching hosts without a request ---- */

/* A handle that connects to @url's host, shakes hands and stops. */
static CURL *
reach_handle (CmaHttp *http, CmaSide side, const char *url, char *errbuf)
{
  CURL *c = sym_curl_easy_init ();
  long ms = (long) (MIN (http->options.timeout, CMA_HTTP_REACH_TIMEOUT) * 1000);

  if (c == NULL)
    return NULL;
  setup_common (http, c, side, url);
  sym_curl_easy_setopt (c, CURLOPT_CONNECT_ONLY, 1L);
  sym_curl_easy_setopt (c, CURLOPT_TIMEOUT_MS, ms);
  sym_curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  sym_curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  return c;
}

/* Run every handle of @multi to its end; FALSE when libcurl itself failed. */
static gboolean
run_all (CURLM *multi)
{
  CURLMcode mc = CURLM_OK;
  int running = 1;

  while (mc == CURLM_OK && running > 0)
    {
      mc = sym_curl_multi_perform (multi, &running);
      if (mc == CURLM_OK && running > 0)
        mc = sym_curl_multi_poll (multi, NULL, 0, 1000, NULL);
    }
  return mc == CURLM_OK;
}

/* Each target's result from the messages of @multi (NULL: libcurl
 * failed as a whole); a handle that never finished is a failure too. */
static void
collect_reach (CURLM *multi, CURL **handles, char (*errbufs)[CURL_ERROR_SIZE], CmaSide side,
               CmaHttpReach *targets, guint n)
{
  gboolean *done = g_newa (gboolean, n);
  Transfer none = { NULL, NULL, FALSE };
  int queued;

  memset (done, 0, n * sizeof *done);
  for (CURLMsg *m; multi != NULL && (m = sym_curl_multi_info_read (multi, &queued)) != NULL;)
    for (guint i = 0; i < n; i++)
      if (m->msg == CURLMSG_DONE && m->easy_handle == handles[i])
        {
          done[i] = TRUE;
          if (m->data.result != CURLE_OK)
            map_curl_error (handles[i], m->data.result, errbufs[i], &none, side, targets[i].url,
                            &targets[i].error);
        }
  for (guint i = 0; i < n; i++)
    if (!done[i] && targets[i].error == NULL)
      g_set_error (&targets[i].error, CMA_ERROR, CMA_ERROR_FAILED,
                   "%s %s: libcurl could not run the test", cma_side_to_string (side),
                   targets[i].url);
}

void
cma_http_reach (CmaHttp *http, CmaSide side, CmaHttpReach *targets, guint n)
{
  CURLM *multi = sym_curl_multi_init ();
  g_autofree CURL **handles = g_new0 (CURL *, n);
  g_autofree char (*errbufs)[CURL_ERROR_SIZE] = g_malloc0 (n * CURL_ERROR_SIZE);

  for (guint i = 0; i < n && multi != NULL; i++)
    if (cma_http_check_url (side, targets[i].url, &targets[i].error) &&
        (handles[i] = reach_handle (http, side, targets[i].url, errbufs[i])) != NULL)
      sym_curl_multi_add_handle (multi, handles[i]);
  if (multi != NULL && run_all (multi))
    collect_reach (multi, handles, errbufs, side, targets, n);
  else
    collect_reach (NULL, handles, errbufs, side, targets, n);
  for (guint i = 0; i < n; i++)
    if (handles[i] != NULL)
      {
        long connects = 0;

        sym_curl_easy_getinfo (handles[i], CURLINFO_NUM_CONNECTS, &connects);
        http->connects += (guint) connects;
        sym_curl_multi_remove_handle (multi, handles[i]);
        sym_curl_easy_cleanup (handles[i]);
      }
  if (multi != NULL)
    sym_curl_multi_cleanup (multi);
}
