/* SPDX-License-Identifier: MIT */
/* cma-answer.h: a peer's own explanation of an error answer, for messages. */
#pragma once

#include <glib.h>

#include "cma-http.h"

G_BEGIN_DECLS

/* Characters of a peer's message kept; longer ones end in "...". */
#define CMA_ANSWER_MAX_CHARS 160

/* The message in @r's body: a JSON "message" (or "errorMessages"[0], or
 * "error"), or a text/plain body; cut to CMA_ANSWER_MAX_CHARS, control
 * characters and line breaks turned into spaces. NULL when there is none
 * (HTML pages, empty or binary bodies). */
char *cma_answer_message (const CmaHttpResponse *r);

/* "; it said \"MESSAGE\"" for appending to an error, or "" without one. */
char *cma_answer_suffix (const CmaHttpResponse *r);

/* @text as valid UTF-8 on one line, at most @max_chars characters (then
 * "..."), runs of spaces and control characters as one space; NULL if
 * nothing printable is left. */
char *cma_answer_clean (const char *text, gsize max_chars);

G_END_DECLS
