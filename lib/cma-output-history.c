/* SPDX-License-Identifier: MIT */
/* cma-output-history.c: history as text or JSON, a row at a time.
 *
 * The JSON is the document history always printed, byte for byte: the
 * part before the array and after it come from that document built
 * without rows, and each row is written as that printer lays out an
 * object at the depth it has inside the array (tests/test-output.c
 * compares the two), without building one: a JsonBuilder per row cost
 * history a fifth of its time. */
#include "config.h"

#include <string.h>

#include "cma-json-pretty.h"
#include "cma-output-formats.h"
#include "cma-output.h"

/* "renewals" is an array two levels down: its rows are at depth 2, their
 * members at 3. */
#define ROW_INDENT    "    "
#define MEMBER_INDENT "      "
#define ARRAY_CLOSE   "\n  ]"

struct _CmaHistoryOutput {
  CmaOutputFormat format;
  guint rows;
  guint conn_width, user_width; /* text columns */
  char *json_head;              /* the empty document up to its "[]" */
  char *json_tail;              /* and after it */
};

/* The document without rows, cut where its empty array is. */
static void
split_empty_document (CmaHistoryOutput *out, const CmaProduct *product)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *doc = NULL;
  char *array;

  json_builder_begin_object (b);
  cma_output_json_header (b, product);
  json_builder_set_member_name (b, "renewals");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  doc = cma_output_json_to_string (b);
  array = g_strrstr (doc, "[]");
  out->json_head = g_strndup (doc, array - doc);
  out->json_tail = g_strdup (array + strlen ("[]"));
}

CmaHistoryOutput *
cma_history_output_new (const CmaProduct *product, CmaOutputFormat format)
{
  CmaHistoryOutput *out = g_new0 (CmaHistoryOutput, 1);

  out->format = format;
  out->conn_width = strlen ("CONNECTION");
  out->user_width = strlen ("USER");
  if (format == CMA_OUTPUT_JSON)
    split_empty_document (out, product);
  return out;
}

void
cma_history_output_free (CmaHistoryOutput *out)
{
  if (out == NULL)
    return;
  g_free (out->json_head);
  g_free (out->json_tail);
  g_free (out);
}

/* The widths of the connection and user columns: the widest value or
 * header, so long names keep the columns aligned. */
void
cma_history_output_measure (CmaHistoryOutput *out, const CmaRenewal *renewal)
{
  g_autoptr (CmaRenewal) r = NULL;

  if (out->format != CMA_OUTPUT_TEXT)
    return;
  r = cma_output_renewal_for_display (renewal);
  out->conn_width = MAX (out->conn_width, (guint) g_utf8_strlen (r->connection, -1));
  out->user_width = MAX (out->user_width, (guint) g_utf8_strlen (r->user ? r->user : "-", -1));
}

/* @text padded with spaces to @width characters (not bytes: names and
 * users may be UTF-8). */
static void
append_padded (GString *out, const char *text, guint width)
{
  guint len = (guint) g_utf8_strlen (text, -1);

  g_string_append (out, text);
  for (; len < width; len++)
    g_string_append_c (out, ' ');
}

/* A note in double quotes, with quotes inside escaped so where it ends
 * stays clear. Backslashes and control characters were escaped for
 * display (cma_text_sanitize), so they are not escaped twice. */
static void
append_quoted (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
text_columns (GString *out, const CmaHistoryOutput *h, const char *when, const char *conn,
              const char *method, const char *user)
{
  append_padded (out, when, 20);
  g_string_append (out, "  ");
  append_padded (out, conn, h->conn_width);
  g_string_append (out, "  ");
  append_padded (out, method, 6);
  g_string_append (out, "  ");
  append_padded (out, user, h->user_width);
  g_string_append (out, "  ");
}

static void
text_row (GString *out, const CmaHistoryOutput *h, const CmaRenewal *renewal)
{
  g_autoptr (CmaRenewal) r = cma_output_renewal_for_display (renewal);
  g_autofree char *when = cma_time_format_local (r->at);

  if (h->rows == 0)
    {
      text_columns (out, h, "RENEWED", "CONNECTION", "METHOD", "USER");
      g_string_append (out, "CLOUD SITE / NOTE\n");
    }
  text_columns (out, h, when, r->connection, r->method, r->user ? r->user : "-");
  g_string_append (out, r->cloud_url);
  if (r->fingerprint)
    g_string_append_printf (out, " [token %s]", r->fingerprint);
  if (r->note)
    {
      g_string_append_c (out, ' ');
      append_quoted (out, r->note);
    }
  g_string_append_c (out, '\n');
}

/* One member, "name" : value, absent ones as null (readers expect every
 * key); each but the first (which follows the "{" just written) after a
 * comma. */
static void
json_member (const char *name, const char *value, gpointer data)
{
  GString *out = data;

  g_string_append (out, out->str[out->len - 1] == '{' ? "\n" MEMBER_INDENT : ",\n" MEMBER_INDENT);
  cma_json_pretty_append_string (out, name);
  g_string_append (out, " : ");
  if (value != NULL)
    cma_json_pretty_append_string (out, value);
  else
    g_string_append (out, "null");
}

static void
json_row (GString *out, const CmaHistoryOutput *h, const CmaRenewal *r)
{
  if (h->rows == 0)
    g_string_append_printf (out, "%s[\n", h->json_head);
  else
    g_string_append (out, ",\n");
  g_string_append (out, ROW_INDENT "{");
  cma_renewal_foreach_field (r, json_member, out);
  g_string_append (out, "\n" ROW_INDENT "}");
}

char *
cma_history_output_row (CmaHistoryOutput *out, const CmaRenewal *renewal)
{
  GString *text = g_string_new (NULL);

  if (out->format == CMA_OUTPUT_JSON)
    json_row (text, out, renewal);
  else
    text_row (text, out, renewal);
  out->rows++;
  return g_string_free (text, FALSE);
}

char *
cma_history_output_end (CmaHistoryOutput *out)
{
  if (out->format != CMA_OUTPUT_JSON)
    return g_strdup ("");
  if (out->rows == 0)
    return g_strconcat (out->json_head, "[]", out->json_tail, NULL);
  return g_strconcat (ARRAY_CLOSE, out->json_tail, NULL);
}

guint
cma_history_output_rows (const CmaHistoryOutput *out)
{
  return out->rows;
}
