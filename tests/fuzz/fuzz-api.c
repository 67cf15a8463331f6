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
 * An answer starting "HTTP/" is sent as it is; anything else is the body
 * of a 200 application/json answer.
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

#include "cma-api.h"
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

/* The answer to @request_line: the script's, or a good auth token when
 * the call under test is the save. */
static void
answer (int fd, const char *request_line)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  gsize split, len;
  const char *data;

  g_mutex_lock (&script.lock);
  body = g_bytes_ref (script.answer);
  split = script.split;
  if (script.call == CALL_SAVE && strstr (request_line, TOKEN_PATH) != NULL)
    {
      g_clear_pointer (&body, g_bytes_unref);
      body = g_bytes_new_static ("{\"token\":\"" AUTH_TOKEN "\"}", 10 + strlen (AUTH_TOKEN) + 2);
      split = 0;
    }
  g_mutex_unlock (&script.lock);
  data = g_bytes_get_data (body, &len);
  if (len < 5 || memcmp (data, "HTTP/", 5) != 0)
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

static gpointer
serve (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);

  for (;;)
    {
      int fd = accept (listener, NULL, NULL);
      g_autofree char *request_line = NULL;

      if (fd < 0)
        continue;
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
run_call (guint call, GBytes *answer_bytes)
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
  CmaHttpOptions options = { .timeout = 5, .attempts = 1, .max_retry_wait = 1, .trace = on_trace };
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

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gsize once = 0;
  g_autoptr (GBytes) answer_bytes = NULL;
  guint call;

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
  g_mutex_lock (&script.lock);
  g_clear_pointer (&script.answer, g_bytes_unref);
  script.answer = g_bytes_ref (answer_bytes);
  script.call = call;
  script.split = (data[0] & 4) ? MAX ((size - 1) * (data[0] >> 3) / 32, 1) : 0;
  g_mutex_unlock (&script.lock);
  trace = g_ptr_array_new_with_free_func (g_free);
  run_call (call, answer_bytes);
  /* What we sent: credentials and the auth token we saved. */
  check_absent (CLOUD_SECRET, LINES_SENT);
  check_absent (basic_b64, LINES_SENT);
  check_absent (SERVER_PAT, LINES_SENT);
  if (call == CALL_SAVE)
    check_absent (AUTH_TOKEN, LINES_SENT);
  g_clear_pointer (&trace, g_ptr_array_unref);
  return 0;
}
