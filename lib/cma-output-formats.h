/* cma-output-formats.h: the formats that live in files of their own,
 * for cma-output.c to dispatch to. Private to libcma. */
#pragma once

#include "cma-output.h"

G_BEGIN_DECLS

/* Prometheus text exposition format (cma-output-prometheus.c). */
char *cma_output_prometheus_status (const CmaProduct *product, const CmaStatusEntry *entries,
                                    guint n);
char *cma_output_prometheus_failure (const CmaProduct *product);

G_END_DECLS
