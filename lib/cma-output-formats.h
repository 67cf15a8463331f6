/* SPDX-License-Identifier: MIT */
/* cma-output-formats.h: the formats that live in files of their own,
 * for cma-output.c to dispatch to. Private to libcma. */
#pragma once

#include <json-glib/json-glib.h>

#include "cma-output.h"

G_BEGIN_DECLS

/* Prometheus text exposition format (cma-output-prometheus.c). */
char *cma_output_prometheus_status (const CmaProduct *product, const CmaStatusEntry *entries,
                                    guint n);
char *cma_output_prometheus_failure (const CmaProduct *product);

/* RFC 5545 calendar (cma-output-ics.c); @stamp is DTSTAMP. */
char *cma_output_ics_status (const CmaProduct *product, const CmaStatusEntry *entries, guint n,
                             CmaInstant stamp);

/* Failed renewal attempts (cma-output-failure.c). "renewal failing since
 * WHEN, N attempts: last error MESSAGE", times local (@local) or UTC. */
char *cma_output_failure_phrase (const CmaFailure *failure, gboolean local);
/* Member "last_failure": {since, at, attempts, class, message} or null;
 * with @damaged and no failure, the same members, unknown, with class
 * "damaged" and CMA_OUTPUT_ATTEMPTS_DAMAGED as message. */
void cma_output_failure_json (JsonBuilder *builder, const CmaFailure *failure, gboolean damaged);
/* What every format says of a damaged attempts file. */
#define CMA_OUTPUT_ATTEMPTS_DAMAGED                                                                \
  "attempts record damaged: failed renewals may be missing (the next attempt rewrites it)"

/* Credentials about to expire (cma-output-credentials.c): a line each
 * for text, ", PHRASE" per credential not OK for Nagios, and the member
 * "credentials": [{name, expires, days_left, source, state}]. */
void cma_output_credentials_text (GString *out, const CmaStatusEntry *e);
char *cma_output_credentials_nagios (const CmaStatusEntry *e);
void cma_output_credentials_json (JsonBuilder *builder, const CmaStatusEntry *e);

/* The attach clock (cma-output-attach.c), for attach = yes only: a line
 * for text, ", NAME PHRASE" when not OK for Nagios, the member "attach":
 * {attached_at, until, seconds_left, state} (null for attach = no), and
 * one perfdata item @label=Ns. */
/* "attached until WHEN (12.0 h left)", "attach lapsed 1.5 h ago (WHEN)"
 * or "never attached for Migration API jobs"; times local (@local) or UTC. */
char *cma_output_attach_phrase (const CmaAttachVerdict *attach, gboolean local);
/* The phrase as a line of its own, after @prefix (indentation, a label). */
void cma_output_attach_text (GString *out, const char *prefix, const CmaStatusEntry *e);
char *cma_output_attach_nagios (const CmaStatusEntry *e);
void cma_output_attach_json (JsonBuilder *builder, const CmaStatusEntry *e);
void cma_output_attach_perfdata (GString *out, const char *label, const CmaStatusEntry *e);
/* The assistant's verdict (cma-output-verdict.c), when the evaluator
 * took one: "the assistant's token check: OUTCOME as of WHEN, \"MESSAGE\""
 * (NULL without one), a line for text, ", PHRASE" for Nagios when not OK,
 * and the member "assistant_check": {outcome, status, message, task_id,
 * at, state} or null. */
char *cma_output_verdict_phrase (const CmaStatusEntry *e, gboolean local_time);
void cma_output_verdict_text (GString *out, const CmaStatusEntry *e);
char *cma_output_verdict_nagios (const CmaStatusEntry *e);
void cma_output_verdict_json (JsonBuilder *builder, const CmaStatusEntry *e);

/* A copy of @r for a terminal: every string escaped (cma_text_sanitize). */
CmaRenewal *cma_output_renewal_for_display (const CmaRenewal *r);

/* JSON shared by every command (cma-output-report.c): schema_version,
 * program and product, the members every JSON output starts with. */
void cma_output_json_header (JsonBuilder *builder, const CmaProduct *product);
/* Pretty-printed, with a final newline. */
char *cma_output_json_to_string (JsonBuilder *builder);

G_END_DECLS
