/* SPDX-License-Identifier: MIT */
/* cma-secret.c: loading secrets safely. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cma-error.h"
#include "cma-secret.h"

void
cma_secret_free (CmaSecret *secret)
{
  if (secret == NULL)
    return;
  cma_secret_wipe (secret->value);
  g_free (secret->origin);
  g_free (secret);
}

/* What a file that is no regular file is, for the message. */
static const char *
file_kind (mode_t mode)
{
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device";
  if (S_ISDIR (mode))
    return "a directory";
  return "not a regular file";
}

/* Only a regular file holds a token: a FIFO or a device would make the
 * read wait for a writer for ever, or never end. */
static gboolean
check_type (const char *what, const char *path, const struct stat *st, GError **error)
{
  if (S_ISREG (st->st_mode))
    return TRUE;
  g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
               "%s file %s is %s, not a regular file; put the token in a regular file", what, path,
               file_kind (st->st_mode));
  return FALSE;
}

/* Refuse a file that group or others can read or write, or that another
 * user owns: a token readable by every local account is a leaked token. */
static gboolean
check_stat (const char *what, const char *path, const struct stat *st, GError **error)
{
  if (st->st_uid != geteuid ())
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                   "%s file %s belongs to uid %u, not to the user running this (uid %u); "
                   "fix: chown %u %s",
                   what, path, (guint) st->st_uid, (guint) geteuid (), (guint) geteuid (), path);
      return FALSE;
    }
  if ((st->st_mode & 077) != 0)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                   "%s file %s is accessible by group or others (mode %04o); "
                   "fix: chmod 600 %s",
                   what, path, (guint) (st->st_mode & 07777), path);
      return FALSE;
    }
  return TRUE;
}

/* Read at most CMA_SECRET_MAX_BYTES from an open descriptor. */
static char *
read_secret_fd (int fd, const char *what, const char *path, GError **error)
{
  char buf[CMA_SECRET_MAX_BYTES + 1];
  gsize len = 0;
  char *value;

  for (;;)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS, "%s file %s: %s", what, path,
                       g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
      if (len > CMA_SECRET_MAX_BYTES)
        {
          explicit_bzero (buf, sizeof buf);
          g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                       "%s file %s is larger than %d bytes; it should hold only the token", what,
                       path, CMA_SECRET_MAX_BYTES);
          return NULL;
        }
    }
  /* The token would end at a NUL: what follows would be dropped, and a
   * binary file (a keyring, a copy gone wrong) used as far as its first
   * zero. Said without a byte of it. */
  if (memchr (buf, '\0', len) != NULL)
    {
      explicit_bzero (buf, sizeof buf);
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                   "%s file %s holds a NUL byte, so it is not a text file holding only the "
                   "token; fix: write the token alone into it",
                   what, path);
      return NULL;
    }
  value = g_strndup (buf, len);
  explicit_bzero (buf, sizeof buf);
  return value;
}

static char *
read_secret_file (const char *what, const char *path, gboolean check_owner, GError **error)
{
  struct stat st;
  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  char *value;

  if (fd < 0)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS, "%s file %s: %s", what, path,
                   g_strerror (errno));
      return NULL;
    }
  /* fstat the descriptor we read, so the file cannot be swapped between
   * the check and the read. */
  if (fstat (fd, &st) != 0 || !check_type (what, path, &st, error) ||
      (check_owner && !check_stat (what, path, &st, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS, "%s file %s: %s", what, path,
                     g_strerror (errno));
      close (fd);
      return NULL;
    }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  value = read_secret_fd (fd, what, path, error);
  close (fd);
  return value;
}

static CmaSecret *
finish (char *value, char *origin, const char *what, GError **error)
{
  g_autoptr (CmaSecret) secret = g_new0 (CmaSecret, 1);

  secret->value = value;
  secret->origin = origin;
  /* A trailing newline from "echo token > file" is not part of the token. */
  g_strstrip (secret->value);
  /* Some editors start a UTF-8 file with a byte order mark; sent, it
   * would make a good token look refused. */
  if (g_str_has_prefix (secret->value, "\xEF\xBB\xBF"))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                   "%s from %s starts with a UTF-8 byte order mark, which is not part of "
                   "the token; fix: save the token without one (as plain ASCII)",
                   what, origin);
      return NULL;
    }
  if (secret->value[0] == '\0' || strpbrk (secret->value, "\r\n") != NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
                   "%s from %s is empty or spans several lines", what, origin);
      return NULL;
    }
  return g_steal_pointer (&secret);
}

/* @what names the secret in errors ("cloud API token"); @file may be NULL. */
static CmaSecret *
load (CmaSide side, const char *what, const char *file, const char *credential_name,
      const char *env_name, GError **error)
{
  const char *creds = g_getenv ("CREDENTIALS_DIRECTORY");
  const char *env;
  char *value;

  if (file != NULL)
    {
      if ((value = read_secret_file (what, file, TRUE, error)) == NULL)
        return NULL;
      return finish (value, g_strconcat ("file ", file, NULL), what, error);
    }
  if (creds != NULL && credential_name != NULL)
    {
      g_autofree char *path = g_build_filename (creds, credential_name, NULL);

      /* systemd owns and protects this directory; its files may belong to
       * root while we run as a dynamic user, so no owner check here. */
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          if ((value = read_secret_file (what, path, FALSE, error)) == NULL)
            return NULL;
          return finish (value, g_strconcat ("systemd credential ", credential_name, NULL), what,
                         error);
        }
    }
  if (env_name != NULL && (env = g_getenv (env_name)) != NULL && *env != '\0')
    return finish (g_strdup (env), g_strconcat ("environment ", env_name, NULL), what, error);

  g_set_error (error, CMA_ERROR, CMA_ERROR_CREDENTIALS,
               "no %s: set %s-token-file in the configuration, a systemd credential '%s', "
               "or %s",
               what, cma_side_to_string (side), credential_name, env_name);
  return NULL;
}

CmaSecret *
cma_secret_load_cloud (const CmaConnection *conn, GError **error)
{
  if (conn->cloud_user == NULL)
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_CONFIG,
                   "connection '%s' has no cloud-user (the e-mail of a site or org admin "
                   "of %s)",
                   conn->name, conn->cloud_url);
      return NULL;
    }
  return load (CMA_SIDE_CLOUD, "cloud API token", conn->cloud_token_file, "cloud-token",
               "CMA_CLOUD_TOKEN", error);
}

CmaSecret *
cma_secret_load_server (const CmaConnection *conn, GError **error)
{
  return load (CMA_SIDE_SERVER,
               conn->server_user ? "server password" : "server personal access token",
               conn->server_token_file, "server-token", "CMA_SERVER_TOKEN", error);
}
