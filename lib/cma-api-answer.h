/* SPDX-License-Identifier: MIT */
/* cma-api-answer.h: a peer's own explanation of an error answer, for messages. */
#pragma once

#include <glib.h>

#include "cma-http.h"

G_BEGIN_DECLS

/* Bytes of a peer's message kept; longer ones end in "...". */
#define CMA_ANSWER_MAX 160

/* The message in @r's body: a JSON "message" (or "errorMessages"[0], or
 * "error"), or a text/plain body; without the white space around it,
 * escaped and cut by cma_text_sanitize() to CMA_ANSWER_MAX bytes. NULL
 * when there is none (HTML pages, empty, blank or binary bodies). */
char *cma_answer_message (const CmaHttpResponse *r);

/* @text, a string decoded from @r's body, as every server text is shown
 * or kept: redacted of the run's secrets (a JSON escape can spell one
 * the raw body's redaction did not match), then escaped and cut by
 * cma_text_sanitize() to @max bytes. */
char *cma_answer_text (const CmaHttpResponse *r, const char *text, gsize max);

/* "; it said \"MESSAGE\"" for appending to an error, or "" without one. */
char *cma_answer_suffix (const CmaHttpResponse *r);

G_END_DECLS
