/* SPDX-License-Identifier: MIT */
/* cma-hook.h: run the administrator's hook after each renewal attempt. */
#pragma once

#include <glib.h>

#include "cma-connection.h"
#include "cma-policy.h"
#include "cma-product.h"

G_BEGIN_DECLS

/* Run @hook with the action ("renewed", "failed", "not-due") and the
 * connection name as arguments and CMA_* variables describing the
 * connection. The environment handed over never holds a secret. A hook
 * that cannot run or exits non-zero is an error (CMA_ERROR_FAILED). */
gboolean cma_hook_run (const char *hook, const char *action, const CmaProduct *product,
                       const CmaConnection *conn, const CmaVerdict *verdict, const char *message,
                       GError **error);

G_END_DECLS
