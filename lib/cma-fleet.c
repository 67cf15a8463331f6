/* SPDX-License-Identifier: MIT */
/* cma-fleet.c: renew many connections with a worker pool.
 *
 * A renewal spends nearly all its time waiting for two answers, so
 * connections are renewed side by side by a few worker threads; each runs
 * the ordinary cma_renew(). The cap is per host (the HTTP share's): at
 * most jobs requests, and connections, at once to any one host, the cloud
 * API included. Correctness does not rest on the pool: each
 * renewal holds its connection's lock from due check to ledger write, as
 * it does when two separate runs race. The workers share the run's one
 * store (lib/cma-store.c), which reads the ledger once between them and
 * writes every file with the run's modes and group.
 */
#include "config.h"

#include "cma-fleet.h"
#include "cma-http.h"

typedef struct {
  const CmaFleetOptions *options;
  CmaRenewOptions renew; /* options->renew, plus the share */
  GPtrArray *conns;
  CmaRenewResult *results;
  GError **errors;
  gboolean *finished;
  GMutex lock; /* guards errors and finished */
  GCond changed;
  gint next; /* the next connection to take, atomically */
} Fleet;

static void
renew_one (Fleet *fleet, guint i)
{
  const CmaFleetOptions *o = fleet->options;
  GError *error = NULL;

  cma_renew (o->product, o->policy, o->store, fleet->conns->pdata[i], &fleet->renew,
             &fleet->results[i], &error);
  g_mutex_lock (&fleet->lock);
  fleet->errors[i] = error;
  fleet->finished[i] = TRUE;
  g_cond_broadcast (&fleet->changed);
  g_mutex_unlock (&fleet->lock);
}

/* Take the connections in order, one at a time, until none is left. */
static gpointer
worker (gpointer data)
{
  Fleet *fleet = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&fleet->next, 1)) < fleet->conns->len)
    renew_one (fleet, i);
  return NULL;
}

static void
wait_for (Fleet *fleet, guint i)
{
  g_mutex_lock (&fleet->lock);
  while (!fleet->finished[i])
    g_cond_wait (&fleet->changed, &fleet->lock);
  g_mutex_unlock (&fleet->lock);
}

void
cma_fleet_renew (const CmaFleetOptions *options, GPtrArray *conns, CmaRenewResult *results,
                 GError **errors, CmaFleetDoneFunc done, gpointer user_data)
{
  guint jobs = MAX (options->jobs, 1);
  g_autoptr (CmaHttpShare) share = cma_http_share_new (jobs);
  g_autofree gboolean *finished = g_new0 (gboolean, conns->len);
  Fleet fleet = { options, *options->renew, conns, results, errors, finished };
  /* A renewal asks the cloud API, then its server: twice as many
   * renewals as the per-host cap keep both hosts' slots busy. One job is
   * one renewal after another, as an administrator asking for it means. */
  guint workers = MIN (jobs == 1 ? 1 : 2 * jobs, MAX (conns->len, 1));
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();

  fleet.renew.share = share;
  g_mutex_init (&fleet.lock);
  g_cond_init (&fleet.changed);
  /* Threads of our own, joined before returning, rather than a
   * GThreadPool, whose idle threads outlive the pool in GLib's shared
   * pool: nothing of a run is left running behind it (LeakSanitizer's
   * exit check crashed on such a thread's libcurl thread-local data).
   * g_thread_new() aborts when it cannot create one, as GLib does. */
  for (guint w = 0; w < workers; w++)
    g_ptr_array_add (threads, g_thread_new ("cma-renew", worker, &fleet));
  /* Report in configuration order, each as soon as it and those before it
   * are over, so output reads the same whatever the timing. */
  for (guint i = 0; i < conns->len; i++)
    {
      wait_for (&fleet, i);
      if (done != NULL)
        done (i, user_data);
    }
  for (guint w = 0; w < threads->len; w++)
    g_thread_join (threads->pdata[w]);
  g_mutex_clear (&fleet.lock);
  g_cond_clear (&fleet.changed);
}
