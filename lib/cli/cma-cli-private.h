/* SPDX-License-Identifier: MIT */
/* cma-cli-private.h: state shared by the command implementations. */
#pragma once

#include <glib.h>

#include "cma-cli.h"
#include "cma-config.h"
#include "cma-output.h"
#include "cma-store.h"

G_BEGIN_DECLS

typedef struct {
  const CmaProduct *product;

  /* global options */
  char *config_path;
  char *state_dir;
  char *state_group;
  char **connection_names;
  char *server_url;
  char *cloud_url;
  double lifetime_days; /* NAN: not given */
  double warning_days;
  double critical_days;
  int verbose;
  gboolean quiet;

  /* command options */
  char *at;
  char *output;
  char *output_file;
  char *note;
  gboolean interactive;
  gboolean force;
  gboolean dry_run;
  gboolean no_cloud;
  double renew_within; /* NAN: not given */
  char *hook;
  guint jobs; /* 0: not given */

  /* status and the plugin: read root's configuration and ledger when the
   * user has none (monitoring without sudo) */
  gboolean reads_system_files;
  gboolean attempts_damaged; /* cma_cli_read_failures() found PROG.attempts damaged */

  /* set up by cma_cli_setup() */
  char *config_tried; /* the configuration file read or looked for */
  /* doctor: a configuration others may write is a failed check, not a
   * refusal (cma_file_check_trusted ()). */
  gboolean report_untrusted;
  gboolean color;
  CmaConfig *config;
  GPtrArray *selected; /* CmaConnection*, owned by config */
  CmaStore *store;     /* the state directory, one per run */
} CmaCli;

typedef struct {
  const char *name;
  const char *parameter; /* after the command name in usage */
  const char *summary;
  const GOptionEntry *options; /* own options (CMA_CLI_FIELD), or NULL */
  int (*run) (CmaCli *cli, GError **error);
  gboolean monitoring; /* errors exit UNKNOWN */
} CmaCliCommand;

/* Option tables are static data, so every command declares its options
 * the same way and the dispatcher can read them before it knows the
 * command. An entry names the CmaCli field it sets by its offset; the
 * dispatcher binds the table to one CmaCli before parsing. Callback
 * entries keep their function and receive the CmaCli as data. */
#define CMA_CLI_FIELD(member) GSIZE_TO_POINTER (G_STRUCT_OFFSET (CmaCli, member))

/* A GOptionArgFunc that parses days (cma_cli_parse_days) into @field. */
#define CMA_CLI_DAYS_CALLBACK(fn, field)                                                           \
  static gboolean fn (const char *name, const char *value, gpointer data, GError **error)          \
  {                                                                                                \
    return cma_cli_parse_days (name, value, &((CmaCli *) data)->field, error);                     \
  }

/* Load config, apply command-line overrides, select connections, make the store. */
gboolean cma_cli_setup (CmaCli *cli, GError **error);
/* The same; with @need_connections FALSE, no configured connection is fine
 * (cli->selected stays NULL). */
gboolean cma_cli_setup_full (CmaCli *cli, gboolean need_connections, GError **error);

/* Messages: progress goes to stderr (quiet suppresses it), results to stdout. */
void cma_cli_info (CmaCli *cli, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
void cma_cli_verbose (CmaCli *cli, int level, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
void cma_cli_warn (CmaCli *cli, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* The latest renewal of each token, from one read of the ledger; when a selected connection's is
 * after @at (--at in the past), also the latest at @at in *@latest_at, from a read of the whole
 * ledger (else NULL). */
CmaLedgerLatest *cma_cli_read_latest (CmaCli *cli, CmaInstant at, CmaLedgerLatest **latest_at,
                                      GError **error);
/* The failed renewal attempts; NULL (and a warning) when they cannot be
 * read: the ledger alone still gives the right deadlines. */
GPtrArray *cma_cli_read_failures (CmaCli *cli);
/* What the server told us (PROG.facts); NULL (and a warning) when it
 * cannot be read: nothing is known of it then, and the next online
 * command writes it anew. */
GPtrArray *cma_cli_read_facts (CmaCli *cli);
/* Each selected connection at @at, by cma_status_evaluate(); the entries
 * point into @latest, @latest_at, @failures and @facts. @latest NULL: the
 * ledger is unknown; @failures NULL: so are the attempts; @facts NULL:
 * so is what the server said. */
CmaStatusEntry *cma_cli_evaluate (CmaCli *cli, CmaLedgerLatest *latest, CmaLedgerLatest *latest_at,
                                  GPtrArray *failures, GPtrArray *facts, CmaInstant at);

int cma_cli_exit_code_for_error (const GError *error);

/* Parse a GOption value of (fractional, non-negative) days into @out. */
gboolean cma_cli_parse_days (const char *name, const char *value, double *out, GError **error);
/* --at, or now when it is not given. */
gboolean cma_cli_parse_at (CmaCli *cli, CmaInstant *at, GError **error);

/* Masks of the --output formats a command accepts. */
#define CMA_CLI_FORMATS_ALL                                                                        \
  ((1u << CMA_OUTPUT_TEXT) | (1u << CMA_OUTPUT_JSON) | (1u << CMA_OUTPUT_NAGIOS) |                 \
   (1u << CMA_OUTPUT_PROMETHEUS) | (1u << CMA_OUTPUT_ICS))
#define CMA_CLI_FORMATS_DOC ((1u << CMA_OUTPUT_TEXT) | (1u << CMA_OUTPUT_JSON))
/* --output among @allowed, text when it is not given. */
gboolean cma_cli_parse_output (CmaCli *cli, guint allowed, CmaOutputFormat *format, GError **error);

/* Print a result for people on stdout, unless --quiet. */
void cma_cli_print_result (CmaCli *cli, const char *text);
/* A CmaTraceFunc for -vv: redacted HTTP traces on stderr; @data is the CmaCli. */
void cma_cli_trace_to_stderr (const char *line, gpointer data);

/* record (cma-cli-record.c), shared with guide --interactive. */
gboolean cma_cli_check_single_connection (CmaCli *cli, GError **error);
gboolean cma_cli_record_renewal (CmaCli *cli, const CmaConnection *conn, CmaInstant at,
                                 GError **error);

/* The Nagios/Icinga plugin (cma-cli-check.c): argv as the plugin got it. */
int cma_cli_check_main (CmaCli *cli, int argc, char **argv);

extern const CmaCliCommand cma_cli_cmd_status;
extern const CmaCliCommand cma_cli_cmd_record;
extern const CmaCliCommand cma_cli_cmd_guide;
extern const CmaCliCommand cma_cli_cmd_history;
extern const CmaCliCommand cma_cli_cmd_renew;
extern const CmaCliCommand cma_cli_cmd_doctor;

G_END_DECLS
