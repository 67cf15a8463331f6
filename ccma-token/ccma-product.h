/* SPDX-License-Identifier: MIT */
/* ccma-product.h: the Confluence product descriptor. */
#pragma once

#include "cma-product.h"

extern const CmaProduct ccma_product;
