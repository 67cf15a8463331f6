/* SPDX-License-Identifier: MIT */
/* cma-ledger.c: reading the renewal ledger and appending to it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-file.h"
#include "cma-json.h"
#include "cma-text.h"
#include "cma-ledger.h"

/* A record is a few hundred bytes; a line longer than
 * CMA_LEDGER_MAX_RECORD_BYTES is not one of ours and is skipped unread
 * rather than held in memory. The file itself has no limit: it grows by a
 * line every two weeks or so. */
#define MAX_RECORD_BYTES CMA_LEDGER_MAX_RECORD_BYTES

struct _CmaLedger {
  char *dir;
  char *program;
  char *path; /* PROGRAM.ledger in dir */
  char *lock_path;
  int lock_fd;
  CmaLedgerWarnFunc warn;
  gpointer warn_data;
  gboolean warned; /* the lines skipped were reported */
  gboolean swept;  /* stale temporary files were removed */
};

typedef enum { FIELD_STRING, FIELD_INSTANT } FieldType;

typedef struct {
  const char *name;  /* the JSON member */
  FieldType type;    /* FIELD_INSTANT: written as ISO 8601 UTC */
  gsize offset;      /* into CmaRenewal */
  gboolean required; /* a record without it is corrupt */
} RenewalField;

#define RENEWAL_FIELD(f) G_STRUCT_OFFSET (CmaRenewal, f)

/* Every member of a record, in the order written: the one list behind
 * reading and writing the ledger and history's JSON, so they cannot drift. */
static const RenewalField renewal_fields[] = {
  { "at", FIELD_INSTANT, RENEWAL_FIELD (at), TRUE },
  { "connection", FIELD_STRING, RENEWAL_FIELD (connection), TRUE },
  { "server_url", FIELD_STRING, RENEWAL_FIELD (server_url), TRUE },
  { "cloud_url", FIELD_STRING, RENEWAL_FIELD (cloud_url), TRUE },
  { "method", FIELD_STRING, RENEWAL_FIELD (method), TRUE },
  { "user", FIELD_STRING, RENEWAL_FIELD (user), FALSE },
  { "note", FIELD_STRING, RENEWAL_FIELD (note), FALSE },
  { "fingerprint", FIELD_STRING, RENEWAL_FIELD (fingerprint), FALSE },
};

/* Who renewed: the account, and under sudo the person too ("alice (sudo
 * as root)"), since "root" alone does not say who to ask. SUDO_USER is
 * trusted only when running as root, where sudo sets it. */
static char *
renewal_user (void)
{
  const char *sudo_user = g_getenv ("SUDO_USER");
  const char *account = g_get_user_name ();
  g_autofree char *person = NULL;

  if (getuid () != 0 || sudo_user == NULL || *sudo_user == '\0' ||
      g_strcmp0 (sudo_user, account) == 0)
    return g_strdup (account);
  /* Valid UTF-8 (JSON needs it), cut at a character. */
  person = g_utf8_make_valid (sudo_user, -1);
  if (strlen (person) > CMA_LEDGER_MAX_SUDO_USER_BYTES)
    *g_utf8_find_prev_char (person, person + CMA_LEDGER_MAX_SUDO_USER_BYTES + 1) = '\0';
  return g_strdup_printf ("%s (sudo as %s)", person, account);
}

CmaRenewal *
cma_renewal_new (CmaInstant at, const CmaConnection *conn, const char *method, const char *note)
{
  CmaRenewal *r = g_new0 (CmaRenewal, 1);

  r->at = at;
  r->connection = g_strdup (conn->name);
  r->server_url = g_strdup (conn->server_url);
  r->cloud_url = g_strdup (conn->cloud_url);
  r->method = g_strdup (method);
  r->user = renewal_user ();
  r->note = g_strdup (note);
  return r;
}

