/* SPDX-License-Identifier: MIT */
/* cma-trace.h: where -vv's lines go. The network layer (lib/net/) writes
 * them, redacted; the CLI prints them; the layers between pass the
 * function along without seeing the network layer's own types. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One redacted line of a request or an answer, without a newline. */
typedef void (*CmaTraceFunc) (const char *line, gpointer user_data);

G_END_DECLS
