/* SPDX-License-Identifier: MIT */
/* cma-output-prometheus.c: status as Prometheus text exposition format,
 * for node_exporter's textfile collector.
 *
 * Instants are exported as Unix timestamps, never as "days left": a
 * textfile is read between timer runs, and only a timestamp stays true
 * until the next run (alert on `expiry - time()`). Every series carries
 * a product label and the help texts name no product, so the files of
 * both programs merge in one collector without colliding series. */
#include "config.h"

#include "cma-output-formats.h"

typedef enum {
  METRIC_EXPIRY,
  METRIC_WARNING,
  METRIC_LAST_RENEWAL,
  METRIC_STATE,
  METRIC_LAST_FAILURE,
  METRIC_CONSECUTIVE_FAILURES,
  METRIC_CREDENTIAL_EXPIRY,
  METRIC_ASSISTANT_CHECK,
  METRIC_ASSISTANT_CHECK_TIME,
  METRIC_CREDENTIAL_AS_OF,
  METRIC_ATTACH_EXPIRY,
} Metric;

typedef struct {
  const char *name;
  const char *help;
} Family;

static const Family families[] = {
  [METRIC_EXPIRY] = { "cma_token_expiry_timestamp_seconds",
                      "When the container token stops being usable (migrations are blocked "
                      "from then on); absent while no renewal is recorded." },
  [METRIC_WARNING] = { "cma_token_warning_timestamp_seconds",
                       "When the Cloud Migration Assistant starts warning that the container "
                       "token expires; absent while no renewal is recorded." },
  [METRIC_LAST_RENEWAL] = { "cma_token_last_renewal_timestamp_seconds",
                            "When the container token was last renewed; absent while no "
                            "renewal is recorded." },
  [METRIC_STATE] = { "cma_token_state",
                     "Token state at the time of the run: 0 OK, 1 WARNING, 2 CRITICAL, "
                     "3 UNKNOWN." },
  [METRIC_LAST_FAILURE] = { "cma_token_last_failure_timestamp_seconds",
                            "When the last renewal attempt failed; absent unless attempts "
                            "failed since the last renewal." },
  [METRIC_CONSECUTIVE_FAILURES] = { "cma_token_consecutive_failures",
                                    "Renewal attempts that failed since the last renewal." },
  [METRIC_CREDENTIAL_EXPIRY] = { "cma_token_credential_expiry_timestamp_seconds",
                                 "When a credential the renewals need expires (label "
                                 "credential); absent when its expiry is not known." },
  [METRIC_ASSISTANT_CHECK] = { "cma_token_assistant_check_state",
                               "The assistant's own check of the container token (job-id) as it "
                               "counts: 0 passed or skipped, 1 WARNING, 2 FAILED; absent without "
                               "a verdict since the last renewal." },
  [METRIC_ASSISTANT_CHECK_TIME] = { "cma_token_assistant_check_timestamp_seconds",
                                    "When that verdict was read; absent without one." },
  [METRIC_CREDENTIAL_AS_OF] = { "cma_token_credential_as_of_timestamp_seconds",
                                "When the server said when a credential expires (label "
                                "credential); absent for a date from the configuration." },
  [METRIC_ATTACH_EXPIRY] = { "cma_token_attach_expiry_timestamp_seconds",
                             "When the cloud site's attach for Migration API jobs lapses "
                             "(attach = yes); 0 while it was never attached, absent for "
                             "connections that do not attach." },
};

static const Family success_family = {
  "cma_token_status_success",
  "Whether the status run could read its configuration and ledger (1) or not (0).",
};

/* Label values escape backslash, double quote and line feed, as the
 * exposition format requires; nothing else needs it. */
static void
append_label (GString *out, const char *name, const char *value, gboolean first)
{
  g_string_append_printf (out, "%s%s=\"", first ? "" : ",", name);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_header (GString *out, const Family *family)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s gauge\n", family->name, family->help,
                          family->name);
}

