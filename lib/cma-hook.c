/* SPDX-License-Identifier: MIT */
/* cma-hook.c: hooks, with an environment scrubbed of secrets. */
#include "config.h"

#include "cma-error.h"
#include "cma-hook.h"
#include "cma-text.h"

/* Variables through which a secret may have reached us. The hook is the
 * administrator's code, but it may log its environment or pass it on. */
static const char *const secret_variables[] = { "CMA_CLOUD_TOKEN", "CMA_SERVER_TOKEN",
                                                "CREDENTIALS_DIRECTORY", NULL };

/* Far below execve's limits (128 KiB per string on Linux): a hostile
 * server's 128 KiB cloudUrl in CMA_MESSAGE once made the failure hook
 * fail to start, silencing the alert it was there to raise. */
#define HOOK_MAX_VALUE 4096

/* Set @name to @value escaped and cut: a value may quote a server. */
static char **
set_bounded (char **env, const char *name, const char *value)
{
  g_autofree char *safe = cma_text_sanitize (value, HOOK_MAX_VALUE);

  return g_environ_setenv (env, name, safe, TRUE);
}

/* CMA_ATTACH and CMA_ATTACHED_UNTIL, each unset when not known. */
static char **
attach_environment (char **env, const CmaHookAttach *attach)
{
  g_autofree char *until = NULL;

  env = g_environ_unsetenv (env, "CMA_ATTACH");
  env = g_environ_unsetenv (env, "CMA_ATTACHED_UNTIL");
  if (attach == NULL || attach->action == NULL)
    return env;
  env = g_environ_setenv (env, "CMA_ATTACH", attach->action, TRUE);
  if (attach->until != NULL)
    {
      until = cma_time_format_iso (attach->until->until);
      env = g_environ_setenv (env, "CMA_ATTACHED_UNTIL", until, TRUE);
    }
  return env;
}

static char **
hook_environment (const char *action, const CmaProduct *product, const CmaConnection *conn,
                  const CmaVerdict *verdict, const char *message)
{
  char **env = g_get_environ ();

  for (guint i = 0; secret_variables[i] != NULL; i++)
    env = g_environ_unsetenv (env, secret_variables[i]);
  env = g_environ_setenv (env, "CMA_ACTION", action, TRUE);
  env = g_environ_setenv (env, "CMA_PRODUCT", product->product_name, TRUE);
  env = g_environ_setenv (env, "CMA_PROGRAM", product->program, TRUE);
  env = set_bounded (env, "CMA_CONNECTION", conn->name);
  env = set_bounded (env, "CMA_SERVER_URL", conn->server_url);
  env = set_bounded (env, "CMA_CLOUD_URL", conn->cloud_url);
  env = g_environ_setenv (env, "CMA_STATE", cma_state_to_string (verdict->state), TRUE);
  if (verdict->known)
    {
      g_autofree char *until = cma_time_format_iso (verdict->usable_until);
      char days[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (days, sizeof days, "%.1f", verdict->days_left);
      env = g_environ_setenv (env, "CMA_USABLE_UNTIL", until, TRUE);
      env = g_environ_setenv (env, "CMA_DAYS_LEFT", days, TRUE);
    }
  else
    {
      env = g_environ_unsetenv (env, "CMA_USABLE_UNTIL");
      env = g_environ_unsetenv (env, "CMA_DAYS_LEFT");
    }
  if (message != NULL)
    env = set_bounded (env, "CMA_MESSAGE", message);
  else
    env = g_environ_unsetenv (env, "CMA_MESSAGE");
  return env;
}

gboolean
cma_hook_run (const char *hook, const char *action, const CmaProduct *product,
              const CmaConnection *conn, const CmaVerdict *verdict, const char *message,
              const CmaHookAttach *attach, GError **error)
{
  g_auto (GStrv) env =
      attach_environment (hook_environment (action, product, conn, verdict, message), attach);
  const char *argv[] = { hook, action, conn->name, NULL };
  g_autoptr (GError) local_error = NULL;
  int wait_status = 0;

  /* The hook's output goes where ours goes; its stdin is /dev/null so a
   * hook that prompts cannot hang a timer. */
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &wait_status, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED, "hook %s could not run: %s", hook,
                   local_error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (wait_status, &local_error))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED, "hook %s %s: %s", hook, action,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
