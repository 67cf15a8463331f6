/* SPDX-License-Identifier: MIT */
/* cma-auth-ahead.c: the cloud's auth token, created on a thread of its own
 * while the caller's thread talks to the server.
 *
 * Each host's TLS set-up is much of a renewal's time where libcurl parses
 * the whole CA bundle for every new connection (its GnuTLS builds, 45 ms
 * for Debian's bundle): overlapping the two hosts' set-up and first round
 * trips takes one of them off the critical path. A CmaHttp serves one
 * thread, so this one has its own, on the caller's share.
 *
 * Order of the trace: the thread's lines are held and passed on when it
 * is joined, after whatever the caller traced meanwhile, so the lines of
 * the two requests never interleave and a trace reads as if they had been
 * made one after another, the server's first. */
#include "config.h"

#include "cma-auth-ahead.h"

struct _CmaAuthAhead {
  CmaHttp *http;
  const CmaApiContext *ctx;
  GThread *thread;
  CmaHttpTraceFunc trace; /* the caller's */
  gpointer trace_data;
  GPtrArray *lines; /* the thread's trace lines, already redacted */
  CmaAuthToken *token;
  GError *error;
};

static void
hold_line (const char *line, gpointer user_data)
{
  CmaAuthAhead *ahead = user_data;

  g_ptr_array_add (ahead->lines, g_strdup (line));
}

static gpointer
create_token (gpointer data)
{
  CmaAuthAhead *ahead = data;

  ahead->token = cma_api_create_auth_token (ahead->http, ahead->ctx, &ahead->error);
  return NULL;
}

CmaAuthAhead *
cma_auth_ahead_start (const CmaHttpOptions *options, const CmaApiContext *ctx)
{
  CmaAuthAhead *ahead = g_new0 (CmaAuthAhead, 1);
  CmaHttpOptions own = *options;

  ahead->ctx = ctx;
  ahead->trace = options->trace;
  ahead->trace_data = options->trace_data;
  ahead->lines = g_ptr_array_new_with_free_func (g_free);
  if (own.trace != NULL)
    {
      own.trace = hold_line;
      own.trace_data = ahead;
    }
  /* A missing CA file fails here as it would in the token request. */
  if ((ahead->http = cma_http_new (&own, &ahead->error)) == NULL)
    return ahead;
  /* Without a thread the token is made now: slower, never different. */
  ahead->thread = g_thread_try_new ("cma-auth-token", create_token, ahead, NULL);
  if (ahead->thread == NULL)
    create_token (ahead);
  return ahead;
}

static void
join (CmaAuthAhead *ahead)
{
  if (ahead->thread != NULL)
    g_thread_join (g_steal_pointer (&ahead->thread));
  for (guint i = 0; i < ahead->lines->len; i++)
    ahead->trace (ahead->lines->pdata[i], ahead->trace_data);
  g_ptr_array_set_size (ahead->lines, 0);
}

CmaAuthToken *
cma_auth_ahead_finish (CmaAuthAhead *ahead, guint *requests, guint *connects, GError **error)
{
  join (ahead);
  if (ahead->http != NULL)
    {
      *requests += cma_http_get_requests (ahead->http);
      *connects += cma_http_get_connects (ahead->http);
    }
  if (ahead->token == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&ahead->error));
      return NULL;
    }
  return g_steal_pointer (&ahead->token);
}

void
cma_auth_ahead_free (CmaAuthAhead *ahead)
{
  if (ahead == NULL)
    return;
  /* Never leave the thread running on the caller's context. */
  join (ahead);
  g_ptr_array_unref (ahead->lines);
  g_clear_pointer (&ahead->http, cma_http_free);
  g_clear_pointer (&ahead->token, cma_auth_token_free);
  g_clear_error (&ahead->error);
  g_free (ahead);
}
