/* SPDX-License-Identifier: MIT */
/* fuzz-api.c: the answers of the token endpoint, the server's save
 * endpoint and the plugin manager, through the real calls
 * (cma_api_create_auth_token, cma_api_save_token, cma_api_get_assistant)
 * and the real HTTP layer, served by a tiny HTTP server on 127.0.0.1, with
 * the -vv trace on so its redaction sees every answer too.
 *
 * Input: one control byte, then the answer. Control bits 0-1 pick the call,
 * bit 2 sends the answer in two writes (split at bits 3-7 / 32 of its
 * length), as a slow peer would, so the trace sees a body in two chunks.
 * With bit 2 clear, bit 3 (left 0 by the HTTP/1.1 seeds) makes the server
 * speak HTTP/2 (h2c, prior knowledge, nghttp2's server API) and the HTTP
 * layer ask for it, so the trace's h2 lines face the answer too; where
 * nghttp2 was not found at build time or libcurl lacks HTTP/2, that bit
 * falls back to HTTP/1.1.
 * An answer starting "HTTP/" is sent as it is (over HTTP/2: its status
 * line's code, its header lines and its body become :status, header
 * fields and DATA); anything else is the body of a 200 application/json
 * answer.
 *
 * Oracles besides crashes: nothing secret we send (the cloud API token,
 * the server's PAT, the auth token we save) shows in any trace line or in
 * the error, even when the answer quotes it back (issue 20: redaction by
 * value), and the auth token the cloud gave shows in no trace line
 * either. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

#include "cma-api.h"
#include "cma-curl.h"
#include "fuzz.h"

#define CLOUD_USER   "admin@example.com"
#define CLOUD_SECRET "fuzzCloudApiSecret7"
#define SERVER_PAT   "fuzzServerPatSecret8"
#define AUTH_TOKEN   "fuzzAuthTokenCanned9"
#define TOKEN_PATH   "/migrations/public/v1/token"

enum { CALL_TOKEN, CALL_SAVE, CALL_ASSISTANT, CALL_TOKEN_TOO };

static const CmaGuideStep no_steps[] = { { NULL, NULL } };

static const CmaProduct fuzz_product = {
  .program = "fcma-token",
  .product_name = "Fuzz",
  .assistant_name = "Fuzz Cloud Migration Assistant",
  .assistant_abbrev = "FCMA",
  .plugin_key = "com.example.fuzz",
  .min_api_version = "1.0.0",
  .default_server_url = "http://localhost:8080/",
  .steps = no_steps,
};

/* What the server sends next; set by the target before each call. */
typedef struct {
  GMutex lock;
  GBytes *answer;
  guint call;
  gsize split; /* 0: one write */
  gboolean h2; /* the next connection speaks HTTP/2 */
} Script;

static Script script;
static char *base_url;
static char *basic_b64;
static GPtrArray *trace;

/* Read one request (headers and a Content-Length body); its first line. */
static char *
read_request (int fd)
{
  g_autoptr (GString) in = g_string_new (NULL);
  char buf[4096];
  const char *end, *cl;
  gssize n;

  while ((end = strstr (in->str, "\r\n\r\n")) == NULL)
    {
      if ((n = read (fd, buf, sizeof buf)) <= 0)
        return NULL;
      g_string_append_len (in, buf, n);
    }
  cl = strstr (in->str, "Content-Length: ");
  if (cl != NULL && cl < end)
    {
      gsize want = (gsize) (end + 4 - in->str) + strtoul (cl + 16, NULL, 10);

      while (in->len < want && (n = read (fd, buf, sizeof buf)) > 0)
        g_string_append_len (in, buf, n);
    }
  return g_strndup (in->str, strcspn (in->str, "\r\n"));
}

static void
send_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (fd, data, len, MSG_NOSIGNAL);

      if (n <= 0)
        return;
      data += n;
      len -= (gsize) n;
    }
}

/* The answer to a request for @target (its request line or :path): the
 * script's, or a good auth token when the call under test is the save. */
