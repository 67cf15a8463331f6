/* SPDX-License-Identifier: MIT */
/* cma-error.c: libcma's error domain. */
#include "config.h"

#include "cma-error.h"

G_DEFINE_QUARK (cma - error - quark, cma_error)

const char *
cma_side_to_string (CmaSide side)
{
  switch (side)
    {
    case CMA_SIDE_CLOUD:
      return "cloud";
    case CMA_SIDE_SERVER:
      return "server";
    case CMA_SIDE_NONE:
    default:
      return "peer";
    }
}
