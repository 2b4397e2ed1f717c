#!/bin/sh
# Installs Debian/Ubuntu packages without prompts, as root or through sudo:
# `scripts/apt-install.sh PACKAGE ...`. Used by install-browser.sh and install-sphinx.sh.
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "$@"
