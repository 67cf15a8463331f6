/* SPDX-License-Identifier: MIT */
/* cma-redact.c: redacting HTTP traces. */
#include "config.h"

#include <string.h>

#include "cma-json.h"
#include "cma-redact.h"
#include "cma-text.h"
#include "cma-wipe.h"

#define REDACTED "[REDACTED]"

/* Headers whose whole value is a credential. */
static const char *const secret_headers[] = { "authorization", "proxy-authorization", "cookie",
                                              "set-cookie", NULL };
/* Auth schemes kept visible: they help debugging and reveal nothing. */
static const char *const auth_schemes[] = { "basic", "bearer", "digest", "negotiate", NULL };

static gboolean
is_secret_header (const char *name, gsize len)
{
  for (guint i = 0; secret_headers[i] != NULL; i++)
    if (strlen (secret_headers[i]) == len &&
        g_ascii_strncasecmp (name, secret_headers[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* The length of a known scheme word at @value followed by a blank, or 0. */
static gsize
scheme_length (const char *value)
{
  for (guint i = 0; auth_schemes[i] != NULL; i++)
    {
      gsize n = strlen (auth_schemes[i]);

      if (g_ascii_strncasecmp (value, auth_schemes[i], n) == 0 &&
          (value[n] == ' ' || value[n] == '\t' || value[n] == '\0'))
        return n;
    }
  return 0;
}

char *
cma_redact_header_line (const char *line)
{
  const char *name = line;
  const char *colon = strchr (line, ':');
  const char *value;
  g_autofree char *kept = NULL;

  /* Skip the trace's direction marker ("> ", "< "). */
  while (*name != '\0' && !g_ascii_isalpha (*name))
    name++;
  if (colon == NULL || colon < name || !is_secret_header (name, colon - name))
    return cma_text_sanitize (line, G_MAXSIZE);
  value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  kept = g_strndup (line, colon + 1 - line);
  {
    g_autofree char *scheme = g_strndup (value, scheme_length (value));
    g_autofree char *safe = cma_text_sanitize (kept, G_MAXSIZE);

    return g_strdup_printf ("%s %s%s" REDACTED, safe, scheme, *scheme ? " " : "");
  }
}

static void redact_node (JsonNode *node);

/* Members are replaced, not changed in place: json_node_init_string()
 * on a value node uses the value it has just freed (json-glib 1.6). */
static void
redact_object (JsonObject *object)
{
  g_autoptr (GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      /* Replacing a member frees its old name. */
      g_autofree char *name = g_strdup (l->data);

      if (g_ascii_strcasecmp (name, "token") == 0)
        json_object_set_string_member (object, name, REDACTED);
      else
        redact_node (json_object_get_member (object, name));
    }
}

static void
redact_element (JsonArray *array, guint index, JsonNode *node, gpointer user_data)
{
  redact_node (node);
}

/* Depth is bounded: the node came from cma_json_parse_bounded(). */
static void
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    redact_object (json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    json_array_foreach_element (json_node_get_array (node), redact_element, NULL);
}

/* @data as redacted compact JSON, or NULL when it does not parse. */
static char *
redact_json (const char *data, gsize len)
{
  g_autoptr (JsonNode) root = cma_json_parse_bounded (data, len, CMA_JSON_MAX_DEPTH, NULL);
  g_autoptr (JsonGenerator) gen = NULL;

  if (root == NULL)
    return NULL;
  redact_node (root);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Whether text that is not JSON may still spell a "token" key. */
static gboolean
may_hold_token (const char *data, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    if ((data[i] == '\\' && (data[i + 1] == 'u' || data[i + 1] == 'U')) ||
        (i + 4 <= len && g_ascii_strncasecmp (data + i, "oken", 4) == 0))
      return TRUE;
  return FALSE;
}

static char *
body_text (const char *data, gsize len)
{
  g_autofree char *json = redact_json (data, len);
  g_autofree char *raw = NULL;

  if (json != NULL)
    return cma_text_sanitize (json, CMA_REDACT_MAX_BODY);
  if (may_hold_token (data, len))
    return g_strdup_printf ("[%" G_GSIZE_FORMAT " bytes withheld: not JSON, may hold a token]",
                            len);
  /* NUL ends the text here; the body is shown for its gist only. */
  raw = g_strndup (data, MIN (len, 4 * CMA_REDACT_MAX_BODY));
  return g_strdup (raw);
}

char **
cma_redact_body (const char *prefix, const char *data, gsize len)
{
  g_autofree char *text = body_text (data, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  gsize shown = 0;

  for (guint i = 0; lines[i] != NULL && shown < CMA_REDACT_MAX_BODY; i++)
    {
      g_autofree char *safe = NULL;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      safe = cma_text_sanitize (lines[i], CMA_REDACT_MAX_BODY - shown);
      shown += strlen (safe);
      g_ptr_array_add (out, g_strconcat (prefix, safe, NULL));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* ---- the run's secrets, by value ---- */

typedef struct {
  char *text; /* wiped when freed */
  gsize len;
  guint scopes;
} Form;

struct _CmaSecrets {
  gatomicrefcount ref;
  GArray *forms; /* Form, longest first */
};

static void
form_clear (Form *form)
{
  cma_secret_wipe (form->text);
}

CmaSecrets *
cma_secrets_new (void)
{
  CmaSecrets *secrets = g_new0 (CmaSecrets, 1);

  g_atomic_ref_count_init (&secrets->ref);
  secrets->forms = g_array_new (FALSE, FALSE, sizeof (Form));
  g_array_set_clear_func (secrets->forms, (GDestroyNotify) form_clear);
  return secrets;
}

CmaSecrets *
cma_secrets_ref (CmaSecrets *secrets)
{
  g_atomic_ref_count_inc (&secrets->ref);
  return secrets;
}

void
cma_secrets_unref (CmaSecrets *secrets)
{
  if (secrets == NULL || !g_atomic_ref_count_dec (&secrets->ref))
    return;
  g_array_unref (secrets->forms);
  g_free (secrets);
}

static gint
longer_first (gconstpointer a, gconstpointer b)
{
  const Form *x = a, *y = b;

  return x->len < y->len ? 1 : x->len > y->len ? -1 : 0;
}

/* One form, once: a known one gains @scopes. */
static void
add_form (CmaSecrets *secrets, guint scopes, const char *text)
{
  Form form = { NULL, strlen (text), scopes };

  if (form.len == 0)
    return;
  for (guint i = 0; i < secrets->forms->len; i++)
    {
      Form *known = &g_array_index (secrets->forms, Form, i);

      if (known->len == form.len && memcmp (known->text, text, form.len) == 0)
        {
          known->scopes |= scopes;
          return;
        }
    }
  form.text = g_strdup (text);
  g_array_append_val (secrets->forms, form);
  g_array_sort (secrets->forms, longer_first);
}

/* @text and, when it has a "/", the "\/" spelling JSON encoders may use. */
static void
add_spellings (CmaSecrets *secrets, guint scopes, const char *text)
{
  add_form (secrets, scopes, text);
  if (strchr (text, '/') != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (text, "/", -1);
      g_auto (CmaWiped) escaped = g_strjoinv ("\\/", parts);

      add_form (secrets, scopes, escaped);
      for (guint i = 0; parts[i] != NULL; i++)
        cma_secret_zero (parts[i]);
    }
}

void
cma_secrets_add (CmaSecrets *secrets, guint scopes, const char *secret)
{
  g_auto (CmaWiped) b64 = NULL;
  gsize n;

  if (secret == NULL || *secret == '\0')
    return;
  add_spellings (secrets, scopes, secret);
  /* With its padding and without (some encoders drop it). */
  b64 = g_base64_encode ((const guchar *) secret, strlen (secret));
  add_spellings (secrets, scopes, b64);
  for (n = strlen (b64); n > 0 && b64[n - 1] == '='; n--)
    b64[n - 1] = '\0';
  add_spellings (secrets, scopes, b64);
}

/* "user:password" and the password from the Base64 of a Basic header. */
static void
add_basic (CmaSecrets *secrets, guint scopes, const char *b64)
{
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode (b64, &len);
  g_auto (CmaWiped) pair = g_strndup ((const char *) raw, len);
  const char *colon = strchr (pair, ':');

  if (raw != NULL)
    explicit_bzero (raw, len);
  cma_secrets_add (secrets, scopes, pair);
  if (colon != NULL)
    cma_secrets_add (secrets, scopes, colon + 1);
}

void
cma_secrets_add_authorization (CmaSecrets *secrets, guint scopes, const char *value)
{
  const char *space;

  if (value == NULL)
    return;
  cma_secrets_add (secrets, scopes, value);
  if ((space = strchr (value, ' ')) == NULL)
    return;
  cma_secrets_add (secrets, scopes, space + 1);
  if (g_ascii_strncasecmp (value, "basic ", 6) == 0)
    add_basic (secrets, scopes, space + 1);
}

/* The longest form in @scopes at @p (@left bytes remain), or NULL. */
static const Form *
form_at (const CmaSecrets *secrets, guint scopes, const char *p, gsize left)
{
  for (guint i = 0; i < secrets->forms->len; i++)
    {
      const Form *form = &g_array_index (secrets->forms, Form, i);

      if ((form->scopes & scopes) != 0 && form->len <= left && form->text[0] == p[0] &&
          memcmp (form->text, p, form->len) == 0)
        return form;
    }
  return NULL;
}

GBytes *
cma_secrets_redact_bytes (const CmaSecrets *secrets, guint scopes, const void *data, gsize len)
{
  const char *p = data;
  g_autoptr (GByteArray) out = NULL;

  /* An empty answer may come as NULL, and NULL + 0 is undefined. */
  if (secrets == NULL || secrets->forms->len == 0 || len == 0)
    return g_bytes_new (data, len);
  out = g_byte_array_sized_new (len);
  /* Bytes between matches go in runs, not one by one. */
  for (gsize i = 0, run = 0; i <= len;)
    {
      const Form *form = i < len ? form_at (secrets, scopes, p + i, len - i) : NULL;

      if (form == NULL && i < len)
        {
          i++;
          continue;
        }
      g_byte_array_append (out, (const guint8 *) p + run, i - run);
      if (form == NULL)
        break;
      g_byte_array_append (out, (const guint8 *) REDACTED, strlen (REDACTED));
      i += form->len;
      run = i;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

char *
cma_secrets_redact (const CmaSecrets *secrets, guint scopes, const char *text)
{
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  const char *data;

  if (text == NULL)
    return NULL;
  bytes = cma_secrets_redact_bytes (secrets, scopes, text, strlen (text));
  data = g_bytes_get_data (bytes, &len);
  /* An empty GBytes has no data pointer. */
  return len == 0 ? g_strdup ("") : g_strndup (data, len);
}
