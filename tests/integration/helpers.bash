# helpers.bash: shared setup for the integration suites.
#
# ENGINE             the engine binary under test (default: engine on $PATH)
# ENGINE_TEST_MODE   rootless | nosub | root: what the suite may expect of the
#                    id mapping (set by tests/run.sh for each run)
# ENGINE_TEST_ROOTFS_BUSYBOX  the plain busybox rootfs the setup leaves
# ENGINE_STORAGE_DRIVER  overlay | fuse-overlayfs | vfs: when set, the
#                    engine calls below pass it as --storage-driver (tests/run.sh
#                    runs the image suite once per driver)

# The suites use bats 1.5's run flags (-0, --separate-stderr, !).
bats_require_minimum_version 1.5.0

ENGINE=${ENGINE:-engine}
engine_args=()
if [ -n "${ENGINE_STORAGE_DRIVER:-}" ]; then
	engine_args=(--storage-driver "$ENGINE_STORAGE_DRIVER")
fi
ENGINE_TEST_MODE=${ENGINE_TEST_MODE:-rootless}
ROOTFS_SRC=${ENGINE_TEST_ROOTFS_BUSYBOX:-/var/lib/engine-test/rootfs/busybox}

# The local registry the host setup fills, the busybox image most suites
# run, and that image's ID (the same bytes on every run, so a fixed value).
REG=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}
IMG="$REG/busybox:latest"
BUSYBOX_ID=1bdef5d4e5f70968b5ddbf4a4e61ff22a746f63fb501f91751875a27d71dd2c3

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

# rootfs_suite: the setup of a file whose tests run `engine run --rootfs`
# on a private copy of the rootfs: copied once for the file (setup_rootfs),
# ROOTFS set again in each test's own process, what container uids left in
# it removed at the end.
rootfs_suite() {
	setup_file() { setup_rootfs; }
	teardown_file() { cleanup_rootfs; }
	setup() { setup_rootfs; }
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
# Files that run containers call store_setup from setup_file (or set
# ENGINE_ROOT="$BATS_FILE_TMPDIR/store" themselves) and store_teardown
# from teardown_file.

# eng ARGS...: the engine on this file's store, and on its run root where
# the file exports one of its own as ENGINE_RUNROOT.
eng() {
	if [ -n "${ENGINE_RUNROOT:-}" ]; then
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@"
	else
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" "$@"
	fi
}

# store_setup [--runroot] [IMAGE...]: this file's own store, exported as
# ENGINE_ROOT, with IMAGEs pulled into it.  --runroot: a run root of its
# own too (ENGINE_RUNROOT), so that the processes and sockets the file
# looks for are its own, whatever else runs on the machine.
store_setup() {
	local rr=() img
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	if [ "${1:-}" = --runroot ]; then
		shift
		export ENGINE_RUNROOT="$BATS_FILE_TMPDIR/run"
	fi
	[ -z "${ENGINE_RUNROOT:-}" ] || rr=(--runroot "$ENGINE_RUNROOT")
	for img in "$@"; do
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" "${rr[@]}" pull -q "$img" >/dev/null
	done
}

# image_store_suite: the setup of a file that works on images alone, in
# a store of its own: ENGINE_ROOT set for the file, its images removed at
# the end, and eng the engine on that store with no other option (not the
# storage driver either: these files do not vary with it).
image_store_suite() {
	setup_file() { export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"; }
	teardown_file() { remove_images "$ENGINE_ROOT"; }
	eng() { "$ENGINE" --root "$ENGINE_ROOT" "$@"; }
}

# container_batch_suite [--volumes]: the setup of a file whose tests leave
# many containers: a store and run root of its own with $IMG pulled, reset
# at the end; each test starts with no container (and, with --volumes, no
# volume either): its teardown removes them.
container_batch_suite() {
	batch_suite_volumes=${1:-}
	setup_file() { store_setup --runroot "$IMG"; }
	teardown_file() { store_reset; }
	teardown() {
		eng rm -af >/dev/null 2>&1 || true
		if [ "$batch_suite_volumes" = --volumes ]; then
			eng volume prune -f >/dev/null 2>&1 || true
		fi
	}
}

# remove_containers ENGINE-COMMAND...: every container that ENGINE-COMMAND
# (eng, or the engine with the options of a store) lists goes.
remove_containers() {
	local c
	for c in $("$@" ps -aq --no-trunc 2>/dev/null); do
		"$@" rm -f "$c" >/dev/null 2>&1 || true
	done
}

# remove_images STORE...: every image of each store goes.
remove_images() {
	local root i
	for root in "$@"; do
		for i in $("$ENGINE" --root "$root" images -q 2>/dev/null); do
			"$ENGINE" --root "$root" rmi -f "$i" >/dev/null 2>&1 || true
		done
	done
}

# Whatever a failed test left running goes, then volumes and images.  A
# file with a run root of its own exports it as ENGINE_RUNROOT: its
# containers' run state lives there.
store_teardown() {
	local rr=()
	[ -z "${ENGINE_RUNROOT:-}" ] || rr=(--runroot "$ENGINE_RUNROOT")
	remove_containers "$ENGINE" --root "$ENGINE_ROOT" "${rr[@]}"
	"$ENGINE" --root "$ENGINE_ROOT" volume prune -f >/dev/null 2>&1 || true
	remove_images "$ENGINE_ROOT"
}

# store_reset: the store and run root go at once (rm -af, system reset),
# for a file whose tests leave many containers.
store_reset() {
	"$ENGINE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af >/dev/null 2>&1 || true
	"$ENGINE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" system reset -f >/dev/null 2>&1 || true
}

# expect_exact_error MESSAGE CMD...: CMD fails with exit status 125 and
# stderr exactly "Error: MESSAGE", on one line.
expect_exact_error() {
	local want=$1
	shift
	run --separate-stderr "$@"
	assert_eq "$status" 125
	assert_eq "$stderr" "Error: $want"
}

# ---- the local registry -------------------------------------------------

# manifest_digest REPO TAG: the digest of the manifest the registry serves
# for REPO:TAG (OCI or Docker schema 2).
manifest_digest() {
	curl --noproxy '*' -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REG/v2/$1/manifests/$2" |
		awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r'
}

# registry_untag REPO TAG: takes back what a test pushed (the registry has
# deletes on): the manifest of REPO:TAG and the blob links it made in REPO.
# Unique blobs stay until the registry's garbage collection: a few bytes.
registry_untag() {
	local d m b
	d=$(manifest_digest "$1" "$2" 2>/dev/null || true)
	[ -n "$d" ] || return 0
	m=$(curl --noproxy '*' -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REG/v2/$1/manifests/$d" 2>/dev/null || true)
	for b in $(echo "$m" | jq -r '.config.digest, .layers[].digest' 2>/dev/null); do
		curl --noproxy '*' -fsS -X DELETE "http://$REG/v2/$1/blobs/$b" >/dev/null 2>&1 || true
	done
	curl --noproxy '*' -fsS -X DELETE "http://$REG/v2/$1/manifests/$d" >/dev/null 2>&1 || true
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
