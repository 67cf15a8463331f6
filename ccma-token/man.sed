# SPDX-License-Identifier: MIT
# ccma-token.1's values for man/cma-token.1.in, a sed script (the names
# come from Makefile-data.am). The four after the names are also in
# ccma-product.c; tests/man-lint.sh checks that the page shows them.
# The program's name as in check_ccma_token, and the other program's.
s|@abbrev[@]|ccma|g
s|@twin[@]|jcma|g
s|@MIN_API_VERSION[@]|3.10.8|g
# The first version with the Migration API (attach), as in ccma-product.c.
s|@MIN_ATTACH_VERSION[@]|3.9.6|g
s|@PLUGIN_KEY[@]|com.atlassian.migration.agent|g
s|@DEFAULT_SERVER_URL[@]|http://localhost:8090/|g
# The version that brought personal access tokens to the product.
s|@PAT_SINCE[@]|7.9|g
# Examples: an assistant too old to renew, a server in the metrics.
s|@OLD_API_VERSION[@]|3.8.1|g
s|@METRICS_SERVER_URL[@]|https://wiki.example.com/confluence/|g
