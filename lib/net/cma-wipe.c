/* SPDX-License-Identifier: MIT */
/* cma-wipe.c: clearing secrets' memory (see cma-wipe.h). */
#include "config.h"

#include <string.h>

#include "cma-wipe.h"

void
cma_secret_zero (char *s)
{
  /* explicit_bzero: a memset before free() may be optimised away. */
  if (s != NULL)
    explicit_bzero (s, strlen (s));
}

void
cma_secret_wipe (char *s)
{
  cma_secret_zero (s);
  g_free (s);
}
