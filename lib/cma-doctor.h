/* SPDX-License-Identifier: MIT */
/* cma-doctor.h: can this connection be renewed unattended? A checklist. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-trace.h"
#include "cma-product.h"
#include "cma-store.h"

G_BEGIN_DECLS

/* More than this between our clock and a server's Date header makes every
 * expiry computed here suspect. */
#define CMA_DOCTOR_MAX_SKEW_SECONDS (5 * 60)

typedef enum {
  CMA_CHECK_PASS,
  CMA_CHECK_FAIL,
  CMA_CHECK_WARN, /* not fatal to a renewal, but fix it; counts as not passing */
  CMA_CHECK_SKIP,
} CmaCheckResult;

typedef struct {
  CmaCheckResult result;
  char *title;  /* "server credentials accepted as administrator" */
  char *detail; /* what was found, or the fix */
} CmaCheck;

void cma_check_free (CmaCheck *check);

typedef struct {
  gboolean no_cloud;
  /* Where the tests send the requests to Atlassian's other hosts
   * (CmaHttpOptions.connect_to); NULL in real use. */
  const char *connect_to;
  /* Where what the server said (and the assistant's verdict, job-id) is
   * kept for status (in a state directory that exists already), or NULL. */
  CmaStore *store;
  CmaTraceFunc trace;
  gpointer trace_data;
} CmaDoctorOptions;

/* Checks for the configuration file itself (may be NULL: none read). */
GPtrArray *cma_doctor_check_config (const char *config_path);
/* Add to @checks whether @store's directory is private enough to hold
 * the ledger (not writable by group or others). */
void cma_doctor_check_state (GPtrArray *checks, CmaStore *store);

/* Checks for one connection, in the order a renewal needs them. Never
 * fails as a whole: every problem is a failed check. */
GPtrArray *cma_doctor_check_connection (const CmaProduct *product, const CmaConnection *conn,
                                        const CmaDoctorOptions *options);

/* TRUE when every check passed or was skipped. */
gboolean cma_doctor_all_passed (GPtrArray *checks);
/* TRUE when a check failed, not merely warned. */
gboolean cma_doctor_any_failed (GPtrArray *checks);

/* The HTTP library the requests go through, for --version: "libcurl
 * 7.88.1 (GnuTLS/3.7.9)", or "libcurl not loaded" with @error saying why.
 * --version is the one offline command that loads libcurl, to report it
 * or why it cannot be loaded. */
char *cma_doctor_http_library (GError **error);

G_END_DECLS
