/* SPDX-License-Identifier: MIT */
/* cma-api-check.h: the assistant's own verdict on the container token, a
 * pre-migration Check task of a Migration API job limited to the
 * product's container token check (developer.atlassian.com, Migration
 * API, "Migration task" and "Migration task status"). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cma-api.h"
#include "cma-store.h"

G_BEGIN_DECLS

/* The longest doctor and renew wait for a Check task to finish. */
#define CMA_TOKEN_CHECK_MAX_WAIT 60.0

typedef struct {
  char *task_id;
  char *status;  /* PENDING, IN_PROGRESS, FINISHED */
  char *outcome; /* SUCCESS, WARNING, FAILED, SKIPPED; NULL while unfinished */
  char *message; /* the check's message, else the task's; printable; or NULL */
} CmaTokenCheck;

void cma_token_check_clear (CmaTokenCheck *check);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmaTokenCheck, cma_token_check_clear)

/* POST {cloud-api-url}migrations/public/v1/jobs/{job-id}/tasks with
 * {"task":"Check","options":{"checkTypes":{"includeKeys":[KEY]}}}, then
 * GET .../tasks/{taskId}/status?expandChildren=true until FINISHED, for at
 * most @max_wait seconds (polls spaced 0.1 s, doubling up to 5 s). Not
 * finished in time is no error: @out keeps the last status, outcome NULL.
 * The product must have a token_check_key and the connection a job_id. */
gboolean cma_api_token_check (CmaHttp *http, const CmaApiContext *ctx, double max_wait,
                              CmaTokenCheck *out, GError **error);

/* data.status, data.outcome and the message (the check @key's child's
 * own, else the task's) of @answer, a task status @r answered, into
 * @out: printable, redacted of the run's secrets. FALSE without a
 * data.status. */
gboolean cma_token_check_read (const CmaHttpResponse *r, JsonObject *answer, const char *key,
                               CmaTokenCheck *out);

/* Keep a finished @check as @conn's last verdict, read at @at, in the
 * facts beside the ledger (under @store's writer lock). */
gboolean cma_token_check_remember (CmaStore *store, const CmaConnection *conn,
                                   const CmaTokenCheck *check, CmaInstant at, GError **error);

/* "no container-token check key is known for JCMA; ..." when the product
 * has no key to ask for, else NULL. */
char *cma_token_check_unknown (const CmaProduct *product);

G_END_DECLS
