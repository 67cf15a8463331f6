/* SPDX-License-Identifier: MIT */
/* cma-curl.c: opening libcurl on first use (see cma-curl.h for why). */
#include "config.h"

#include <dlfcn.h>

#include "cma-curl.h"
#include "cma-error.h"

/* The freedesktop.org "dlopen metadata" note (.note.dlopen, owner FDO,
 * type 0x407c0c0a, a JSON description), as systemd writes for each
 * library it opens itself: libcurl is no NEEDED entry of the programs, so
 * without it a packager's dependency generator (rpm's, dpkg-shlibdeps)
 * cannot see that renew and doctor need it. "required": the unattended
 * renewal, what the programs are for, does not work without it. */
#define CMA_DLOPEN_NOTE_OWNER "FDO"
#define CMA_DLOPEN_NOTE_TYPE  0x407c0c0aU
#define CMA_DLOPEN_NOTE_JSON                                                                       \
  "[{\"feature\":\"curl\",\"description\":\"HTTPS requests of renew and doctor\","                 \
  "\"priority\":\"required\",\"soname\":[\"" CMA_LIBCURL_SONAME "\"]}]"

__attribute__ ((used, section (".note.dlopen"))) _Alignas(sizeof (guint32)) static const struct {
  struct {
    guint32 n_namesz, n_descsz, n_type;
  } nhdr;
  char name[sizeof (CMA_DLOPEN_NOTE_OWNER)];
  _Alignas(sizeof (guint32)) char json[sizeof (CMA_DLOPEN_NOTE_JSON)];
} cma_dlopen_note = {
  .nhdr = { sizeof (CMA_DLOPEN_NOTE_OWNER), sizeof (CMA_DLOPEN_NOTE_JSON), CMA_DLOPEN_NOTE_TYPE },
  .name = CMA_DLOPEN_NOTE_OWNER,
  .json = CMA_DLOPEN_NOTE_JSON,
};

#define CMA_CURL_DEFINE_SYMBOL(name) __typeof__ (name) *sym_##name;
CMA_CURL_FOREACH_SYMBOL (CMA_CURL_DEFINE_SYMBOL)
#undef CMA_CURL_DEFINE_SYMBOL

/* The one line cma_curl_load() fails with; the soname is the one configure
 * found the library linked under, so it names the package to install. */
static char *
load_failure (const char *why)
{
  return g_strdup_printf ("libcurl cannot be loaded (%s); the commands that talk to a server or "
                          "the cloud need it: install the package that provides %s",
                          why, CMA_LIBCURL_SONAME);
}

/* Never closed: libcurl's global state lives until exit. RTLD_LOCAL keeps
 * its symbols (and GnuTLS's) out of everyone else's way; RTLD_LAZY binds
 * as the linked library did, as RTLD_NOW would resolve every symbol of
 * libcurl and its forty libraries up front, about a millisecond more.
 * Every function we call is looked up before any is used, so a libcurl
 * lacking one fails here, by name, not in the middle of a request. */
static gpointer
load_once (gpointer data G_GNUC_UNUSED)
{
  void *lib = dlopen (CMA_LIBCURL_SONAME, RTLD_LAZY | RTLD_LOCAL);

  if (lib == NULL)
    return load_failure (dlerror ());
#define CMA_CURL_RESOLVE_SYMBOL(name)                                                              \
  if ((sym_##name = (__typeof__ (name) *) dlsym (lib, #name)) == NULL)                             \
    {                                                                                              \
      g_autofree char *why = g_strdup_printf ("%s lacks %s", CMA_LIBCURL_SONAME, #name);           \
      return load_failure (why);                                                                   \
    }
  CMA_CURL_FOREACH_SYMBOL (CMA_CURL_RESOLVE_SYMBOL)
#undef CMA_CURL_RESOLVE_SYMBOL
  if (sym_curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return load_failure ("curl_global_init failed");
  return NULL;
}

gboolean
cma_curl_load (GError **error)
{
  static GOnce load = G_ONCE_INIT;
  const char *failure = g_once (&load, load_once, NULL);

  if (failure == NULL)
    return TRUE;
  g_set_error_literal (error, CMA_ERROR, CMA_ERROR_UNAVAILABLE, failure);
  return FALSE;
}

char *
cma_curl_version_text (GError **error)
{
  curl_version_info_data *curl;

  if (!cma_curl_load (error))
    return g_strdup ("libcurl not loaded");
  curl = sym_curl_version_info (CURLVERSION_NOW);
  return g_strdup_printf ("libcurl %s (%s)", curl->version,
                          curl->ssl_version ? curl->ssl_version : "no TLS");
}

const char *
cma_curl_ssl_version (void)
{
  if (!cma_curl_load (NULL))
    return NULL;
  return sym_curl_version_info (CURLVERSION_NOW)->ssl_version;
}

gboolean
cma_curl_has_http2 (void)
{
  if (!cma_curl_load (NULL))
    return FALSE;
  return (sym_curl_version_info (CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0;
}
