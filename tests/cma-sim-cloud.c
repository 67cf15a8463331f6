/* SPDX-License-Identifier: MIT */
/* cma-sim-cloud.c: api.atlassian.com's  POST /migrations/public/v1/token.
 *
 * Tokens it issues are remembered with the exact cloudUrl string and a
 * monotonic creation time, so that the server side can refuse stale or
 * mismatched tokens the way the real assistant does.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cma-sim.h"

#define CLOUD_TOKEN_URI "https://api.atlassian.com" CLOUD_TOKEN_PATH

/* What cloud-oversized pads its answer to: far above anything a sane
 * client should accept from a token endpoint. */
#define OVERSIZED_BYTES   (4 * 1024 * 1024)
/* Past this many remembered tokens, expired ones are dropped so that a long
 * benchmark does not grow without bound. */
#define TOKEN_PRUNE_LIMIT 1024

typedef struct {
  char *cloud_url;
  gint64 created; /* g_get_monotonic_time () */
} IssuedToken;

void
issued_token_free (gpointer data)
{
  IssuedToken *token = data;

  g_free (token->cloud_url);
  g_free (token);
}

/* 40+ characters of base64url, like Atlassian's opaque tokens. */
static char *
random_token (void)
{
  guint32 words[12];
  char *text;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (words); i++)
    words[i] = g_random_int ();
  text = g_base64_encode ((const guchar *) words, sizeof words);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  g_strdelimit (text, "=", '\0');
  return text;
}

static void
prune_expired_tokens (Sim *sim)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  if (g_hash_table_size (sim->tokens) < TOKEN_PRUNE_LIMIT)
    return;
  g_hash_table_iter_init (&iter, sim->tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      IssuedToken *token = value;

      if (now - token->created > (gint64) sim->token_validity * G_USEC_PER_SEC)
        g_hash_table_iter_remove (&iter);
    }
}

static void
remember_token (Sim *sim, const char *token, const char *cloud_url)
{
  IssuedToken *issued = g_new0 (IssuedToken, 1);

  prune_expired_tokens (sim);
  issued->cloud_url = g_strdup (cloud_url);
  issued->created = g_get_monotonic_time ();
  g_hash_table_replace (sim->tokens, g_strdup (token), issued);
  sim->tokens_issued++;
}

static char *
token_answer_json (const char *cloud_url, const char *token, gsize *length)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *uri = g_strconcat (CLOUD_TOKEN_URI "/", id, NULL);

  json_builder_begin_object (builder);
  member_string (builder, "uri", uri);
  member_string (builder, "cloudUrl", cloud_url);
  if (token != NULL)
    member_string (builder, "token", token);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

