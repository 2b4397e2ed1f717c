#!/bin/sh
# Installs Sphinx 2.2 (`searchd`) and the MySQL command-line client for the live Sphinx test
# (tests/scaleout_stage/sphinx.rs) on Debian/Ubuntu. Needs root (or sudo). The test skips itself
# when either is absent, and fails then under CI=true; .ci/run calls this script when CI=true
# and either is missing. The package's init script is not started: the test runs its own
# searchd processes on free loopback ports.
set -eu

sh "$(dirname "$0")/apt-install.sh" sphinxsearch default-mysql-client

for tool in searchd mysql; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool was not installed" >&2
        exit 1
    fi
done
searchd --help | head -n 1
echo "searchd and mysql installed"