void
cma_renewal_free (CmaRenewal *r)
{
  if (r == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    if (renewal_fields[i].type == FIELD_STRING)
      g_free (G_STRUCT_MEMBER (char *, r, renewal_fields[i].offset));
  g_free (r);
}

CmaRenewal *
cma_renewal_copy (const CmaRenewal *r)
{
  CmaRenewal *copy = g_memdup2 (r, sizeof *r);

  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    if (renewal_fields[i].type == FIELD_STRING)
      G_STRUCT_MEMBER (char *, copy, renewal_fields[i].offset) =
          g_strdup (G_STRUCT_MEMBER (char *, r, renewal_fields[i].offset));
  return copy;
}

CmaLedger *
cma_ledger_new (const char *dir, const char *program)
{
  g_autoptr (CmaLedger) ledger = g_new0 (CmaLedger, 1);

  ledger->lock_fd = -1;
  ledger->dir = g_strdup (dir);
  ledger->program = g_strdup (program);
  ledger->path = cma_ledger_sibling_path (ledger, "ledger");
  ledger->lock_path = cma_ledger_sibling_path (ledger, "lock");
  return g_steal_pointer (&ledger);
}

char *
cma_ledger_sibling_path (CmaLedger *ledger, const char *extension)
{
  g_autofree char *name = g_strconcat (ledger->program, ".", extension, NULL);

  return g_build_filename (ledger->dir, name, NULL);
}

void
cma_ledger_free (CmaLedger *ledger)
{
  if (ledger == NULL)
    return;
  cma_ledger_unlock (ledger);
  g_free (ledger->dir);
  g_free (ledger->program);
  g_free (ledger->path);
  g_free (ledger->lock_path);
  g_free (ledger);
}

const char *
cma_ledger_get_path (CmaLedger *ledger)
{
  return ledger->path;
}

gboolean
cma_ledger_lock (CmaLedger *ledger, guint timeout_seconds, GError **error)
{
  g_autofree char *busy = NULL;

  if (ledger->lock_fd >= 0)
    return TRUE;
  busy = g_strdup_printf ("%s is locked by another run", ledger->path);
  ledger->lock_fd = cma_file_lock (ledger->lock_path, timeout_seconds, busy, error);
  if (ledger->lock_fd < 0)
    return FALSE;
  /* Only writers make temporary files, and we are now the only writer.
   * Only a writer that died leaves them, so once per ledger object (one
   * per run) is enough: sweeping at every lock listed the directory,
   * which holds a lock file per connection, once per renewal. */
  if (!ledger->swept)
    {
      cma_file_remove_stale_replacements (ledger->path);
      ledger->swept = TRUE;
    }
  return TRUE;
}

void
cma_ledger_set_warn_func (CmaLedger *ledger, CmaLedgerWarnFunc func, gpointer user_data)
{
  ledger->warn = func;
  ledger->warn_data = user_data;
}

void
cma_ledger_unlock (CmaLedger *ledger)
{
  if (ledger->lock_fd >= 0)
    {
      close (ledger->lock_fd); /* closing releases the flock */
      ledger->lock_fd = -1;
    }
}

static char *
dup_member (gconstpointer obj, const char *name)
{
  const char *text = cma_json_string_member ((JsonObject *) obj, name);

  if (text == NULL)
    return NULL;
  /* Kept as written, so JSON output loses nothing; text output escapes
   * control characters (a note with ESC written by hand must not reach a
   * terminal). Only bytes that are not UTF-8, which JSON cannot carry, are
   * escaped here. */
  if (!g_utf8_validate (text, -1, NULL))
    return cma_text_sanitize (text, G_MAXSIZE);
  return g_strdup (text);
}

/* "YYYY-MM-DDTHH:MM:SSZ", the form the tool writes, read without GLib's
 * general parser (a third of the cost of a line): the instant it would
 * give, or FALSE for anything else, which then goes to that parser. */
static gboolean
parse_canonical_instant (const char *text, CmaInstant *out)
{
  guint v[6];
  static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
  GDate date;

  if (strlen (text) != sizeof pattern - 1)
    return FALSE;
  for (gsize i = 0; i < sizeof pattern - 1; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != pattern[i])
      return FALSE;
  for (guint i = 0, pos = 0; i < 6; pos += (i == 0 ? 5 : 3), i++)
    v[i] = (guint) g_ascii_strtoull (text + pos, NULL, 10);
  if (!g_date_valid_dmy ((GDateDay) v[2], (GDateMonth) v[1], (GDateYear) v[0]) || v[3] > 23 ||
      v[4] > 59 || v[5] > 59)
    return FALSE;
  /* GDate counts days of the proleptic Gregorian calendar from
   * 0001-01-01 (day 1), as GDateTime does; 1970-01-01 is day 719163. */
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) v[2], (GDateMonth) v[1], (GDateYear) v[0]);
  *out = ((gint64) g_date_get_julian (&date) - 719163) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
  return TRUE;
}

