/* SPDX-License-Identifier: MIT */
/* main.c: ccma-token, the CCMA container token keeper. All behaviour lives in
 * libcma; this file only says which product we are. */
#include "config.h"

#include "cma-cli.h"
#include "ccma-product.h"

int
main (int argc, char **argv)
{
  return cma_cli_main (&ccma_product, argc, argv);
}