static GBytes *
pick_answer (const char *target, gsize *split)
{
  GBytes *body;

  g_mutex_lock (&script.lock);
  body = g_bytes_ref (script.answer);
  *split = script.split;
  if (script.call == CALL_SAVE && strstr (target, TOKEN_PATH) != NULL)
    {
      g_bytes_unref (body);
      body = g_bytes_new_static ("{\"token\":\"" AUTH_TOKEN "\"}", 10 + strlen (AUTH_TOKEN) + 2);
      *split = 0;
    }
  g_mutex_unlock (&script.lock);
  return body;
}

static gboolean
is_raw_answer (const char *data, gsize len)
{
  return len >= 5 && memcmp (data, "HTTP/", 5) == 0;
}

static void
answer (int fd, const char *request_line)
{
  gsize split, len;
  g_autoptr (GBytes) body = pick_answer (request_line, &split);
  g_autoptr (GString) out = g_string_new (NULL);
  const char *data = g_bytes_get_data (body, &len);

  if (!is_raw_answer (data, len))
    g_string_append_printf (out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                            len);
  split = split > 0 ? out->len + split : 0;
  g_string_append_len (out, data, (gssize) len);
  if (split > 0 && split < out->len)
    {
      send_all (fd, out->str, split);
      g_usleep (2000); /* long enough for libcurl to hand over the first part */
      send_all (fd, out->str + split, out->len - split);
    }
  else
    send_all (fd, out->str, out->len);
}

#ifdef HAVE_NGHTTP2
/* One request stream of an HTTP/2 connection and the answer it got. */
typedef struct {
  char *path;
  GBytes *answer;
  const char *body; /* within answer */
  gsize body_len, sent;
} H2Stream;

typedef struct {
  int fd;
  gboolean done;
  GPtrArray *streams; /* H2Stream, freed with the connection */
} H2Conn;

static void
h2_stream_free (gpointer data)
{
  H2Stream *st = data;

  g_free (st->path);
  g_clear_pointer (&st->answer, g_bytes_unref);
  g_free (st);
}

/* @value_len bytes at @value (within the answer) as field @name, which is
 * copied lower-cased, as HTTP/2 wants; nghttp2 copies both. */
static void
add_field (GArray *nva, const char *name, gsize name_len, const char *value, gsize value_len)
{
  g_autofree char *lower = g_malloc (name_len + 1);
  nghttp2_nv nv = { (uint8_t *) lower, (uint8_t *) value, name_len, value_len,
                    NGHTTP2_NV_FLAG_NONE };

  for (gsize i = 0; i < name_len; i++)
    lower[i] = g_ascii_tolower (name[i]);
  g_array_append_val (nva, nv);
  g_steal_pointer (&lower); /* freed by the array's clear function */
}

static void
clear_field (gpointer data)
{
  g_free (((nghttp2_nv *) data)->name);
}

/* A header line "Name: value" of the answer as a field; connection-level
 * fields HTTP/2 forbids are left out, the rest are the fuzzer's. */
static void
add_header_line (GArray *nva, const char *line, gsize len)
{
  static const char *const hop[] = { "connection", "keep-alive", "proxy-connection",
                                     "transfer-encoding", "upgrade" };
  const char *colon = memchr (line, ':', len);
  const char *value;
  gsize name_len;

  if (colon == NULL)
    return;
  name_len = (gsize) (colon - line);
  for (gsize i = 0; i < G_N_ELEMENTS (hop); i++)
    if (name_len == strlen (hop[i]) && g_ascii_strncasecmp (line, hop[i], name_len) == 0)
      return;
  for (value = colon + 1; value < line + len && (*value == ' ' || *value == '\t');)
    value++;
  add_field (nva, line, name_len, value, (gsize) (line + len - value));
}

/* An answer starting "HTTP/": its status line's code as :status, its
 * header lines as fields, what follows the empty line as the body. */
static void
add_raw_answer (GArray *nva, H2Stream *st, const char *data, gsize len)
{
  const char *p = data, *end = data + len;

  for (gboolean first = TRUE; p < end; first = FALSE)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *next = nl != NULL ? nl + 1 : end;
      gsize line_len = (gsize) ((nl != NULL ? nl : end) - p);

      if (line_len > 0 && p[line_len - 1] == '\r')
        line_len--;
      if (first)
        {
          const char *code = memchr (p, ' ', line_len);
          const char *code_end;

          code = code != NULL ? code + 1 : p + line_len;
          code_end = memchr (code, ' ', (gsize) (p + line_len - code));
          add_field (nva, ":status", 7, code,
                     (gsize) ((code_end != NULL ? code_end : p + line_len) - code));
        }
      else if (line_len == 0)
        {
          st->body = next;
          st->body_len = (gsize) (end - next);
          return;
        }
      else
        add_header_line (nva, p, line_len);
      p = next;
    }
}

