#!/usr/bin/env bash
# bench/logs.sh: time and peak memory of `logs --tail 1` and `logs` of a
# ~1 GB log, for two engine binaries side by side on the same store.
#
#   tests/setup/as-user -u tester bench/logs.sh [NEW_ENGINE [OLD_ENGINE]]
#
# NEW_ENGINE defaults to build/rel/cmd/engine, OLD_ENGINE to the unmodified
# main binary the test setup keeps (/var/lib/engine-test/bin-main/engine).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
new_bin=${1:-$top/build/rel/cmd/engine}
old_bin=${2:-/var/lib/engine-test/bin-main/engine}
reg=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}
store=$(mktemp -d /var/tmp/bench-logs.XXXXXX)
new=("$new_bin" --root "$store/root" --runroot "$store/run")
# shellcheck disable=SC2034 # used through declare -n below
old=("$old_bin" --root "$store/root" --runroot "$store/run")
cleanup() {
	"${new[@]}" rm -f big >/dev/null 2>&1 || true
	"${new[@]}" rmi -f "$reg/busybox" >/dev/null 2>&1 || true
	rm -rf "$store"
}
trap cleanup EXIT
"${new[@]}" pull -q "$reg/busybox" >/dev/null
# 1,000,000 lines of 1,000 bytes, then one to find.
# shellcheck disable=SC2016 # expanded by the container's shell
"${new[@]}" run -d --name big "$reg/busybox" sh -c \
	'x=$(head -c 999 /dev/zero | tr "\0" x); yes "$x" | head -c 1000000000; echo the-last-line' >/dev/null
"${new[@]}" wait big >/dev/null
ls -l "$store"/root/containers/*/ctr.log
for which in old new; do
	declare -n engine=$which
	for args in "logs --tail 1 big" "logs big"; do
		# shellcheck disable=SC2086
		/usr/bin/time -f "$which $args: %e s elapsed, %U s user, %S s sys, max RSS %M kB" \
			"${engine[@]}" $args >/dev/null
	done
done
