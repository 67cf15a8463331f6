/* SPDX-License-Identifier: MIT */
/* cma-hook.h: run the administrator's hook after each renewal attempt. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-facts.h"
#include "cma-policy.h"
#include "cma-product.h"

G_BEGIN_DECLS

/* What an attempt did about the cloud site's attach (attach = yes). */
typedef struct {
  const char *action;         /* cma_renew_attach_action(); NULL: attach = no */
  const CmaAttachFact *until; /* the attach in effect, or NULL */
} CmaHookAttach;

/* Run @hook with the action ("renewed", "failed", "not-due") and the
 * connection name as arguments and CMA_* variables describing the
 * connection, with CMA_ATTACH and CMA_ATTACHED_UNTIL from @attach (may
 * be NULL). The environment handed over never holds a secret. A hook
 * that cannot run or exits non-zero is an error (CMA_ERROR_FAILED). */
gboolean cma_hook_run (const char *hook, const char *action, const CmaProduct *product,
                       const CmaConnection *conn, const CmaVerdict *verdict, const char *message,
                       const CmaHookAttach *attach, GError **error);

G_END_DECLS