static ssize_t
h2_read_body (nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
              uint32_t *flags, nghttp2_data_source *source, void *user_data)
{
  H2Stream *st = source->ptr;
  gsize n = MIN (length, st->body_len - st->sent);

  if (n > 0)
    memcpy (buf, st->body + st->sent, n);
  st->sent += n;
  if (st->sent == st->body_len)
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t) n;
}

/* Answer the request on @stream_id; a response nghttp2 refuses to submit
 * resets the stream instead, so libcurl never waits for it. */
static void
h2_respond (nghttp2_session *session, int32_t stream_id, H2Stream *st)
{
  g_autoptr (GArray) nva = g_array_new (FALSE, FALSE, sizeof (nghttp2_nv));
  nghttp2_data_provider body = { .source.ptr = st, .read_callback = h2_read_body };
  gsize split, len;
  const char *data;
  char length[32];

  g_array_set_clear_func (nva, clear_field);
  st->answer = pick_answer (st->path != NULL ? st->path : "", &split);
  data = g_bytes_get_data (st->answer, &len);
  if (is_raw_answer (data, len))
    add_raw_answer (nva, st, data, len);
  else
    {
      g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, len);
      add_field (nva, ":status", 7, "200", 3);
      add_field (nva, "content-type", 12, "application/json", 16);
      add_field (nva, "content-length", 14, length, strlen (length));
      st->body = data;
      st->body_len = len;
    }
  if (nghttp2_submit_response (session, stream_id, (nghttp2_nv *) (void *) nva->data, nva->len,
                               st->body_len > 0 ? &body : NULL) != 0)
    nghttp2_submit_rst_stream (session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
}

static ssize_t
h2_send (nghttp2_session *session, const uint8_t *data, size_t length, int flags, void *user_data)
{
  gssize n = send (((H2Conn *) user_data)->fd, data, length, MSG_NOSIGNAL);

  return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static int
h2_begin_headers (nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
  H2Conn *conn = user_data;
  H2Stream *st;

  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  st = g_new0 (H2Stream, 1);
  g_ptr_array_add (conn->streams, st);
  return nghttp2_session_set_stream_user_data (session, frame->hd.stream_id, st);
}

static int
h2_header (nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
           size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
  H2Stream *st = nghttp2_session_get_stream_user_data (session, frame->hd.stream_id);

  if (st != NULL && namelen == 5 && memcmp (name, ":path", 5) == 0)
    {
      g_free (st->path);
      st->path = g_strndup ((const char *) value, valuelen);
    }
  return 0;
}

static int
h2_frame_recv (nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
  H2Stream *st = nghttp2_session_get_stream_user_data (session, frame->hd.stream_id);

  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && st != NULL && st->answer == NULL)
    h2_respond (session, frame->hd.stream_id, st);
  return 0;
}

static int
h2_stream_close (nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data)
{
  ((H2Conn *) user_data)->done = TRUE;
  return 0;
}

/* Serve one h2c connection (prior knowledge) until its first stream ends
 * (answered or reset) or libcurl hangs up; then GOAWAY, as HTTP/1.1's
 * "Connection: close". One request per connection, as on the HTTP/1.1
 * path: libcurl 7.88.1 (Debian 12) fails a prior-knowledge connection it
 * reuses with "Error in the HTTP2 framing layer" before sending anything
 * (a libcurl bug; over TLS, ALPN, HTTP/2 connections are reused fine), so
 * the save's second request would never reach this server. */
