#!/usr/bin/env bash
# tests/dev-bats.sh: run some integration suites against this checkout's
# build while developing, without touching what tests/run.sh installs (so
# that several checkouts can test at once).  Run as root after the host
# setup (tests/setup/host-setup.sh) has run once.
#
#   tests/dev-bats.sh [-b BUILDDIR] [-m rootless|nosub|root] [-d DRIVER] SUITE...
#
# BUILDDIR defaults to build/dev (configured and built if missing); SUITE is
# a file name in tests/integration without ".bats".  Prints the TAP stream.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=build/dev mode=rootless driver=
while getopts b:m:d: o; do
	case $o in
	b) builddir=$OPTARG ;;
	m) mode=$OPTARG ;;
	d) driver=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-b BUILDDIR] [-m MODE] [-d DRIVER] SUITE..." >&2; exit 2; }
# shellcheck disable=SC1091
. /var/lib/engine-test/env
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" >/dev/null
work=/var/tmp/engine-dev/$(echo "$top" | md5sum | cut -c1-8)
rm -rf "$work"
install -d -m 0755 /var/tmp/engine-dev "$work" "$work/bin"
install -m 0755 "$builddir/cmd/engine" "$builddir/cmd/engine-image" "$work/bin/"
[ ! -x "$builddir/cmd/engine-init" ] || install -m 0755 "$builddir/cmd/engine-init" "$work/bin/"
[ ! -x "$builddir/cmd/engine-monitor" ] || install -m 0755 "$builddir/cmd/engine-monitor" "$work/bin/"
cp -r tests/integration "$work/integration"
chmod -R a+rX "$work"
files=()
for s in "$@"; do files+=("$work/integration/$s.bats"); done
export ENGINE="$work/bin/engine" ENGINE_TEST_MODE=$mode
[ -z "$driver" ] || export ENGINE_STORAGE_DRIVER=$driver
filter=$(tests/mode-tags.sh "$mode")
case $mode in
root) cd /tmp && exec bats --tap --filter-tags "$filter" "${files[@]}" ;;
nosub) user=$ENGINE_TEST_USER_NOSUB ;;
*) user=$ENGINE_TEST_USER ;;
esac
AS_USER_KEEP="ENGINE ENGINE_TEST_MODE ENGINE_TEST_ROOTFS_BUSYBOX ENGINE_STORAGE_DRIVER" \
	exec tests/setup/as-user -u "$user" bats --tap --filter-tags "$filter" "${files[@]}"
