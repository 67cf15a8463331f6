/* SPDX-License-Identifier: MIT */
/* cma-cli.h: the command-line front end shared by jcma-token and ccma-token.
 *
 * This is the only part of the tree that prints or chooses an exit status;
 * libcma proper reports GErrors.
 */
#pragma once

#include "cma-product.h"

G_BEGIN_DECLS

/* Exit statuses. status follows monitoring-plugins (0-3) for every outcome,
 * since a monitoring system reads anything else as a broken plugin; the
 * other commands use sysexits(3) numbers for their own failures. */
enum {
  CMA_EXIT_OK = 0,
  CMA_EXIT_WARNING = 1,
  CMA_EXIT_CRITICAL = 2,
  CMA_EXIT_DOCTOR_FAILED = 1, /* doctor: some check failed */
  CMA_EXIT_DOCTOR_WARNED = 2, /* doctor: none failed, some warned */
  CMA_EXIT_UNKNOWN = 3,
  CMA_EXIT_USAGE = 64,    /* EX_USAGE: bad command line */
  CMA_EXIT_NETWORK = 69,  /* EX_UNAVAILABLE: DNS, refused, timeout, TLS */
  CMA_EXIT_STATE = 74,    /* EX_IOERR: ledger unreadable, corrupt, unwritable */
  CMA_EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: ledger locked, server not running: try again later */
  CMA_EXIT_REMOTE =
      76, /* EX_PROTOCOL: unexpected answer, assistant missing or too old, token refused */
  CMA_EXIT_AUTH = 77,   /* EX_NOPERM: a side refused our credentials */
  CMA_EXIT_CONFIG = 78, /* EX_CONFIG: configuration or credentials */
};

int cma_cli_main (const CmaProduct *product, int argc, char **argv);

G_END_DECLS