/* The body faults that replace the whole answer; TRUE if one did. */
static gboolean
answer_garbled_token (Sim *sim, SoupServerMessage *msg, const char *cloud_url)
{
  char *text;
  gsize length;

  if (has_fault (sim, FAULT_CLOUD_MALFORMED))
    {
      answer_text (msg, SOUP_STATUS_OK, "application/json", "this is not json");
      return TRUE;
    }
  if (has_fault (sim, FAULT_CLOUD_WRONG_TYPE))
    {
      answer_text (msg, SOUP_STATUS_OK, "text/html; charset=UTF-8",
                   "<!DOCTYPE html>\n<html><head><title>Atlassian</title></head>"
                   "<body><h1>Something went wrong</h1></body></html>\n");
      return TRUE;
    }
  if (!has_fault (sim, FAULT_CLOUD_MISSING_TOKEN))
    return FALSE;
  text = token_answer_json (cloud_url, NULL, &length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
  return TRUE;
}

/* Pads the JSON object @text (@length bytes, taken) to OVERSIZED_BYTES.
 * Still one valid object, so only a size limit can refuse it. */
static char *
pad_to_oversized (char *text, gsize *length)
{
  static const char member[] = ",\"padding\":\"";
  GString *padded = g_string_sized_new (OVERSIZED_BYTES);
  gsize pad = OVERSIZED_BYTES - (*length - 1) - strlen (member) - 2;

  g_string_append_len (padded, text, *length - 1);
  g_string_append (padded, member);
  memset (padded->str + padded->len, 'x', pad);
  g_string_set_size (padded, padded->len + pad);
  g_string_append (padded, "\"}");
  g_free (text);
  *length = padded->len;
  return g_string_free (padded, FALSE);
}

/* Answers that no parser should crash on: TRUE if one was sent. */
static gboolean
answer_unparsable_token (Sim *sim, SoupServerMessage *msg)
{
  if (has_fault (sim, FAULT_CLOUD_DEEP_JSON))
    answer_deep_json (msg, "application/json");
  else if (has_fault (sim, FAULT_CLOUD_EMPTY_JSON))
    answer_text (msg, SOUP_STATUS_OK, "application/json", " /* nothing */ \n");
  else if (has_fault (sim, FAULT_CLOUD_HOSTILE_TYPE))
    answer_text (msg, SOUP_STATUS_OK, HOSTILE_HEADER, "{}");
  else
    return FALSE;
  return TRUE;
}

/* A token of @length characters, the last ones random. */
static char *
long_token (gsize length)
{
  g_autofree char *tail = random_token ();
  GString *token = g_string_sized_new (length);

  while (token->len + strlen (tail) < length)
    g_string_append_c (token, 'A' + token->len % 26);
  g_string_append (token, tail);
  return g_string_free (token, FALSE);
}

/* Valid answers that a trace must still redact (pretty-printed, escaped
 * key and quote, a token larger than one chunk) or whose token must be
 * refused (NUL inside). Each remembers the token a careless client would
 * send on, so only the client can make the renewal fail. */
static gboolean
answer_tricky_token (Sim *sim, SoupServerMessage *msg, const char *cloud_url)
{
  g_autofree char *head = random_token ();
  g_autofree char *tail = random_token ();
  g_autofree char *remembered = NULL;
  char *text;

  if (has_fault (sim, FAULT_CLOUD_PRETTY_JSON))
    {
      text = g_strdup_printf ("{\n  \"cloudUrl\" : \"%s\",\n  \"token\" :\n    \"%s\"\n}\n",
                              cloud_url, head);
      remembered = g_strdup (head);
    }
  else if (has_fault (sim, FAULT_CLOUD_ESCAPED_KEY))
    {
      text = g_strdup_printf ("{\"cloudUrl\":\"%s\",\"\\u0074oken\":\"%s\\\"%s\"}", cloud_url, head,
                              tail);
      remembered = g_strdup_printf ("%s\"%s", head, tail);
    }
  else if (has_fault (sim, FAULT_CLOUD_HUGE_TOKEN))
    {
      remembered = long_token (900 * 1024);
      text = g_strdup_printf ("{\"cloudUrl\":\"%s\",\"token\":\"%s\"}", cloud_url, remembered);
    }
  else if (has_fault (sim, FAULT_CLOUD_NUL_TOKEN))
    {
      text = g_strdup_printf ("{\"cloudUrl\":\"%s\",\"token\":\"%s\\u0000%s\"}", cloud_url, head,
                              tail);
      remembered = g_strdup (head);
    }
  else
    return FALSE;
  remember_token (sim, remembered, cloud_url);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
  return TRUE;
}

/* The normal answer, or the variant a body fault asks for. */
static void
answer_token (Sim *sim, SoupServerMessage *msg, const char *cloud_url)
{
  g_autofree char *token = random_token ();
  char *text;
  gsize length;

  if (answer_garbled_token (sim, msg, cloud_url) || answer_unparsable_token (sim, msg) ||
      answer_tricky_token (sim, msg, cloud_url))
    return;
  text = token_answer_json (cloud_url, token, &length);
  if (has_fault (sim, FAULT_CLOUD_TRUNCATED))
    {
      /* Cut inside the token string: the JSON can never parse, yet the
       * HTTP framing (Content-Length) is intact. */
      length = (g_strrstr (text, token) - text) + strlen (token) / 2;
      text[length] = '\0';
    }
  else
    {
      if (has_fault (sim, FAULT_CLOUD_OVERSIZED))
        text = pad_to_oversized (text, &length);
      remember_token (sim, token, cloud_url);
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
answer_cloud_401 (Sim *sim, SoupServerMessage *msg)
{
  g_autofree char *said =
      has_fault (sim, FAULT_ECHO_CREDENTIALS) ? echo_credentials (msg) : g_strdup ("Unauthorized");

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Basic realm=\"api.atlassian.com\"");
  answer_cloud_error (msg, SOUP_STATUS_UNAUTHORIZED, said);
}

/* Everything that stops a POST short of a token, in the order checked:
 * busy, then who is asking, then what they sent.  TRUE if it answered. */
static gboolean
cloud_refuses (Sim *sim, SoupServerMessage *msg)
{
  if (retry_fault_fires (sim, FAULT_CLOUD_429))
    answer_retry_later (sim, msg, STATUS_TOO_MANY_REQUESTS, TRUE);
  else if (retry_fault_fires (sim, FAULT_CLOUD_503))
    answer_retry_later (sim, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, TRUE);
  else if (has_fault (sim, FAULT_CLOUD_401) ||
           !basic_auth_matches (msg, sim->cloud_user, sim->cloud_password))
    answer_cloud_401 (sim, msg);
  /* A valid account that is not an admin of the destination site. */
  else if (has_fault (sim, FAULT_CLOUD_403))
    answer_cloud_error (msg, SOUP_STATUS_FORBIDDEN, "Forbidden");
  else if (!is_json_request (msg))
    answer_cloud_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
  else
    return FALSE;
  return TRUE;
}

void
handle_cloud_token (Sim *sim, SoupServerMessage *msg)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *body;
  const char *cloud_url;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      answer_bad_method (msg, "POST");
      return;
    }
  if (cloud_refuses (sim, msg))
    return;
  body = parse_body_object (msg, parser);
  cloud_url = body != NULL ? get_string_member (body, "cloudUrl") : NULL;
  if (cloud_url == NULL)
    {
      answer_cloud_error (msg, SOUP_STATUS_BAD_REQUEST,
                          "Request body must be a JSON object with a string \"cloudUrl\"");
      return;
    }
  answer_token (sim, msg, cloud_url);
}

/* The cloudUrl a token was issued for, or NULL if it is unknown or older
 * than --token-validity. */
const char *
fresh_token_cloud_url (Sim *sim, const char *token)
{
  const IssuedToken *issued = g_hash_table_lookup (sim->tokens, token);

  if (issued == NULL)
    return NULL;
  if (g_get_monotonic_time () - issued->created > (gint64) sim->token_validity * G_USEC_PER_SEC)
    return NULL;
  return issued->cloud_url;
}
