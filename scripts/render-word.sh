#!/usr/bin/env bash
# Renders zhili's Word outputs (comparison, precedents, citation list) of the sample corpus with
# LibreOffice, as a reader's word processor would show them, into docs/screenshots/*-docx.png.
# Installs LibreOffice Writer and poppler-utils (Debian/Ubuntu) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-writer poppler-utils
fi
cargo build --release
zhili=target/release/zhili
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$zhili" ingest --index "$work/index" --corpus corpus >/dev/null
ids=$("$zhili" search 网格 --index "$work/index" --corpus corpus --json --limit 3 |
    python3 -c "import json, sys; print(' '.join(h['id'] for h in json.load(sys.stdin)['hits']))")
# shellcheck disable=SC2086
"$zhili" compare $ids --index "$work/index" --corpus corpus --format docx --output "$work/compare.docx"
"$zhili" export 网格 --index "$work/index" --corpus corpus --format docx --output "$work/citations.docx"
port=18931
"$zhili" serve --index "$work/index" --corpus corpus --addr "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
curl -sf -o "$work/precedents.docx" "http://127.0.0.1:$port/api/precedents?q=%E7%BD%91%E6%A0%BC&format=docx"
for name in compare precedents citations; do
    soffice --headless --convert-to pdf "$work/$name.docx" --outdir "$work" >/dev/null
    pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/$name.pdf" "docs/screenshots/$name-docx"
done
echo "rendered: docs/screenshots/{compare,precedents,citations}-docx.png"
