#!/bin/sh
# deps.sh - install the Debian 12 packages Xenlite needs, if any are missing.
set -eu

PKGS="meson ninja-build gcc pkg-config check libjson-c-dev libevent-dev libssl-dev
uuid-dev libsqlite3-dev libpq-dev postgresql libseccomp-dev libcrypt-dev libexpat1-dev
xenstore-utils binutils"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
