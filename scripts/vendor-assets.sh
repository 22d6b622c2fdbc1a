#!/usr/bin/env bash
# Refresh the portal's vendored front-end files from the npm registry (the portal itself never fetches them:
# it must work on an intranet without internet). Versions are pinned here; commit what this writes.
#   htmx.org        → mel_core/web/static/vendor/htmx/
#   swagger-ui-dist → mel_core/web/static/vendor/swagger-ui/   (the API documentation at /api/docs)
# Usage: scripts/vendor-assets.sh
set -euo pipefail
HTMX=2.0.11
SWAGGER=5.35.0
root="$(cd "$(dirname "$0")/.." && pwd)"
static="$root/mel_core/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX" >/dev/null
npm pack --silent "swagger-ui-dist@$SWAGGER" >/dev/null
mkdir htmx swagger
tar xzf "htmx.org-$HTMX.tgz" -C htmx
tar xzf "swagger-ui-dist-$SWAGGER.tgz" -C swagger
mkdir -p "$static/htmx" "$static/swagger-ui"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$static/htmx/"
cp swagger/package/swagger-ui-bundle.js swagger/package/swagger-ui.css swagger/package/LICENSE \
   swagger/package/NOTICE "$static/swagger-ui/"
# the bundle names its source map, which is not vendored: drop the reference so no browser asks for it
sed -i '/^\/\/# sourceMappingURL=/d' "$static/swagger-ui/swagger-ui-bundle.js"
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' "$static/swagger-ui/swagger-ui.css"
printf 'htmx.org %s\nswagger-ui-dist %s\n' "$HTMX" "$SWAGGER" > "$static/VERSIONS"
echo "vendored htmx.org $HTMX and swagger-ui-dist $SWAGGER into $static"
