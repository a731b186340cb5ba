#!/bin/sh
# Installs the Debian 12 packages pymemcheck needs, and only those missing.
# Everything comes from Debian: both LLVM majors the plugin supports (14 and
# 19, with their lit and FileCheck from llvm-N-tools), CPython's headers, and
# the sanitizer runtimes; pkgconf and python3-setuptools for the tools'
# tests (test/tools/), chromium, which renders the HTML report headless
# in those tests (test/tools/html-*.test), and python3-psutil, which lit
# needs to stop a test that hangs (scripts/test.sh, --timeout).
set -eu

PACKAGES="ca-certificates cmake ninja-build make gcc g++ python3 python3-dev
  pkgconf python3-setuptools python3-psutil chromium
  clang-14 libclang-14-dev llvm-14-dev llvm-14-tools libclang-rt-14-dev
  clang-19 libclang-19-dev llvm-19-dev llvm-19-tools libclang-rt-19-dev"

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0

echo "pymemcheck: installing Debian packages:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "pymemcheck: need root (or sudo) to install:$missing" >&2
    exit 1
  }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # the package list is meant to split
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
