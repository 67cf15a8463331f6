/* SPDX-License-Identifier: MIT */
/* cma-text.c: escaping and bounding untrusted text. */
#include "config.h"

#include <string.h>

#include "cma-text.h"

/* C0, DEL and C1 (U+0080..U+009F: a terminal may read U+009B as CSI). */
static gboolean
is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* Append the escaped form of the character at @p (@end bounds it);
 * returns the next position. */
static const char *
append_one (GString *out, const char *p, const char *end)
{
  gunichar c = g_utf8_get_char_validated (p, end - p);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      g_string_append_printf (out, "\\x%02X", (guchar) *p);
      return p + 1;
    }
  if (is_control (c))
    {
      /* Escape every byte of a two-byte C1 character alike. */
      for (const char *b = p; b < g_utf8_next_char (p); b++)
        g_string_append_printf (out, "\\x%02X", (guchar) *b);
    }
  else if (c == '\\')
    /* Doubled, so that an escape we wrote and one the text held differ. */
    g_string_append (out, "\\\\");
  else
    g_string_append_len (out, p, g_utf8_next_char (p) - p);
  return g_utf8_next_char (p);
}

char *
cma_text_sanitize (const char *text, gsize max)
{
  const char *end;
  GString *out;

  if (text == NULL)
    return NULL;
  end = text + strlen (text);
  out = g_string_new (NULL);
  for (const char *p = text; p < end;)
    {
      gsize before = out->len;

      p = append_one (out, p, end);
      if (out->len > max)
        {
          /* Never cut inside a character or an escape. */
          g_string_truncate (out, before);
          g_string_append (out, CMA_TEXT_CUT);
          break;
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
cma_text_has_control (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (is_control (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}
