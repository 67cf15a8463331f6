/* cma-error.c: libcma's error domain. */
#include "config.h"

#include "cma-error.h"

G_DEFINE_QUARK (cma-error-quark, cma_error)
