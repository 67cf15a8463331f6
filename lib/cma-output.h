/* SPDX-License-Identifier: MIT */
/* cma-output.h: every rendering of status and history, for people,
 * scripts and monitoring. The library builds strings; the CLI prints them. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-ledger.h"
#include "cma-policy.h"
#include "cma-product.h"
#include "cma-status.h"

G_BEGIN_DECLS

typedef enum {
  CMA_OUTPUT_TEXT,
  CMA_OUTPUT_JSON,
  CMA_OUTPUT_NAGIOS,
  CMA_OUTPUT_PROMETHEUS,
  CMA_OUTPUT_ICS,
} CmaOutputFormat;

/* @allowed is a mask of (1 << CmaOutputFormat) the command supports. */
gboolean cma_output_format_parse (const char *text, guint allowed, CmaOutputFormat *out,
                                  GError **error);

/* "4.2 days left", "expires today", "expired 1.5 days ago" ... */
char *cma_output_days_phrase (const CmaVerdict *verdict);

char *cma_output_status (const CmaProduct *product, const CmaPolicy *policy,
                         const CmaStatusEntry *entries, guint n_entries, CmaInstant at,
                         CmaOutputFormat format, gboolean color);

/* What status prints on stdout when it fails before it can evaluate
 * anything: monitoring and scripts read stdout even then, so it says
 * UNKNOWN in the format they parse. JSON:
 * {"schema_version": 1, "program": PROG, "product": ID, "state": "UNKNOWN",
 * "error": MESSAGE, "connections": []}; Nagios:
 * "JCMA TOKEN UNKNOWN - MESSAGE"; Prometheus: cma_token_status_success 0;
 * text and ICS: empty (the error goes to stderr; a calendar keeps its
 * events). */
char *cma_output_status_failure (const CmaProduct *product, CmaOutputFormat format,
                                 const char *message);

/* history, one renewal at a time (cma-output-history.c), so no output
 * holds the whole history. Text aligns its columns to the widest value,
 * so every row shown is measured first; then each row's text, the
 * first preceded by the header; then the end (for JSON, the whole
 * document when there was no row). Text with no row is empty. */
typedef struct _CmaHistoryOutput CmaHistoryOutput;
CmaHistoryOutput *cma_history_output_new (const CmaProduct *product, CmaOutputFormat format);
void cma_history_output_free (CmaHistoryOutput *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmaHistoryOutput, cma_history_output_free)
void cma_history_output_measure (CmaHistoryOutput *out, const CmaRenewal *renewal);
char *cma_history_output_row (CmaHistoryOutput *out, const CmaRenewal *renewal);
char *cma_history_output_end (CmaHistoryOutput *out);
guint cma_history_output_rows (const CmaHistoryOutput *out);

G_END_DECLS
