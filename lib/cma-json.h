/* SPDX-License-Identifier: MIT */
/* cma-json.h: parsing JSON that someone else wrote.
 *
 * json-glib's parser recurses once per nesting level with no limit, so a
 * few hundred kilobytes of "[[[[" exhaust the stack; and an empty or
 * comment-only document "parses" to no root at all, which json-glib's
 * accessors answer with a critical. Every untrusted document (API answers,
 * ledger lines) goes through here instead.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cma-time.h"

G_BEGIN_DECLS

/* Deeper than anything the Atlassian APIs or the ledger ever send. */
#define CMA_JSON_MAX_DEPTH 64

/* The nesting depth of the JSON text @data (@len bytes), counting arrays
 * and objects outside strings; stops counting past @limit. */
guint cma_json_depth (const char *data, gsize len, guint limit);

/* Parse @data (@len bytes) into a new root node, refusing nesting deeper
 * than @max_depth, and an empty or comment-only document, with a
 * CMA_ERROR_PROTOCOL error whose message says why (no document text). */
JsonNode *cma_json_parse_bounded (const char *data, gsize len, guint max_depth, GError **error);

/* Reading a document someone else wrote: json-glib's typed getters
 * answer a node of another type with a critical, or a NULL string.
 *
 * Whether @node (NULL: none) holds a value of @type, as
 * json_node_get_value_type() names it (G_TYPE_STRING, JSON_TYPE_ARRAY...). */
gboolean cma_json_holds (JsonNode *node, GType type);
/* These answer a member of the wrong type, or none, as absent: the
 * string, or NULL; TRUE with *@out set, or FALSE. */
const char *cma_json_string_member (JsonObject *object, const char *name);
gboolean cma_json_int_member (JsonObject *object, const char *name, gint64 *out);
JsonArray *cma_json_array_member (JsonObject *object, const char *name);

/* Building the documents we write (status, history, reports, attempts):
 * member @name with @value, or null when @value is NULL. */
void cma_json_add_string (JsonBuilder *b, const char *name, const char *value);
/* Member @name with @instant as "2026-12-01T08:30:00Z", or null when not
 * @known. */
void cma_json_add_instant (JsonBuilder *b, const char *name, gboolean known, CmaInstant instant);

G_END_DECLS
