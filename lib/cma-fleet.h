/* SPDX-License-Identifier: MIT */
/* cma-fleet.h: renew many connections with a pool of workers.
 *
 * Each worker runs the whole renewal of one connection at a time, exactly
 * as cma_renew() does alone; the workers share TLS sessions, DNS answers
 * and open connections, at most jobs of them to any one host. Results come back in the connections'
 * order.
 */
#pragma once

#include <glib.h>

#include "cma-renew.h"

G_BEGIN_DECLS

typedef struct {
  const CmaProduct *product;
  const CmaPolicy *policy;
  CmaStore *store;              /* the run's, shared by the workers */
  const CmaRenewOptions *renew; /* share is set by the fleet */
  guint jobs;                   /* requests (and connections) at once per host, at least 1 (the
                                 * CLI passes --jobs, else the configuration's jobs) */
} CmaFleetOptions;

/* Called in the caller's thread for connection @index once its attempt
 * and every earlier connection's are over; @results[@index] and
 * @errors[@index] are final. */
typedef void (*CmaFleetDoneFunc) (guint index, gpointer user_data);

/* Renew each of @conns (CmaConnection*), filling @results and @errors
 * (arrays of @conns->len, zeroed; the caller frees their contents), and
 * return when all are done. */
void cma_fleet_renew (const CmaFleetOptions *options, GPtrArray *conns, CmaRenewResult *results,
                      GError **errors, CmaFleetDoneFunc done, gpointer user_data);

G_END_DECLS
