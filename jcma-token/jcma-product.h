/* SPDX-License-Identifier: MIT */
/* jcma-product.h: the Jira product descriptor. */
#pragma once

#include "cma-product.h"

extern const CmaProduct jcma_product;
