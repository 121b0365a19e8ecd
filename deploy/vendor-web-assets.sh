#!/usr/bin/env bash
# Refresh the web app's vendored assets (htmx; React, ReactDOM and GraphiQL for the offline
# GraphiQL page) from the npm registry, with their licences. Node is needed only here: the
# files are committed, so running and testing the service never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
(cd "$d" && npm install --no-audit --no-fund htmx.org@2 graphiql@3 react@18 react-dom@18)
v=services/http/web/static/vendor
m="$d/node_modules"
cp "$m/htmx.org/dist/htmx.min.js" "$v/"
cp "$m/htmx.org/LICENSE" "$v/htmx.LICENSE"
cp "$m/graphiql/graphiql.min.js" "$m/graphiql/graphiql.min.css" "$v/graphiql/"
cp "$m/graphiql/LICENSE" "$v/graphiql/graphiql.LICENSE"
cp "$m/react/umd/react.production.min.js" "$v/graphiql/"
cp "$m/react/LICENSE" "$v/graphiql/react.LICENSE"
cp "$m/react-dom/umd/react-dom.production.min.js" "$v/graphiql/"
cp "$m/react-dom/LICENSE" "$v/graphiql/react-dom.LICENSE"
echo "vendored assets refreshed in $v"
