/* SPDX-License-Identifier: MIT */
/* cma-hook.c: hooks, with an environment scrubbed of secrets. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>

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

/* Between SIGTERM and SIGKILL: time for a hook to clean up, or the hook's
 * own timeout when that is shorter. */
#define HOOK_GRACE_SECONDS 5.0

typedef struct {
  GMainContext *context;
  GPid pid;
  gboolean exited;
  int wait_status;
  gboolean timer_fired;
} HookWait;

static void
hook_exited (GPid pid, int wait_status, gpointer data)
{
  HookWait *w = data;

  w->exited = TRUE;
  w->wait_status = wait_status;
}

static gboolean
hook_timer (gpointer data)
{
  ((HookWait *) data)->timer_fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Wait up to @seconds (forever when negative) for the hook to exit. */
static gboolean
wait_hook (HookWait *w, double seconds)
{
  g_autoptr (GSource) timer = NULL;

  w->timer_fired = FALSE;
  if (seconds >= 0)
    {
      timer = g_timeout_source_new ((guint) ceil (seconds * 1000));
      g_source_set_callback (timer, hook_timer, w, NULL);
      g_source_attach (timer, w->context);
    }
  while (!w->exited && !w->timer_fired)
    g_main_context_iteration (w->context, TRUE);
  if (timer != NULL)
    g_source_destroy (timer);
  return w->exited;
}

/* The hook and whatever it started: it leads a process group. */
static void
signal_hook (GPid pid, int sig)
{
  if (kill (-pid, sig) != 0 && errno == ESRCH)
    kill (pid, sig);
}

/* The hook's own process group, so a timeout stops its children too. */
static void
hook_child_setup (gpointer data)
{
  setpgid (0, 0);
}

/* Bounded: after @timeout seconds SIGTERM, after a grace SIGKILL; FALSE
 * with @error saying which, else *@wait_status. */
static gboolean
wait_bounded (HookWait *w, const char *hook, const char *action, double timeout, GError **error)
{
  double grace = MIN (HOOK_GRACE_SECONDS, timeout);

  if (wait_hook (w, timeout))
    return TRUE;
  signal_hook (w->pid, SIGTERM);
  if (wait_hook (w, grace))
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED,
                   "hook %s %s was still running after %g s (hook-timeout): stopped with "
                   "SIGTERM",
                   hook, action, timeout);
      return FALSE;
    }
  signal_hook (w->pid, SIGKILL);
  wait_hook (w, -1);
  g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED,
               "hook %s %s was still running after %g s (hook-timeout) and %g s more after "
               "SIGTERM: killed with SIGKILL",
               hook, action, timeout, grace);
  return FALSE;
}

static gboolean
spawn_and_wait (const char *const *argv, char **env, double timeout, int *wait_status,
                GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) watch = NULL;
  HookWait w = { context, 0, FALSE, 0, FALSE };
  gboolean done;

  /* The hook's output goes where ours goes; its stdin is /dev/null so a
   * hook that prompts cannot hang a timer. */
  if (!g_spawn_async (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, hook_child_setup, NULL,
                      &w.pid, error))
    return FALSE;
  /* Also here: a signal sent before the child has run setpgid() must
   * still reach its group. */
  setpgid (w.pid, w.pid);
  g_main_context_push_thread_default (context);
  watch = g_child_watch_source_new (w.pid);
  g_source_set_callback (watch, (GSourceFunc) (void (*) (void)) hook_exited, &w, NULL);
  g_source_attach (watch, context);
  done = wait_bounded (&w, argv[0], argv[1], timeout, error);
  g_source_destroy (watch);
  g_main_context_pop_thread_default (context);
  *wait_status = w.wait_status;
  return done;
}

gboolean
cma_hook_run (const char *hook, const char *action, const CmaProduct *product,
              const CmaConnection *conn, const CmaVerdict *verdict, const char *message,
              const CmaHookAttach *attach, GError **error)
{
  g_auto (GStrv) env = NULL;
  const char *argv[] = { hook, action, conn->name, NULL };
  double timeout = conn->hook_timeout > 0 ? conn->hook_timeout : CMA_DEFAULT_HOOK_TIMEOUT;
  g_autoptr (GError) local_error = NULL;
  int wait_status = 0;

  /* The configuration refuses such names; a hook must never see its
   * arguments as options whatever a caller passes. */
  if (action[0] == '-' || conn->name[0] == '-')
    {
      g_set_error (error, CMA_ERROR, CMA_ERROR_FAILED,
                   "hook %s not run: an argument starts with '-' and would read as an option",
                   hook);
      return FALSE;
    }
  env = attach_environment (hook_environment (action, product, conn, verdict, message), attach);
  if (!spawn_and_wait (argv, env, timeout, &wait_status, &local_error))
    {
      if (local_error->domain == CMA_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
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
