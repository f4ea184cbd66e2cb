# helpers.bash: shared setup for the integration suites.
#
# ENGINE             the engine binary under test (default: engine on $PATH)
# ENGINE_TEST_MODE   rootless | nosub | root: what the suite may expect of the
#                    id mapping (set by tests/run.sh for each run)
# ENGINE_TEST_ROOTFS_BUSYBOX  the plain busybox rootfs the setup leaves
# ENGINE_STORAGE_DRIVER  overlay | fuse-overlayfs | vfs: when set, the
#                    engine calls below pass it as --storage-driver (tests/run.sh
#                    runs the image suite once per driver)

ENGINE=${ENGINE:-engine}
engine_args=()
if [ -n "${ENGINE_STORAGE_DRIVER:-}" ]; then
	engine_args=(--storage-driver "$ENGINE_STORAGE_DRIVER")
fi
ENGINE_TEST_MODE=${ENGINE_TEST_MODE:-rootless}
ROOTFS_SRC=${ENGINE_TEST_ROOTFS_BUSYBOX:-/var/lib/engine-test/rootfs/busybox}

# A private copy of the rootfs per test file: tests write into it.
setup_rootfs() {
	ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	if [ ! -d "$ROOTFS" ]; then
		cp -a "$ROOTFS_SRC" "$ROOTFS"
	fi
	export ROOTFS
}

# Files created by container uids other than 0 belong to subordinate ids on
# the host: only a container can remove them again.
cleanup_rootfs() {
	if [ -n "${ROOTFS:-}" ] && [ -d "$ROOTFS" ]; then
		"$ENGINE" run --rootfs "$ROOTFS" sh -c 'rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null; true' || true
	fi
}

erun() {
	"$ENGINE" "${engine_args[@]}" run --rootfs "$ROOTFS" "$@"
}

# assert_eq GOT WANT [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: got '$1', want '$2'" >&2
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*)
		echo "expected to find '$2' in: $1" >&2
		return 1
		;;
	esac
}

# A listing of the rootfs that changes when anything in it does.
rootfs_fingerprint() {
	find "$1" -printf '%p %m %u %g %s %T@\n' 2>/dev/null | sort | md5sum
}

# Exactly one line on stderr, exit 125: the contract for bad input.
# Usage: expect_engine_error PATTERN CMD...
expect_engine_error() {
	local pattern=$1
	shift
	local errf="$BATS_TEST_TMPDIR/stderr"
	set +e
	"$@" >"$BATS_TEST_TMPDIR/stdout" 2>"$errf"
	local rc=$?
	set -e
	local lines
	lines=$(wc -l <"$errf")
	if [ "$rc" != 125 ] || [ "$lines" != 1 ] || ! grep -q -- "$pattern" "$errf"; then
		echo "rc=$rc (want 125), $lines stderr lines (want 1), pattern '$pattern'" >&2
		cat "$errf" >&2
		return 1
	fi
}

# ---- a private store per test file -------------------------------------
# Files that run containers set ENGINE_ROOT="$BATS_FILE_TMPDIR/store" in
# setup_file and call store_teardown from teardown_file.

eng() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" "$@"
}

# Whatever a failed test left running goes, then volumes and images.  A
# file with a run root of its own exports it as ENGINE_RUNROOT: its
# containers' run state lives there.
store_teardown() {
	local rr=()
	[ -z "${ENGINE_RUNROOT:-}" ] || rr=(--runroot "$ENGINE_RUNROOT")
	for c in $("$ENGINE" --root "$ENGINE_ROOT" "${rr[@]}" ps -aq --no-trunc 2>/dev/null); do
		"$ENGINE" --root "$ENGINE_ROOT" "${rr[@]}" rm -f "$c" >/dev/null 2>&1 || true
	done
	"$ENGINE" --root "$ENGINE_ROOT" volume prune -f >/dev/null 2>&1 || true
	for i in $("$ENGINE" --root "$ENGINE_ROOT" images -q 2>/dev/null); do
		"$ENGINE" --root "$ENGINE_ROOT" rmi -f "$i" >/dev/null 2>&1 || true
	done
}

# wait_for CMD...: up to 10 s for CMD to succeed (never a timing assertion:
# it only bounds how long a test waits for what must happen).
wait_for() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}
