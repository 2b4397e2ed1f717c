#!/bin/sh
# Installs headless Chromium and CJK fonts for the browser test (tests/server_stage.rs,
# `browser_renders_search_facets_and_compare`) on Debian/Ubuntu. Needs root (or sudo).
# The test skips itself when /usr/bin/chromium is absent, and fails then under CI=true;
# .ci/run calls this script when CI=true and Chromium is missing.
set -eu

sh "$(dirname "$0")/apt-install.sh" chromium fonts-noto-cjk

if [ -x /usr/bin/chromium ]; then
    /usr/bin/chromium --version || true
    echo "chromium installed: /usr/bin/chromium"
else
    echo "chromium was not installed at /usr/bin/chromium" >&2
    exit 1
fi
