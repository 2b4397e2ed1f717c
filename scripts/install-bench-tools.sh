#!/usr/bin/env bash
# Install what scripts/bench.sh needs besides zhili itself (run as root, once per machine):
#  - the Python peers of ../shared/bench (Whoosh + jieba, tantivy-py, rjieba), matplotlib (scale plot),
#  - Groonga (optional peer; skipped with a warning when the package is not available),
#  - an HTTP load generator: Debian's `wrk` (preferred: installs in seconds), else `oha` from crates.io.
set -u
ok=1
if command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || echo "!! apt-get update failed"
  apt-get install -y -qq wrk || echo "!! wrk not installed from apt"
  apt-get install -y -qq groonga-bin || echo "!! groonga-bin not installed (the groonga peer will be skipped)"
fi
python3 -m pip install --quiet whoosh jieba tantivy rjieba matplotlib 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages whoosh jieba tantivy rjieba matplotlib \
  || { echo "!! pip install of the Python peers failed"; ok=0; }
if ! command -v wrk >/dev/null && ! command -v oha >/dev/null; then
  cargo install oha --locked || { echo "!! no HTTP load generator (wrk or oha)"; ok=0; }
fi
for t in wrk oha groonga python3; do
  printf '%-8s %s\n' "$t" "$(command -v "$t" || echo '-')"
done
python3 -c 'import whoosh, jieba, tantivy, rjieba, matplotlib; print("python peers + matplotlib: ok")' || ok=0
[ "$ok" = 1 ]
