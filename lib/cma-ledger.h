/* SPDX-License-Identifier: MIT */
/* cma-ledger.h: the record of every renewal, one JSON object per line.
 *
 * The file only grows: a record is one line appended with one write()
 * and made durable with fdatasync, so a write costs the same on a ledger
 * of ten lines or a million, and a crash leaves at worst a torn last line,
 * which the next append ends so it never swallows a record. Writers
 * serialise on a separate lock file (flock), the one earlier releases,
 * which rewrote the file through rename(), also take.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cma-connection.h"
#include "cma-time.h"

G_BEGIN_DECLS

typedef struct {
  CmaInstant at;
  char *connection;
  char *server_url;
  char *cloud_url;
  char *method; /* "manual" or "api" */
  char *user;
  char *note;        /* or NULL */
  char *fingerprint; /* short SHA-256 of the saved token, or NULL */
} CmaRenewal;

CmaRenewal *cma_renewal_new (CmaInstant at, const CmaConnection *conn, const char *method,
                             const char *note);
void cma_renewal_free (CmaRenewal *renewal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaRenewal, cma_renewal_free)

/* Add @renewal to @builder as one object with the ledger's members, in
 * the ledger's order. Absent members (note, fingerprint ...) are left out
 * (the ledger), or written as null when @absent_as_null (history JSON,
 * whose readers expect every key). */
void cma_renewal_build_json (const CmaRenewal *renewal, JsonBuilder *builder,
                             gboolean absent_as_null);
/* Each member of @renewal's record, in the ledger's order, with its text
 * (the time as ISO 8601), or NULL when absent: for writers that lay the
 * record out themselves (history's JSON, a row at a time). */
typedef void (*CmaRenewalFieldFunc) (const char *name, const char *value, gpointer user_data);
void cma_renewal_foreach_field (const CmaRenewal *renewal, CmaRenewalFieldFunc func,
                                gpointer user_data);

typedef struct _CmaLedger CmaLedger;

/* $XDG_STATE_HOME/cma-token or @localstatedir/lib/cma-token for root. */
char *cma_ledger_default_dir (gboolean system, const char *localstatedir);

/* Nothing is read or created yet, so nothing can fail; the lock creates
 * @dir (0700). */
CmaLedger *cma_ledger_new (const char *dir, const char *program);
void cma_ledger_free (CmaLedger *ledger);
/* Let group @gid read the ledger, so monitoring needs no sudo: the lock
 * then makes @dir setgid @gid, mode 2750, and the ledger is written 0640.
 * Needs ownership of @dir (or root). -1: leave the modes alone. */
void cma_ledger_set_group (CmaLedger *ledger, gint64 gid);
const char *cma_ledger_get_path (CmaLedger *ledger);
/* PROGRAM.@extension beside the ledger: its lock, index, attempts file. */
char *cma_ledger_sibling_path (CmaLedger *ledger, const char *extension);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLedger, cma_ledger_free)

/* Writers wait this long for each other: a renewal takes seconds, but its
 * requests may each time out and be retried. */
#define CMA_LEDGER_LOCK_TIMEOUT_SECONDS 600

/* Create the state directory as writers do (private, or shared with
 * --state-group) and refuse one others may write; cma_ledger_lock() does
 * this itself, other locks beside the ledger call it first. */
gboolean cma_ledger_prepare_dir (CmaLedger *ledger, GError **error);

/* Create the state directory if needed and take the writer lock, waiting
 * up to @timeout_seconds for it (0: not at all), else CMA_ERROR_LOCKED.
 * Held until cma_ledger_unlock() or free. */
gboolean cma_ledger_lock (CmaLedger *ledger, guint timeout_seconds, GError **error);
void cma_ledger_unlock (CmaLedger *ledger);

/* Called with "FILE:LINE: why; line ignored" for each line a load skips. */
typedef void (*CmaLedgerWarnFunc) (const char *message, gpointer user_data);
void cma_ledger_set_warn_func (CmaLedger *ledger, CmaLedgerWarnFunc func, gpointer user_data);

/* All usable renewals, in file order; an absent ledger is empty. A line
 * that is not a usable record (malformed, truncated, longer than any we
 * write, dated in the future) is reported through the warn function, once
 * per ledger object, and skipped: one bad line must not stop every
 * command. Only a ledger that cannot be read (not a regular file, I/O
 * error) is an error. */
GPtrArray *cma_ledger_load (CmaLedger *ledger, GError **error);

/* Reading line by line, for the readers that keep less than every
 * record (cma-ledger-latest.c, history). */
typedef struct {
  guint line;
  char *why;
} CmaLedgerSkip;

typedef struct {
  guint64 end;              /* in: where to start; out: just past the last whole line */
  guint lines;              /* in/out: the number of the line before end */
  CmaInstant recheck_after; /* out: the earliest time a record skipped as future */
  GArray *skipped;          /* of CmaLedgerSkip, or NULL: the whole lines reported */
  gboolean quiet;           /* report nothing (a writer updating the index) */
} CmaLedgerScan;
/* A scan of the whole ledger that keeps no list of skipped lines. */
#define CMA_LEDGER_SCAN_WHOLE                                                                      \
  {                                                                                                \
    0, 0, G_MAXINT64, NULL, FALSE                                                                  \
  }

/* Called for each usable record, which it then owns, with its line
 * (without '\n') and the offset where the line starts. */
typedef void (*CmaLedgerVisitFunc) (CmaRenewal *renewal, const GString *line, guint64 offset,
                                    gpointer user_data);

/* Read @fd (the ledger) from @scan->end to its end, reporting unusable
 * lines through the warn function as cma_ledger_load() does; a torn last
 * line is reported (unless another writer holds the lock: it may
 * be writing that line) but neither passed nor added to @scan->skipped
 * (@scan->end stays before it, and the next scan reads it again). */
gboolean cma_ledger_scan (CmaLedger *ledger, int fd, CmaLedgerScan *scan, CmaLedgerVisitFunc visit,
                          gpointer user_data, GError **error);
/* Report line @line of the ledger as skipped for @why, unless this
 * ledger object already did report (cma_ledger_reported). */
void cma_ledger_report_line (CmaLedger *ledger, guint line, const char *why);
void cma_ledger_reported (CmaLedger *ledger);
/* One record as cma_ledger_scan() reads it (no check of its time). */
CmaRenewal *cma_ledger_parse_line (const char *text, gsize len, char **why);

/* Append @renewal as one line, durably; requires the lock. The file keeps
 * its inode, owner, group and mode, and every byte it held: a torn last
 * line is ended with a newline first and stays as evidence. */
gboolean cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, GError **error);

/* CMA_ERROR_STATE unless @dir is writable by its owner only. */
gboolean cma_ledger_check_dir (const char *dir, GError **error);

/* TRUE when @renewal renewed the token @conn uses (same server and cloud site). */
gboolean cma_renewal_matches (const CmaRenewal *renewal, const CmaConnection *conn);

/* The newest renewal of the token that @conn's server holds for its cloud
 * site (matched on both URLs, so renaming a connection keeps its history). */
const CmaRenewal *cma_ledger_find_last (GPtrArray *renewals, const CmaConnection *conn);
/* The same among renewals recorded at or before @at: what was known then.
 * A renewal recorded later cannot vouch for an earlier instant. */
const CmaRenewal *cma_ledger_find_last_at (GPtrArray *renewals, const CmaConnection *conn,
                                           CmaInstant at);

G_END_DECLS
