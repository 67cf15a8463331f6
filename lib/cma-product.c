/* SPDX-License-Identifier: MIT */
/* cma-product.c: helpers over the product descriptor. */
#include "config.h"

#include "cma-product.h"

guint
cma_product_n_steps (const CmaProduct *product)
{
  guint n = 0;

  while (product->steps[n].text != NULL)
    n++;
  return n;
}
