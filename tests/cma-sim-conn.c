/* SPDX-License-Identifier: MIT */
/* cma-sim-conn.c: the simulator's socket side: TLS and listening on
 * 127.0.0.1, counting client connections for /_sim/stats, and closing
 * idle keep-alive connections their clients have closed.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "cma-sim.h"

/* What we know about one client connection (libsoup owns the socket). */
typedef struct {
  Sim *sim;
  GSocket *sock;
  GSource *idle_watch; /* see idle_connection_ready () */
  guint idle_wakeups;  /* with data pending, since it went idle */
  gboolean counted;    /* already in Sim.connections */
} Conn;

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
conn_socket_finalized (gpointer data, GObject *where_the_object_was)
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

/* Sockets may outlive the simulator; their weak refs must not reach freed
 * memory. */
void
forget_connections (Sim *sim)
{
  GHashTableIter iter;
  gpointer conn;

  g_hash_table_iter_init (&iter, sim->conns);
  while (g_hash_table_iter_next (&iter, NULL, &conn))
    {
      g_hash_table_iter_steal (&iter);
      g_object_weak_unref (G_OBJECT (((Conn *) conn)->sock), conn_socket_finalized, sim);
      conn_free (conn);
    }
}

static Conn *
conn_lookup (Sim *sim, SoupServerMessage *msg)
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
void
count_connection (Sim *sim, SoupServerMessage *msg)
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
idle_connection_ready (GSocket *sock, GIOCondition condition G_GNUC_UNUSED, gpointer data)
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
request_started (SoupServer *server G_GNUC_UNUSED, SoupServerMessage *msg, gpointer data)
{
  Conn *conn = conn_lookup (data, msg);

  if (conn != NULL)
    conn_stop_watch (conn);
}

static void
request_finished (SoupServer *server G_GNUC_UNUSED, SoupServerMessage *msg, gpointer data)
{
  Conn *conn = conn_lookup (data, msg);

  if (conn == NULL || conn->idle_watch != NULL || g_socket_is_closed (conn->sock))
    return;
  conn->idle_wakeups = 0;
  conn->idle_watch = g_socket_create_source (conn->sock, G_IO_IN, NULL);
  g_source_set_callback (conn->idle_watch, G_SOURCE_FUNC (idle_connection_ready), conn, NULL);
  g_source_attach (conn->idle_watch, NULL);
}

/* Listens on 127.0.0.1 only, with TLS unless --plain-http; @port gets the
 * port, which --port 0 leaves to the kernel. */
SoupServer *
start_server (Sim *sim, guint *port, GError **error)
{
  g_autoptr (SoupServer) server = soup_server_new ("server-header", "cma-sim", NULL);
  SoupServerListenOptions flags = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;

  if (!sim->plain_http)
    {
      g_autoptr (GTlsCertificate) cert = NULL;

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
