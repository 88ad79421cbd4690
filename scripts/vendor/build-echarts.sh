#!/usr/bin/env bash
# Rebuild static/vendor/echarts/ from the npm registry packages (pinned versions below).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ECHARTS_VERSION=6.1.0
ESBUILD_VERSION=0.28.2
work="$(mktemp -d)"
cp "$ROOT/scripts/vendor/echarts-entry.js" "$work/entry.js"
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION"
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
    --outfile="$ROOT/static/vendor/echarts/echarts.custom.min.js"
cp node_modules/echarts/LICENSE "$ROOT/static/vendor/echarts/LICENSE"
cp node_modules/echarts/NOTICE "$ROOT/static/vendor/echarts/NOTICE" 2>/dev/null || true
echo "echarts $ECHARTS_VERSION (line, bar, map with geo and continuous visualMap; canvas renderer), built with esbuild $ESBUILD_VERSION from scripts/vendor/echarts-entry.js by scripts/vendor/build-echarts.sh" \
    > "$ROOT/static/vendor/echarts/VERSION"
rm -rf "$work"