static void
append_labels (GString *out, const CmaProduct *product, const char *family, const CmaStatusEntry *e)
{
  g_string_append_printf (out, "%s{", family);
  append_label (out, "product", product->id, TRUE);
  append_label (out, "connection", e->conn->name, FALSE);
  append_label (out, "server_url", e->conn->server_url, FALSE);
  append_label (out, "cloud_url", e->conn->cloud_url, FALSE);
}

static void
append_sample (GString *out, const CmaProduct *product, const char *family, const CmaStatusEntry *e,
               gint64 value)
{
  append_labels (out, product, family, e);
  g_string_append_printf (out, "} %" G_GINT64_FORMAT "\n", value);
}

/* One sample per credential with a known expiry, told apart by a label:
 * its expiry, or (@as_of) when the server said so, for those it did. */
static void
append_credentials (GString *out, const CmaProduct *product, const char *family,
                    const CmaStatusEntry *e, gboolean as_of)
{
  for (guint i = 0; i < e->n_credentials; i++)
    {
      const CmaCredentialExpiry *c = &e->credentials[i];

      if (as_of && !c->as_of.known)
        continue;
      append_labels (out, product, family, e);
      append_label (out, "credential", c->name, FALSE);
      g_string_append_printf (out, "} %" G_GINT64_FORMAT "\n", as_of ? c->as_of.at : c->expires);
    }
}

/* The value of @metric for @e; FALSE when the series is absent. */
static gboolean
metric_value (Metric metric, const CmaStatusEntry *e, gint64 *value)
{
  const CmaVerdict *v = &e->verdict;

  switch (metric)
    {
    case METRIC_EXPIRY:
      *value = v->usable_until;
      return v->known;
    case METRIC_WARNING:
      *value = v->warning_from;
      return v->known;
    case METRIC_LAST_RENEWAL:
      *value = v->renewed_at;
      return v->known;
    case METRIC_LAST_FAILURE:
      *value = e->failure ? e->failure->at : 0;
      return e->failure != NULL;
    case METRIC_CONSECUTIVE_FAILURES:
      *value = e->failure ? e->failure->attempts : 0;
      return TRUE;
    case METRIC_ATTACH_EXPIRY:
      /* 0, long past, for "never": `expiry - time() < 4h` alerts on it too. */
      *value = e->attach.known ? e->attach.until : 0;
      return e->attach.watched;
    case METRIC_ASSISTANT_CHECK:
      *value = e->token_check_state;
      return e->token_check != NULL;
    case METRIC_ASSISTANT_CHECK_TIME:
      *value = e->token_check ? e->token_check->at : 0;
      return e->token_check != NULL;
    case METRIC_CREDENTIAL_EXPIRY: /* several samples: append_credentials () */
    case METRIC_CREDENTIAL_AS_OF:
    case METRIC_STATE:
    default:
      *value = e->state;
      return TRUE;
    }
}

static void
append_success (GString *out, const CmaProduct *product, gboolean success)
{
  append_header (out, &success_family);
  g_string_append_printf (out, "%s{", success_family.name);
  append_label (out, "product", product->id, TRUE);
  g_string_append_printf (out, "} %d\n", success ? 1 : 0);
}

char *
cma_output_prometheus_status (const CmaProduct *product, const CmaStatusEntry *entries, guint n)
{
  GString *out = g_string_new (NULL);

  append_success (out, product, TRUE);
  /* Family by family: the format wants each family's samples together. */
  for (guint m = 0; m < G_N_ELEMENTS (families); m++)
    {
      append_header (out, &families[m]);
      for (guint i = 0; i < n; i++)
        {
          gint64 value;

          if (m == METRIC_CREDENTIAL_EXPIRY || m == METRIC_CREDENTIAL_AS_OF)
            append_credentials (out, product, families[m].name, &entries[i],
                                m == METRIC_CREDENTIAL_AS_OF);
          else if (metric_value ((Metric) m, &entries[i], &value))
            append_sample (out, product, families[m].name, &entries[i], value);
        }
    }
  return g_string_free (out, FALSE);
}

char *
cma_output_prometheus_failure (const CmaProduct *product)
{
  GString *out = g_string_new (NULL);

  append_success (out, product, FALSE);
  return g_string_free (out, FALSE);
}
