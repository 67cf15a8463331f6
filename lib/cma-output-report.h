/* SPDX-License-Identifier: MIT */
/* cma-output-report.h: JSON reports of the commands that act (renew,
 * doctor), in the shape status and history use: schema_version, program
 * and product first. The library builds the string; the CLI prints it. */
#pragma once

#include <glib.h>

#include "cma-doctor.h"
#include "cma-renew.h"

G_BEGIN_DECLS

/* Bumped only when a member changes meaning or goes away; new members
 * may appear without a bump. */
#define CMA_OUTPUT_SCHEMA_VERSION 1

/* One connection's renew attempt. */
typedef struct {
  const CmaConnection *conn;
  const CmaRenewResult *result; /* the outcome when @error is NULL */
  const GError *error;          /* NULL: it succeeded */
  int exit_status;              /* what this connection alone would exit with */
  CmaState state;               /* the connection's, as status will show it */
} CmaRenewReport;

char *cma_output_renew_json (const CmaProduct *product, const CmaRenewReport *reports, guint n,
                             int exit_status);

/* One connection's checks (CmaCheck*). */
typedef struct {
  const CmaConnection *conn;
  GPtrArray *checks;
} CmaDoctorReport;

char *cma_output_doctor_json (const CmaProduct *product, const char *config_path,
                              GPtrArray *config_checks, const CmaDoctorReport *reports, guint n,
                              gboolean passed);

G_END_DECLS