static void
serve_h2 (int fd)
{
  H2Conn conn = { fd, FALSE, g_ptr_array_new_with_free_func (h2_stream_free) };
  nghttp2_session_callbacks *callbacks;
  nghttp2_session *session;
  uint8_t buf[4096];
  gssize n;

  if (nghttp2_session_callbacks_new (&callbacks) != 0)
    abort ();
  nghttp2_session_callbacks_set_send_callback (callbacks, h2_send);
  nghttp2_session_callbacks_set_on_begin_headers_callback (callbacks, h2_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback (callbacks, h2_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback (callbacks, h2_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback (callbacks, h2_stream_close);
  if (nghttp2_session_server_new (&session, callbacks, &conn) != 0)
    abort ();
  nghttp2_session_callbacks_del (callbacks);
  nghttp2_submit_settings (session, NGHTTP2_FLAG_NONE, NULL, 0);
  while (nghttp2_session_send (session) == 0 && !conn.done &&
         (n = read (fd, buf, sizeof buf)) > 0 &&
         nghttp2_session_mem_recv (session, buf, (size_t) n) >= 0)
    ;
  if (conn.done && nghttp2_session_terminate_session (session, NGHTTP2_NO_ERROR) == 0)
    nghttp2_session_send (session);
  nghttp2_session_del (session);
  g_ptr_array_unref (conn.streams);
}
#endif

static gpointer
serve (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);

  for (;;)
    {
      int fd = accept (listener, NULL, NULL);
      g_autofree char *request_line = NULL;

      gboolean h2;

      if (fd < 0)
        continue;
      g_mutex_lock (&script.lock);
      h2 = script.h2;
      g_mutex_unlock (&script.lock);
#ifdef HAVE_NGHTTP2
      if (h2)
        serve_h2 (fd);
      else
#endif
          if ((request_line = read_request (fd)) != NULL)
        answer (fd, request_line);
      shutdown (fd, SHUT_WR);
      close (fd);
    }
  return NULL;
}

static void
start_server (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t addr_len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  g_autofree char *pair = g_strdup (CLOUD_USER ":" CLOUD_SECRET);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0 || listen (fd, 16) != 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &addr_len) != 0)
    abort ();
  base_url = g_strdup_printf ("http://127.0.0.1:%u/", ntohs (addr.sin_port));
  basic_b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_mutex_init (&script.lock);
  g_thread_unref (g_thread_new ("fuzz-server", serve, GINT_TO_POINTER (fd)));
}

static void
on_trace (const char *line, gpointer user_data)
{
  if (line == NULL)
    abort ();
  g_ptr_array_add (trace, g_strdup (line));
}

/* Occurrences of @needle in @len bytes at @hay (NULs and all). */
static guint
count (const char *hay, gsize len, const char *needle)
{
  gsize n = strlen (needle);
  guint found = 0;

  for (gsize i = 0; n > 0 && i + n <= len; i++)
    found += memcmp (hay + i, needle, n) == 0;
  return found;
}

/* Which trace lines a secret must not show in: those about what we sent
 * ("> ", ">> ", "* "; the fuzzer may well copy a secret into an answer),
 * or the answer's body as received ("<< "; the headers the test server
 * writes and libcurl's own notes may hold any text the fuzzer picks for a
 * token, as "Content-Length: " once was). */
typedef enum { LINES_SENT, LINES_BODY_RECEIVED } Lines;

static gboolean
in_scope (const char *line, Lines lines)
{
  if (lines == LINES_SENT)
    return line[0] == '>' || line[0] == '*';
  return g_str_has_prefix (line, "<< ");
}

/* Abort when @secret shows in one of @lines, the redaction marker aside. */
static void
check_absent (const char *secret, Lines lines)
{
  for (guint i = 0; i < trace->len; i++)
    {
      const char *line = trace->pdata[i];
      g_autoptr (GString) bare = NULL;

      if (!in_scope (line, lines))
        continue;
      bare = g_string_new (line);
      g_string_replace (bare, "[REDACTED]", "", 0);
      if (strstr (bare->str, secret) != NULL)
        abort ();
    }
}

/* Each half of the auth token the cloud gave that appears once in its
 * answer (so only inside the value) must not show in the trace. */
static void
check_token_redacted (const char *token, GBytes *answer_bytes)
{
  gsize len, half = strlen (token) / 2;
  const char *raw = g_bytes_get_data (answer_bytes, &len);
  g_autofree char *first = g_strndup (token, half);
  const char *second = token + half;

  if (half < 4)
    return;
  if (count (raw, len, first) == 1)
    check_absent (first, LINES_BODY_RECEIVED);
  if (count (raw, len, second) == 1)
    check_absent (second, LINES_BODY_RECEIVED);
}

