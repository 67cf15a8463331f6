/* cma-cli-private.h: state shared by the command implementations. */
#pragma once

#include <glib.h>

#include "cma-cli.h"
#include "cma-config.h"
#include "cma-ledger.h"
#include "cma-output.h"

G_BEGIN_DECLS

typedef struct {
  const CmaProduct *product;

  /* global options */
  char    *config_path;
  char    *state_dir;
  char   **connection_names;
  char    *server_url;
  char    *cloud_url;
  double   lifetime_days;   /* NAN: not given */
  double   warning_days;
  double   critical_days;
  int      verbose;
  gboolean quiet;

  /* command options */
  char    *at;
  char    *output;
  char    *note;
  gboolean interactive;
  gboolean force;
  gboolean dry_run;
  gboolean no_cloud;
  double   renew_within;    /* NAN: not given */
  char    *hook;

  /* set up by cma_cli_setup() */
  gboolean   color;
  CmaConfig *config;
  GPtrArray *selected;      /* CmaConnection*, owned by config */
  CmaLedger *ledger;
} CmaCli;

typedef struct {
  const char   *name;
  const char   *parameter;   /* after the command name in usage */
  const char   *summary;
  GOptionEntry *(*entries) (CmaCli *cli); /* own options (g_free'd), or NULL */
  int         (*run) (CmaCli *cli, GError **error);
  gboolean      monitoring;  /* errors exit UNKNOWN */
} CmaCliCommand;

/* Load config, apply command-line overrides, select connections, open the ledger. */
gboolean cma_cli_setup (CmaCli *cli, GError **error);
/* The same; with @need_connections FALSE, no configured connection is fine
 * (cli->selected stays NULL). */
gboolean cma_cli_setup_full (CmaCli *cli, gboolean need_connections, GError **error);

/* Messages: progress goes to stderr (quiet suppresses it), results to stdout. */
void cma_cli_info    (CmaCli *cli, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
void cma_cli_verbose (CmaCli *cli, int level, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
void cma_cli_warn    (CmaCli *cli, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Fill one status entry per selected connection from @renewals at @at. */
CmaStatusEntry *cma_cli_evaluate (CmaCli *cli, GPtrArray *renewals, CmaInstant at);

int cma_cli_exit_code_for_error (const GError *error);

/* Parse a GOption value of (fractional, non-negative) days into @out. */
gboolean cma_cli_parse_days (const char *name, const char *value, double *out,
                             GError **error);

extern const CmaCliCommand cma_cli_cmd_status;
extern const CmaCliCommand cma_cli_cmd_record;
extern const CmaCliCommand cma_cli_cmd_guide;
extern const CmaCliCommand cma_cli_cmd_history;
extern const CmaCliCommand cma_cli_cmd_renew;
extern const CmaCliCommand cma_cli_cmd_doctor;

G_END_DECLS
