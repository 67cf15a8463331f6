/* SPDX-License-Identifier: MIT */
/* cma-wipe.h: what the network layer needs of secrets: their memory is
 * cleared before it goes back, so no credential lingers in freed heap.
 * Loading secrets (cma-secret.h) is the API layer's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every copy of a secret (header values, request bodies) is zeroed before
 * its memory goes back. NULL is fine. _zero clears in place, for memory
 * someone else frees; _wipe also frees. */
void cma_secret_zero (char *s);
void cma_secret_wipe (char *s);
/* g_auto(CmaWiped): a string holding a secret, wiped when it goes out of scope. */
typedef char *CmaWiped;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CmaWiped, cma_secret_wipe, NULL)

G_END_DECLS
