/* SPDX-License-Identifier: MIT */
/* cma-curl.h: libcurl, opened when a command first needs HTTP.
 *
 * Linked, libcurl (with GnuTLS and some forty libraries behind it) was
 * loaded, relocated and initialised before main() for every command,
 * even for status, history, record and guide, which never talk to a
 * network: it made up most of their start-up time. So libcma links no
 * libcurl and opens it with dlopen() on first use, as systemd does for its
 * optional libraries. Each function is called through a sym_ pointer of
 * the type curl.h declares, so the compiler still checks every call's
 * arguments (but not curl_easy_setopt's variadic value, as before under
 * clang). A call to a curl_*() function itself compiles but no longer
 * links ("undefined reference"): add the function to the list below and
 * call its sym_ pointer.
 */
#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

/* Every libcurl function libcma calls. */
#define CMA_CURL_FOREACH_SYMBOL(X)                                                                 \
  X (curl_global_init)                                                                             \
  X (curl_version_info)                                                                            \
  X (curl_easy_init)                                                                               \
  X (curl_easy_setopt)                                                                             \
  X (curl_easy_getinfo)                                                                            \
  X (curl_easy_cleanup)                                                                            \
  X (curl_easy_strerror)                                                                           \
  X (curl_share_init)                                                                              \
  X (curl_share_setopt)                                                                            \
  X (curl_share_cleanup)                                                                           \
  X (curl_multi_init)                                                                              \
  X (curl_multi_add_handle)                                                                        \
  X (curl_multi_perform)                                                                           \
  X (curl_multi_poll)                                                                              \
  X (curl_multi_info_read)                                                                         \
  X (curl_multi_remove_handle)                                                                     \
  X (curl_multi_cleanup)                                                                           \
  X (curl_slist_append)                                                                            \
  X (curl_slist_free_all)                                                                          \
  X (curl_getdate)

#define CMA_CURL_DECLARE_SYMBOL(name) extern __typeof__ (name) *sym_##name;
CMA_CURL_FOREACH_SYMBOL (CMA_CURL_DECLARE_SYMBOL)
#undef CMA_CURL_DECLARE_SYMBOL

/* Open libcurl, resolve every sym_ pointer and run curl_global_init(),
 * once per process, from any thread. Fails (CMA_ERROR_UNAVAILABLE, one
 * line naming the library and the fix) when it cannot be loaded; the
 * pointers are usable only after it returned TRUE. */
gboolean cma_curl_load (GError **error);

/* The TLS library libcurl uses ("GnuTLS/3.7.9"), loading libcurl if need
 * be; NULL when it cannot be loaded or has none. */
const char *cma_curl_ssl_version (void);

/* "libcurl 7.88.1 (GnuTLS/3.7.9)": libcurl names its TLS library, the one
 * certificates are verified with; "libcurl not loaded" with @error set
 * when it cannot be loaded. */
char *cma_curl_version_text (GError **error);

/* Whether libcurl can speak HTTP/2 (curl_version_info's
 * CURL_VERSION_HTTP2), loading libcurl if need be; FALSE when it cannot
 * be loaded. */
gboolean cma_curl_has_http2 (void);

G_END_DECLS
