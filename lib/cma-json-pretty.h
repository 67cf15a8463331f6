/* SPDX-License-Identifier: MIT */
/* cma-json-pretty.h: JSON text for people and scripts, with numbers as
 * short as they can be read back exactly. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @root as json-glib's pretty generator lays it out (two-space indent,
 * "name" : value), except that a double is written in the fewest digits
 * that read back as the same double, so a value rounded to 0.1 prints as
 * 3.2, not json-glib's 3.2000000000000002. An integral double keeps its
 * ".0". A non-finite double, which JSON cannot hold, is null. */
char *cma_json_pretty (JsonNode *root);
/* @root laid out as it would be @depth levels inside a document, for a
 * document written a part at a time (its first line not indented). */
char *cma_json_pretty_at (JsonNode *root, guint depth);
/* @text as a JSON string, quoted and escaped as the above write it. */
void cma_json_pretty_append_string (GString *out, const char *text);

G_END_DECLS
