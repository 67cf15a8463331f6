/* SPDX-License-Identifier: MIT */
/* main.c: jcma-token, the JCMA container token keeper. All behaviour lives in
 * libcma; this file only says which product we are. */
#include "config.h"

#include "cma-cli.h"
#include "jcma-product.h"

int
main (int argc, char **argv)
{
  return cma_cli_main (&jcma_product, argc, argv);
}