static gboolean
parse_instant (const char *text, CmaInstant *out)
{
  g_autoptr (GTimeZone) utc = NULL;
  g_autoptr (GDateTime) dt = NULL;
  CmaInstant t;

  if (parse_canonical_instant (text, &t))
    {
      *out = t;
      return cma_time_in_range (t);
    }
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  /* Only what the tool itself could have written and can print. */
  if (dt == NULL || !cma_time_in_range (g_date_time_to_unix (dt)))
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* "at, connection, ...": the members no record may lack. */
static char *
required_names (void)
{
  GString *names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    if (renewal_fields[i].required)
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", renewal_fields[i].name);
  return g_string_free (names, FALSE);
}

/* A copy of member @name's string value, or NULL when it has none. */
typedef char *(*MemberFunc) (gconstpointer source, const char *name);

/* Fill @r from the members @get finds in @source. Returns NULL, or why
 * they are not a valid record; a missing member is named before a
 * malformed one. */
static char *
read_fields (MemberFunc get, gconstpointer source, CmaRenewal *r)
{
  const char *bad_instant = NULL;
  gboolean complete = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    {
      const RenewalField *f = &renewal_fields[i];
      g_autofree char *value = get (source, f->name);

      if (value == NULL)
        complete = complete && !f->required;
      else if (f->type == FIELD_STRING)
        G_STRUCT_MEMBER (char *, r, f->offset) = g_steal_pointer (&value);
      else if (!parse_instant (value, G_STRUCT_MEMBER_P (r, f->offset)) && bad_instant == NULL)
        bad_instant = f->name;
    }
  if (!complete)
    {
      g_autofree char *names = required_names ();
      return g_strdup_printf ("record lacks one of %s", names);
    }
  if (bad_instant != NULL)
    return g_strdup_printf ("record has an invalid time in \"%s\"", bad_instant);
  return NULL;
}

/* A record as the tool writes it has a few members; more go the long way. */
#define MAX_FLAT_MEMBERS 16

typedef struct {
  guint n;
  struct {
    const char *name, *value;
    gsize name_len, value_len;
  } m[MAX_FLAT_MEMBERS];
} FlatRecord;

/* The string at *@p ('"', printable ASCII but '"' and '\\', '"'), moving
 * *@p past it; FALSE for any other. */
static gboolean
flat_string (const char **p, const char *end, const char **start, gsize *len)
{
  const char *q = *p + 1;

  if (*p >= end || **p != '"')
    return FALSE;
  while (q < end && *q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
    q++;
  if (q >= end || *q != '"')
    return FALSE;
  *start = *p + 1;
  *len = (gsize) (q - *start);
  *p = q + 1;
  return TRUE;
}

static gboolean
flat_has (const FlatRecord *rec, const char *name, gsize len)
{
  for (guint i = 0; i < rec->n; i++)
    if (rec->m[i].name_len == len && memcmp (rec->m[i].name, name, len) == 0)
      return TRUE;
  return FALSE;
}

/* Whether @text is {"name":"value",...} with no space, escape, byte
 * outside printable ASCII or member given twice: the ledger's own form,
 * which json-glib reads as the same members. Reading it directly is four
 * times faster; any other line is left to json-glib, so what is accepted,
 * and why a line is not, stays json-glib's. */
static gboolean
split_flat (const char *text, gsize len, FlatRecord *rec)
{
  const char *p = text + 1, *end = text + len;

  rec->n = 0;
  if (len < 2 || text[0] != '{' || text[len - 1] != '}')
    return FALSE;
  if (len == 2)
    return TRUE;
  while (rec->n < MAX_FLAT_MEMBERS)
    {
      const char *name, *value;
      gsize name_len, value_len;

      if (!flat_string (&p, end, &name, &name_len) || p >= end || *p++ != ':' ||
          !flat_string (&p, end, &value, &value_len) || flat_has (rec, name, name_len))
        return FALSE;
      rec->m[rec->n].name = name;
      rec->m[rec->n].name_len = name_len;
      rec->m[rec->n].value = value;
      rec->m[rec->n].value_len = value_len;
      rec->n++;
      if (p == end - 1)
        return TRUE;
      if (*p++ != ',')
        return FALSE;
    }
  return FALSE;
}

static char *
flat_member (gconstpointer source, const char *name)
{
  const FlatRecord *rec = source;
  gsize len = strlen (name);

  for (guint i = 0; i < rec->n; i++)
    if (rec->m[i].name_len == len && memcmp (rec->m[i].name, name, len) == 0)
      return g_strndup (rec->m[i].value, rec->m[i].value_len);
  return NULL;
}

/* The record on one line, or NULL with *@why saying what is wrong. */
static CmaRenewal *
parse_record (const char *text, gsize len, char **why)
{
  g_autoptr (CmaRenewal) r = g_new0 (CmaRenewal, 1);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  FlatRecord flat;

  if (split_flat (text, len, &flat))
    *why = read_fields (flat_member, &flat, r);
  else if (memchr (text, '\0', len) != NULL)
    *why = g_strdup ("binary data in ledger");
  else if ((root = cma_json_parse_bounded (text, len, CMA_JSON_MAX_DEPTH, &local_error)) == NULL)
    *why = g_strdup_printf ("not a valid record (%s)", local_error->message);
  else if (!JSON_NODE_HOLDS_OBJECT (root))
    *why = g_strdup ("not a valid record (not a JSON object)");
  else
    *why = read_fields (dup_member, json_node_get_object (root), r);
  return *why == NULL ? g_steal_pointer (&r) : NULL;
}

CmaRenewal *
cma_ledger_parse_line (const char *text, gsize len, char **why)
{
  return parse_record (text, len, why);
}

/* Why the line just read cannot be used, or NULL (and *@r) if it can;
 * a blank line yields neither. A record skipped only for being dated in
 * the future sets *@future to its time: it counts once that has come. */
static char *
judge_line (GString *line, gboolean terminated, gboolean overlong, CmaRenewal **r,
            CmaInstant *future)
{
  g_autofree char *why = NULL;

  *r = NULL;
  if (overlong)
    return g_strdup_printf ("record longer than %d bytes", MAX_RECORD_BYTES);
  /* Every record we write ends in a newline; one without it is the
   * remains of an interrupted write, ended by the next append. */
  if (!terminated)
    return g_strdup ("truncated record (no end of line)");
  if (strspn (line->str, " \t\r") == line->len)
    return NULL;
  *r = parse_record (line->str, line->len, &why);
  if (*r != NULL && (*r)->at > cma_clock_now () + CMA_RECORD_MAX_SKEW_SECONDS)
    {
      g_autofree char *at = cma_time_format_iso ((*r)->at);

      /* Else it would stay "the last renewal" until that day, and no
       * renewal recorded meanwhile would count. */
      *future = MIN (*future, (*r)->at);
      g_clear_pointer (r, cma_renewal_free);
      return g_strdup_printf ("renewal dated in the future (%s)", at);
    }
  return g_steal_pointer (&why);
}

void
cma_ledger_report_line (CmaLedger *ledger, guint line, const char *why)
{
  g_autofree char *msg = NULL;

  if (ledger->warn == NULL || ledger->warned)
    return;
  msg = g_strdup_printf ("%s:%u: %s; line ignored", ledger->path, line, why);
  ledger->warn (msg, ledger->warn_data);
}

void
cma_ledger_reported (CmaLedger *ledger)
{
  /* Say it once per run, however often the ledger is read. */
  ledger->warned = TRUE;
}

static void
skip_line (CmaLedger *ledger, CmaLedgerScan *scan, guint number, char *why)
{
  if (!scan->quiet)
    cma_ledger_report_line (ledger, number, why);
  if (scan->skipped != NULL)
    {
      CmaLedgerSkip skip = { number, why };
      g_array_append_val (scan->skipped, skip);
    }
  else
    g_free (why);
}

/* Whether another writer holds the lock: then a last line without its
 * newline may be a record being written this instant. A lock file we
 * cannot open (absent, or private to the writers) says nothing. The
 * shared lock is held for two system calls, and only when a line is
 * torn; writers retry theirs (cma_file_lock). */
static gboolean
writer_busy (CmaLedger *ledger)
{
  gboolean busy;
  int fd;

  if (ledger->lock_fd >= 0)
    return FALSE; /* we are the writer */
  fd = open (ledger->lock_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  busy = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return busy;
}

/* An unterminated last line is read again by every scan (scan->end stays
 * before it) until an append ends it, and is then judged as the line it
 * has become: it is reported, unless perhaps still being written, but
 * never kept in scan->skipped, whose reports a later read gives again
 * (cma-ledger-latest.c), or it would be listed once more, with a reason
 * no longer true. */
static void
torn_line (CmaLedger *ledger, CmaLedgerScan *scan, guint number, char *why)
{
  if (!scan->quiet && !writer_busy (ledger))
    cma_ledger_report_line (ledger, number, why);
  g_free (why);
}

gboolean
cma_ledger_scan (CmaLedger *ledger, int fd, CmaLedgerScan *scan, CmaLedgerVisitFunc visit,
                 gpointer user_data, GError **error)
{
  CmaLineReader reader;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) local_error = NULL;
  gboolean terminated, overlong;

  if (lseek (fd, (off_t) scan->end, SEEK_SET) < 0)
    return cma_file_errno_error (error, errno, "read", ledger->path);
  cma_line_reader_init (&reader, fd);
  reader.number = scan->lines;
  while (
      cma_line_reader_next (&reader, line, MAX_RECORD_BYTES, &terminated, &overlong, &local_error))
    {
      guint64 start = scan->end;
      CmaRenewal *r = NULL;
      char *why = judge_line (line, terminated, overlong, &r, &scan->recheck_after);

      /* A torn last line is not covered: the next append ends it, and
       * the line it then is must be read again. */
      if (terminated)
        {
          scan->end = cma_line_reader_offset (&reader);
          scan->lines = reader.number;
        }
      if (why != NULL && !terminated)
        torn_line (ledger, scan, reader.number, why);
      else if (why != NULL)
        skip_line (ledger, scan, reader.number, why);
      else if (r != NULL)
        visit (r, line, start, user_data);
    }
  if (local_error != NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "cannot read %s: %s", ledger->path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The value of @f in @r as JSON text, or NULL when absent. */
static char *
field_text (const CmaRenewal *r, const RenewalField *f)
{
  if (f->type == FIELD_INSTANT)
    return cma_time_format_iso (G_STRUCT_MEMBER (CmaInstant, r, f->offset));
  return g_strdup (G_STRUCT_MEMBER (char *, r, f->offset));
}

void
cma_renewal_foreach_field (const CmaRenewal *r, CmaRenewalFieldFunc func, gpointer user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (renewal_fields); i++)
    {
      g_autofree char *value = field_text (r, &renewal_fields[i]);

      func (renewal_fields[i].name, value, user_data);
    }
}

typedef struct {
  JsonBuilder *builder;
  gboolean absent_as_null;
} BuildJson;

static void
build_member (const char *name, const char *value, gpointer data)
{
  BuildJson *build = data;

  if (value == NULL && !build->absent_as_null)
    return;
  json_builder_set_member_name (build->builder, name);
  if (value != NULL)
    json_builder_add_string_value (build->builder, value);
  else
    json_builder_add_null_value (build->builder);
}

void
cma_renewal_build_json (const CmaRenewal *r, JsonBuilder *b, gboolean absent_as_null)
{
  BuildJson build = { b, absent_as_null };

  json_builder_begin_object (b);
  cma_renewal_foreach_field (r, build_member, &build);
  json_builder_end_object (b);
}

static char *
serialize_record (const CmaRenewal *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  cma_renewal_build_json (r, b, FALSE);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Open the ledger for appending, creating it (*@created) on the first
 * write, and fstat it into *@st. O_RDWR only to read its last byte;
 * O_NOFOLLOW: a symlink put in its place is refused, not followed;
 * O_NONBLOCK: a FIFO must not hang us. */
static int
open_for_append (CmaLedger *ledger, int mode, gboolean *created, struct stat *st, GError **error)
{
  int flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
  int fd = open (ledger->path, flags);

  *created = FALSE;
  if (fd < 0 && errno == ENOENT)
    {
      fd = open (ledger->path, flags | O_CREAT | O_EXCL, mode);
      *created = fd >= 0;
      /* The mode asked for, whatever the umask. */
      if (*created && fchmod (fd, mode) != 0)
        {
          cma_file_errno_error (error, errno, "set the mode of", ledger->path);
          close (fd);
          g_unlink (ledger->path);
          return -1;
        }
    }
  if (fd < 0 && errno != ELOOP)
    {
      cma_file_errno_error (error, errno, "open", ledger->path);
      return -1;
    }
  if (fd < 0 || fstat (fd, st) != 0 || !S_ISREG (st->st_mode))
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, CMA_ERROR, CMA_ERROR_STATE, "%s is not a regular file", ledger->path);
      return -1;
    }
  return fd;
}

/* A ledger that does not end in a newline ends in a torn line (a write
 * cut short by a crash, or a hand edit): end that line first, so the new
 * record gets a line of its own and the fragment stays what it was, a
 * line the loader reports and skips but keeps as evidence; or, when the
 * crash cut only the newline, the whole record it was, which then counts
 * (rightly: the renewal was done before its record was written). */
static gboolean
end_torn_line (CmaLedger *ledger, int fd, off_t size, GError **error)
{
  char last = '\n';

  if (size > 0 && cma_file_pread (fd, &last, 1, (guint64) size - 1) != 1)
    return cma_file_errno_error (error, errno, "read", ledger->path);
  return last == '\n' || cma_file_write_all (fd, "\n", 1, ledger->path, error);
}

/* The record and its newline in one write(), then fdatasync: a crash
 * leaves at worst a torn last line, which the next append ends (above),
 * never a record merged with another; once this returns, it is on disk. */
static gboolean
write_record (CmaLedger *ledger, int fd, off_t size, const CmaRenewal *renewal, GError **error)
{
  g_autofree char *record = serialize_record (renewal);
  g_autofree char *line = g_strconcat (record, "\n", NULL);

  /* Whatever is written, every reader reads: a longer line they skip. */
  if (strlen (record) > CMA_LEDGER_MAX_RECORD_BYTES)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_USAGE,
                   "the record of %s would be %" G_GSIZE_FORMAT " bytes, longer than the "
                   "%d bytes a ledger line may hold; nothing was recorded",
                   renewal->connection, strlen (record), CMA_LEDGER_MAX_RECORD_BYTES);
      return FALSE;
    }
  if (!end_torn_line (ledger, fd, size, error) ||
      !cma_file_write_all (fd, line, strlen (line), ledger->path, error))
    return FALSE;
  if (fdatasync (fd) != 0)
    return cma_file_errno_error (error, errno, "sync", ledger->path);
  return TRUE;
}

