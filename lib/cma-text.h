/* SPDX-License-Identifier: MIT */
/* cma-text.h: making text someone else chose safe to show.
 *
 * A server's answer may carry ESC sequences that clear an administrator's
 * screen, retitle the terminal or forge lines, and may be large enough to
 * make a hook's environment too big for execve. Every server-provided
 * string goes through cma_text_sanitize() before it is shown, stored or
 * passed on: the one escaping the man pages document (\xNN, and "..."
 * after text cut short), whether the text is an error answer's message,
 * a cloud URL echoed back, a version or a trace.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Enough for any URL, version or content type we expect in a message. */
#define CMA_TEXT_SHORT 200

/* What ends text cut short: ASCII, so that it reads the same in any
 * locale and log. */
#define CMA_TEXT_CUT "..."

/* A copy of @text (NULL gives NULL) with every control character (C0, DEL,
 * C1, line breaks and tabs included) and every byte of invalid UTF-8
 * written as \xNN and a backslash as \\ (so the result reads back
 * unambiguously), cut to at most @max bytes of output plus "..." when
 * longer. */
char *cma_text_sanitize (const char *text, gsize max);

/* TRUE when @text holds a control character or invalid UTF-8. */
gboolean cma_text_has_control (const char *text);

G_END_DECLS
