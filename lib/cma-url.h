/* SPDX-License-Identifier: MIT */
/* cma-url.h: validate and normalise server and cloud URLs once, at the edge. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns "scheme://host[:port]/path/" with scheme and host in lower case,
 * the default port dropped and exactly one trailing slash. Refuses anything
 * but http and https, user information (secrets never go into URLs), a
 * query or a fragment. @what names the URL in the error ("server URL"). */
char *cma_url_normalize (const char *url, const char *what, GError **error);
/* The same for a cloud site, which is https only. */
char *cma_url_normalize_cloud (const char *url, const char *what, GError **error);

/* TRUE when the URL's host is a loopback address or "localhost": the only
 * place where plain http is allowed to carry credentials. */
gboolean cma_url_is_loopback (const char *url);

/* @base (normalised) + @relative (no leading slash). */
char *cma_url_join (const char *base, const char *relative);

/* A cloud site URL as Atlassian writes it: no trailing slash for a bare
 * origin ("https://acme.atlassian.net"). Used byte-identically in both calls. */
char *cma_url_cloud_site (const char *normalized_cloud_url);

G_END_DECLS