/* Take back an append that failed part-way (a full disk cuts a write
 * short): the caller reports the renewal as not recorded, so the ledger
 * must stay byte for byte as it was, not keep a fragment that every read
 * reports and that the next append would turn into a bad line for good.
 * Under the lock, nobody else wrote meanwhile. */
static void
take_back (CmaLedger *ledger, int fd, off_t size, gboolean created)
{
  if (created)
    g_unlink (ledger->path);
  else if (ftruncate (fd, size) != 0)
    return; /* the fragment stays a torn line, which the next append ends */
}

gboolean
cma_ledger_append (CmaLedger *ledger, const CmaRenewal *renewal, int mode, GError **error)
{
  gboolean created;
  struct stat before;
  int fd;
  gboolean ok;

  g_return_val_if_fail (ledger->lock_fd >= 0, FALSE);

  if ((fd = open_for_append (ledger, mode, &created, &before, error)) < 0)
    return FALSE;
  /* Under the lock, no other writer can grow it meanwhile. */
  ok = write_record (ledger, fd, before.st_size, renewal, error);
  if (!ok)
    take_back (ledger, fd, before.st_size, created);
  close (fd);
  /* A new file is durable only once its directory entry is. */
  return ok && (!created || cma_file_sync_dir (ledger->path, error));
}

gboolean
cma_renewal_matches (const CmaRenewal *r, const CmaConnection *conn)
{
  return strcmp (r->server_url, conn->server_url) == 0 &&
         strcmp (r->cloud_url, conn->cloud_url) == 0;
}
