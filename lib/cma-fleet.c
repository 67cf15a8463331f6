/* SPDX-License-Identifier: MIT */
/* cma-fleet.c: renew many connections with a worker pool.
 *
 * A renewal spends nearly all its time waiting for two answers, so
 * connections are renewed side by side by a GThreadPool; each worker runs
 * the ordinary cma_renew(). The cap is per host (the HTTP share's): at
 * most jobs requests, and connections, at once to any one host, the cloud
 * API included. Correctness does not rest on the pool: each
 * renewal holds its connection's lock from due check to ledger write, as
 * it does when two separate runs race, and opens its own CmaLedger (whose
 * lock a thread holds only for one write).
 */
#include "config.h"

#include "cma-fleet.h"
#include "cma-ledger-latest.h"

typedef struct {
  const CmaFleetOptions *options;
  CmaRenewOptions renew; /* options->renew, plus the share */
  GPtrArray *conns;
  CmaRenewResult *results;
  GError **errors;
  gboolean *finished;
  GMutex lock; /* guards errors and finished */
  GCond changed;
} Fleet;

static void
refresh_index (const CmaFleetOptions *o)
{
  g_autoptr (CmaLedger) ledger = cma_ledger_new (o->state_dir, o->product->program);

  cma_ledger_latest_refresh_index (ledger);
}

static void
renew_one (gpointer data, gpointer user_data)
{
  Fleet *fleet = user_data;
  guint i = GPOINTER_TO_UINT (data) - 1; /* pushed + 1: the pool refuses NULL */
  const CmaFleetOptions *o = fleet->options;
  g_autoptr (CmaLedger) ledger = cma_ledger_new (o->state_dir, o->product->program);
  GError *error = NULL;

  cma_renew (o->product, o->policy, ledger, fleet->conns->pdata[i], &fleet->renew,
             &fleet->results[i], &error);
  g_mutex_lock (&fleet->lock);
  fleet->errors[i] = error;
  fleet->finished[i] = TRUE;
  g_cond_broadcast (&fleet->changed);
  g_mutex_unlock (&fleet->lock);
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
  guint jobs = options->jobs > 0 ? options->jobs : CMA_CONFIG_DEFAULT_JOBS;
  g_autoptr (CmaHttpShare) share = cma_http_share_new (jobs);
  g_autofree gboolean *finished = g_new0 (gboolean, conns->len);
  Fleet fleet = { options, *options->renew, conns, results, errors, finished };
  /* A renewal asks the cloud API, then its server: twice as many
   * renewals as the per-host cap keep both hosts' slots busy. One job is
   * one renewal after another, as an administrator asking for it means. */
  guint workers = MIN (jobs == 1 ? 1 : 2 * jobs, MAX (conns->len, 1));
  GThreadPool *pool;

  fleet.renew.share = share;
  /* Renewals side by side overlap each other's TLS set-up already; one
   * at a time, each overlaps its own (lib/cma-renew.c, first_token).
   * One at a time means one worker: a single connection selected, or
   * --jobs 1. Which connections are due is not known here (each renewal
   * decides under its connection's lock), so one due among several
   * selected runs beside the others' due checks, without the overlap. */
  fleet.renew.alone = workers == 1;
  g_mutex_init (&fleet.lock);
  g_cond_init (&fleet.changed);
  /* Threads start as work arrives, never more than connections. Creating
   * one cannot fail for a non-exclusive pool (GLib aborts instead). */
  pool = g_thread_pool_new (renew_one, &fleet, (int) workers, FALSE, NULL);
  for (guint i = 0; i < conns->len; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  /* Report in configuration order, each as soon as it and those before it
   * are over, so output reads the same whatever the timing. */
  for (guint i = 0; i < conns->len; i++)
    {
      wait_for (&fleet, i);
      if (done != NULL)
        done (i, user_data);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  g_mutex_clear (&fleet.lock);
  g_cond_clear (&fleet.changed);
  /* Most daily runs renew nothing, so write nothing; a ledger without a
   * current index (kept by 0.1.0, or appended to by hand) would then be
   * read whole by each of them until something is recorded. A dry run
   * leaves the state alone. */
  if (!options->renew->dry_run)
    refresh_index (options);
}
