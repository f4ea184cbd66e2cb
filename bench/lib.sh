# bench/lib.sh: the start the benchmarks here share, sourced first by each:
# they run as root and measure as the rootless test user, with the host
# setup's variables (tests/setup/host-setup.sh, /var/lib/engine-test/env).
#
#   . "$(dirname "$0")/lib.sh"
#
# Sets top (this checkout), user (BENCH_USER, default the test user) and
# reg (the local registry).
# shellcheck shell=bash

[ "$(id -u)" = 0 ] || {
	echo "bench/${0##*/}: run as root (it runs the benchmark as the test user)" >&2
	exit 2
}
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091
. /var/lib/engine-test/env
user=${BENCH_USER:-$ENGINE_TEST_USER}
# shellcheck disable=SC2034 # for the benchmarks
reg=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}

# bench_workdir PREFIX: a new directory of the test user's, its path printed.
# Under /var/tmp: on these machines a file created under /tmp costs ~0.6 ms
# of kernel time against ~20 us elsewhere on the same ext4, which would
# swamp what is measured.
bench_workdir() {
	runuser -u "$user" -- mktemp -d "/var/tmp/$1.XXXXXX"
}

# as_test_user CMD...: CMD as the test user, in its session's runtime
# directory and home.
as_test_user() {
	runuser -u "$user" -- env XDG_RUNTIME_DIR=/run/user/"$(id -u "$user")" HOME="$ENGINE_TEST_HOME" "$@"
}

# bench_cleanup: the end of a benchmark that ran the engine on
# $work/engine-store and $work/engine-run, and Podman on the test user's
# default store: their containers and the engine's store go, then $work.
# shellcheck disable=SC2154 # engine and work: the benchmark's own
bench_cleanup() {
	as_test_user sh -c "cd /; $engine --root $work/engine-store --runroot $work/engine-run rm -af >/dev/null 2>&1;
		$engine --root $work/engine-store --runroot $work/engine-run system reset -f >/dev/null 2>&1;
		podman rm -af -t 0 >/dev/null 2>&1" || true
	rm -rf "$work"
}

# bench_script_start IMAGE...: prints the opening of a benchmark script
# that compares the engine on $work's store and run root ($E) with Podman
# on overlay ($P): it stops at the first failure, removes Podman's
# containers, and pulls each IMAGE into Podman, then into the engine.
# shellcheck disable=SC2154 # engine and work: the benchmark's own
bench_script_start() {
	local img
	cat <<EOS
set -e
P="podman --storage-driver overlay"
E="$engine --root $work/engine-store --runroot $work/engine-run"
\$P rm -af -t 0 >/dev/null
EOS
	for img in "$@"; do
		echo "\$P pull -q --tls-verify=false $img >/dev/null"
	done
	for img in "$@"; do
		echo "\$E pull -q $img >/dev/null"
	done
}

# run_bench_script SCRIPT LOG: bash SCRIPT as the test user (as_test_user),
# in SCRIPT's directory, its output in LOG; the log is shown and the
# benchmark stops if it fails.
run_bench_script() {
	chmod a+r "$1"
	as_test_user env -C "$(dirname "$1")" bash "$1" >"$2" 2>&1 || {
		cat "$2"
		exit 1
	}
}
