# SPDX-License-Identifier: MIT
# jcma-token.1's values for man/cma-token.1.in, a sed script (the names
# come from Makefile-data.am). The four after the names are also in
# jcma-product.c; tests/man-lint.sh checks that the page shows them.
# The program's name as in check_jcma_token, and the other program's.
s|@abbrev[@]|jcma|g
s|@twin[@]|ccma|g
s|@MIN_API_VERSION[@]|1.12.5|g
# The first version with the Migration API (attach), as in jcma-product.c.
s|@MIN_ATTACH_VERSION[@]|1.11.4|g
s|@PLUGIN_KEY[@]|com.atlassian.jira.migration.jira\\-migration\\-plugin|g
s|@DEFAULT_SERVER_URL[@]|http://localhost:8080/|g
# The version that brought personal access tokens to the product.
s|@PAT_SINCE[@]|8.14|g
# Examples: an assistant too old to renew, a server in the metrics.
s|@OLD_API_VERSION[@]|1.9.2|g
s|@METRICS_SERVER_URL[@]|https://jira.example.com/jira/|g