/* Abort when @secret shows in any trace line or in @error: every form of
 * what a call sent is redacted by value, whatever the answer quotes. The
 * lines are searched as they are: "[REDACTED]" stripped, an answer could
 * spell a secret around one. */
static void
check_never_shown (const char *secret, const GError *error)
{
  for (guint i = 0; i < trace->len; i++)
    if (strstr (trace->pdata[i], secret) != NULL)
      abort ();
  if (error != NULL && strstr (error->message, secret) != NULL)
    abort ();
}

/* What @call sent: never shown. */
static void
check_sent_secrets (guint call, const GError *error)
{
  if (call != CALL_ASSISTANT)
    {
      check_never_shown (CLOUD_SECRET, error);
      check_never_shown (basic_b64, error);
    }
  if (call == CALL_ASSISTANT || call == CALL_SAVE)
    check_never_shown (SERVER_PAT, error);
  if (call == CALL_SAVE)
    check_never_shown (AUTH_TOKEN, error);
}

static void
run_call (guint call, gboolean h2, GBytes *answer_bytes)
{
  CmaConnection conn = { .name = (char *) "fuzz",
                         .server_url = base_url,
                         .cloud_url = (char *) "https://acme.atlassian.net/",
                         .cloud_api_url = base_url,
                         .cloud_user = (char *) CLOUD_USER,
                         .timeout = 5,
                         .renew_within = 7,
                         .auth_token_lifetime = 300 };
  CmaSecret cloud = { (char *) CLOUD_SECRET, (char *) "fuzz" };
  CmaSecret server = { (char *) SERVER_PAT, (char *) "fuzz" };
  CmaApiContext ctx = { &fuzz_product, &conn, &cloud, &server };
  CmaHttpOptions options = {
    .timeout = 5, .attempts = 1, .max_retry_wait = 1, .trace = on_trace, .http2_prior_knowledge = h2
  };
  g_autoptr (CmaHttp) http = cma_http_new (&options, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CmaAuthToken) token = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *version = NULL;
  gboolean enabled = FALSE, ok;

  if (http == NULL)
    abort ();
  if (call == CALL_SAVE)
    ok = cma_api_save_token (http, &ctx, &fingerprint, &warning, &error);
  else if (call == CALL_ASSISTANT)
    ok = cma_api_get_assistant (http, &ctx, &version, &enabled, &error);
  else
    ok = (token = cma_api_create_auth_token (http, &ctx, &error)) != NULL;
  if (!ok && error == NULL)
    abort ();
  if (token != NULL)
    check_token_redacted (token->token, answer_bytes);
  check_sent_secrets (call, error);
}

/* Both ends can speak h2c: nghttp2 here, HTTP/2 in the libcurl loaded. */
static gboolean
h2_available (void)
{
#ifdef HAVE_NGHTTP2
  return cma_curl_has_http2 ();
#else
  return FALSE;
#endif
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gsize once = 0;
  g_autoptr (GBytes) answer_bytes = NULL;
  guint call;
  gboolean h2;

  fuzz_make_logs_fatal ();
  if (g_once_init_enter (&once))
    {
      start_server ();
      g_once_init_leave (&once, 1);
    }
  if (size == 0)
    return 0;
  answer_bytes = g_bytes_new (data + 1, size - 1);
  call = data[0] & 3;
  h2 = (data[0] & 0xc) == 8 && h2_available ();
  g_mutex_lock (&script.lock);
  g_clear_pointer (&script.answer, g_bytes_unref);
  script.answer = g_bytes_ref (answer_bytes);
  script.call = call;
  script.split = (data[0] & 4) ? MAX ((size - 1) * (data[0] >> 3) / 32, 1) : 0;
  script.h2 = h2;
  g_mutex_unlock (&script.lock);
  trace = g_ptr_array_new_with_free_func (g_free);
  run_call (call, h2, answer_bytes);
  /* What we sent: credentials and the auth token we saved. */
  check_absent (CLOUD_SECRET, LINES_SENT);
  check_absent (basic_b64, LINES_SENT);
  check_absent (SERVER_PAT, LINES_SENT);
  if (call == CALL_SAVE)
    check_absent (AUTH_TOKEN, LINES_SENT);
  g_clear_pointer (&trace, g_ptr_array_unref);
  return 0;
}
