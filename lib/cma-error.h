/* SPDX-License-Identifier: MIT */
/* cma-error.h: the one error domain of libcma.
 *
 * Every failure the library can report is one of these codes, so the CLI
 * layer can map it to an exit status without looking at message text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CMA_ERROR (cma_error_quark ())
GQuark cma_error_quark (void);

typedef enum {
  CMA_ERROR_USAGE,         /* bad argument or option value */
  CMA_ERROR_CONFIG,        /* configuration file or connection definition */
  CMA_ERROR_CREDENTIALS,   /* secret missing, unreadable or badly protected */
  CMA_ERROR_STATE,         /* ledger unreadable, corrupt or unwritable */
  CMA_ERROR_LOCKED,        /* ledger lock held by someone else (non-blocking) */
  CMA_ERROR_AUTH,          /* a side refused our credentials */
  CMA_ERROR_NETWORK,       /* DNS, connect, timeout */
  CMA_ERROR_TLS,           /* certificate or handshake */
  CMA_ERROR_PROTOCOL,      /* unexpected answer: status, content type, body */
  CMA_ERROR_NOT_SUPPORTED, /* assistant missing or too old for API renewal */
  CMA_ERROR_REJECTED,      /* the server refused the token (expired, cloudUrl mismatch) */
  CMA_ERROR_FAILED,        /* anything else (hook, I/O outside the ledger) */
  CMA_ERROR_UNAVAILABLE,   /* a library the command needs cannot be loaded (libcurl) */
  CMA_ERROR_TEMPORARY,     /* a side is there but not ready (maintenance, starting): try later */
} CmaErrorCode;

/* Which side of a renewal an error came from; carried in the message, and
 * used by callers that need to say "the server refused ..." vs "the cloud". */
typedef enum {
  CMA_SIDE_NONE,
  CMA_SIDE_CLOUD,
  CMA_SIDE_SERVER,
} CmaSide;

/* "cloud", "server" (or "peer" for NONE): how messages name a side. */
const char *cma_side_to_string (CmaSide side);

G_END_DECLS
