#!/bin/sh
# Installs the Debian packages hotmon needs, only those that are missing;
# arguments name extra packages. clang and libclang-rt-14-dev (libFuzzer) are
# for the fuzz targets that make check runs for a few seconds each.
# Idempotent: a machine that has them all runs no apt-get at all. As root it
# calls apt-get directly, otherwise through sudo.
set -eu

PACKAGES="build-essential pkg-config libzmq3-dev libncurses-dev libcmocka-dev libjansson-dev libmicrohttpd-dev tmux python3 prometheus
    clang libclang-rt-14-dev $*"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
