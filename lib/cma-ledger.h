/* SPDX-License-Identifier: MIT */
/* cma-ledger.h: the record of every renewal, one JSON object per line.
 *
 * The file only grows: a record is one line appended with one write()
 * and made durable with fdatasync, so a write costs the same on a ledger
 * of ten lines or a million, and a crash leaves at worst a torn last line,
 * which the next append ends so it never swallows a record. Writers
 * serialise on a separate lock file (flock), the one earlier releases,
 * which rewrote the file through rename(), also take. The state
 * directory, its modes and who writes when are the store's
 * (cma-store.h): this is the file alone.
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
CmaRenewal *cma_renewal_copy (const CmaRenewal *renewal);
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

/* PROGRAM.ledger in @dir. Nothing is read or created yet, so nothing can
 * fail. */
CmaLedger *cma_ledger_new (const char *dir, const char *program);
void cma_ledger_free (CmaLedger *ledger);
const char *cma_ledger_get_path (CmaLedger *ledger);
/* PROGRAM.@extension beside the ledger: its lock, attempts file. */
char *cma_ledger_sibling_path (CmaLedger *ledger, const char *extension);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaLedger, cma_ledger_free)

/* The longest ledger line (its newline aside) any reader takes: a longer
 * one is reported and skipped. The one limit of writer and readers, so
 * whatever is recorded is read back: a record is a few hundred bytes, and
 * the writer refuses one that would not fit rather than write a renewal
 * every reader then ignores (which would make the next timer run renew
 * again). */
#define CMA_LEDGER_MAX_RECORD_BYTES    (64 * 1024)
/* record --note: at most this many bytes, so that any note (JSON escapes
 * six bytes for some) leaves a record well within the line. */
#define CMA_LEDGER_MAX_NOTE_BYTES      4096
/* SUDO_USER beyond this (no login name is longer) is cut at a character,
 * so a hostile environment cannot make root's renewal unrecordable. */
#define CMA_LEDGER_MAX_SUDO_USER_BYTES 256

/* Writers wait this long for each other: a renewal takes seconds, but its
 * requests may each time out and be retried. */
#define CMA_LEDGER_LOCK_TIMEOUT_SECONDS 600

/* Take the writer lock (the directory must exist), waiting up to
 * @timeout_seconds for it (0: not at all), else CMA_ERROR_LOCKED. Held
 * until cma_ledger_unlock() or free. */
gboolean cma_ledger_lock (CmaLedger *ledger, guint timeout_seconds, GError **error);
void cma_ledger_unlock (CmaLedger *ledger);

/* Called with "FILE:LINE: why; line ignored" for each line a load skips. */
typedef void (*CmaLedgerWarnFunc) (const char *message, gpointer user_data);
void cma_ledger_set_warn_func (CmaLedger *ledger, CmaLedgerWarnFunc func, gpointer user_data);

/* Reading line by line. A line that is not a usable record (malformed,
 * truncated, longer than any we write, dated in the future) is reported
 * through the warn function, once per ledger object, and skipped: one bad
 * line must not stop every command. Only a ledger that cannot be read
 * (not a regular file, I/O error) is an error. */
typedef struct {
  guint line;
  char *why;
} CmaLedgerSkip;

typedef struct {
  guint64 end;              /* in: where to start; out: just past the last whole line */
  guint lines;              /* in/out: the number of the line before end */
  CmaInstant recheck_after; /* out: the earliest time a record skipped as future */
  GArray *skipped;          /* of CmaLedgerSkip, or NULL: the whole lines reported */
  gboolean quiet;           /* report nothing (kept in skipped, for later) */
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
 * lines through the warn function; a torn last
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

/* Append @renewal as one line, durably; requires the lock. A new file
 * gets @mode; an existing one keeps its inode, owner, group and mode, and
 * every byte it held: a torn last line is ended with a newline first and
 * stays as evidence. */
gboolean cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, int mode, GError **error);

/* TRUE when @renewal renewed the token @conn uses (same server and cloud site). */
gboolean cma_renewal_matches (const CmaRenewal *renewal, const CmaConnection *conn);

G_END_DECLS
