#!/usr/bin/env bash
# tests/run.sh: the whole test suite, as CI runs it.  Run as root on a Debian
# 12 machine: `sudo tests/run.sh`.
#
#   1. host setup (packages, test users, registry, test images): idempotent
#   2. build (meson/ninja, warnings are errors) and an ASan/UBSan build
#   3. unit tests (TAP), normal and sanitized
#   4. libFuzzer harnesses, each for a bounded time on its seed corpus
#   5. integration suites (bats) as the rootless test user, as a user
#      without subuid ranges, and as root; the image suite again as the
#      rootless user with each other storage driver (fuse-overlayfs, vfs),
#      since every driver must pass the same suite
#   6. the cgroup v2 tests in a Debian VM with systemd (tests/vm/): this
#      host's cgroups are a v1 hybrid with nothing to delegate
# Every TAP line is counted.  CI stays strict about skips: each skip is
# listed with its reason and counted as skipped, and a skip also counts as a
# failure unless tests/skips-allowed names it (with the reason CI accepts
# it).  The line before the last is "N skipped (N allowed)"; the last line
# is "N passed, N failed", where passed leaves skips out and failed counts
# the skips that are not allowed.
#
# Knobs: ENGINE_TEST_FUZZ_SECONDS (default 20), ENGINE_TEST_SKIP_SETUP=1,
#        ENGINE_TEST_ONLY="unit asan fuzz rootless rootless-fuse rootless-vfs
#        nosub root vm" (a subset)
set -uo pipefail
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "tests/run.sh: run as root (it sets up users and a registry)" >&2; exit 2; }

FUZZ_SECONDS=${ENGINE_TEST_FUZZ_SECONDS:-20}
ONLY=${ENGINE_TEST_ONLY:-unit asan fuzz rootless rootless-fuse rootless-vfs nosub root vm}
LOGDIR=${ENGINE_TEST_LOGDIR:-$top/build/test-logs}
passed=0
failed=0
skipped=0
skipped_allowed=0
SKIPS_ALLOWED=$top/tests/skips-allowed

want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# skip_allowed STREAM LINE: whether tests/skips-allowed accepts this skip.
# Its lines are STREAM-GLOB<TAB>TEST-GLOB<TAB>REASON: STREAM-GLOB matches
# the stream's name as the summary prints it ("integration root", "unit
# test-cgroup", "vm cgroup"), TEST-GLOB the TAP line after "ok N " (the
# test's name and its "# skip reason"); a line without a reason allows
# nothing.  Prints the reason of the line that matched.
skip_allowed() {
	local stream=$1 text=$2 s t why
	text=${text#ok }
	text=${text#"${text%%[!0-9]*}"}
	text=${text# }
	[ -f "$SKIPS_ALLOWED" ] || return 1
	while IFS=$'\t' read -r s t why; do
		case $s in '' | '#'*) continue ;; esac
		[ -n "$t" ] && [ -n "$why" ] || continue
		# shellcheck disable=SC2053 # the fields are globs
		if [[ $stream == $s && $text == $t ]]; then
			printf '%s\n' "$why"
			return 0
		fi
	done <"$SKIPS_ALLOWED"
	return 1
}

# count_tap NAME FILE: add a TAP stream's results to the totals
count_tap() {
	local name=$1 file=$2 p f s a=0 n line why
	p=$(grep -cE '^ok [0-9]+' "$file" | head -1)
	s=$(grep -ciE '^ok [0-9]+.*# skip' "$file" | head -1)
	n=$(grep -cE '^not ok [0-9]+' "$file" | head -1)
	p=$((p - s))
	f=$n
	# Every skip is listed with its reason; one that tests/skips-allowed
	# does not name is a failure too (CI runs where every test can).
	local skips=""
	while IFS= read -r line; do
		if why=$(skip_allowed "$name" "$line"); then
			a=$((a + 1))
			skips+="    $line (allowed: $why)"$'\n'
		else
			f=$((f + 1))
			skips+="    $line (not allowed: counted as a failure)"$'\n'
		fi
	done < <(grep -iE '^ok [0-9]+.*# skip' "$file")
	# A stream that planned more tests than it ran died half-way.
	local plan ran
	plan=$(sed -nE 's/^1\.\.([0-9]+).*/\1/p' "$file" | head -1)
	ran=$((p + s + n))
	if [ -n "$plan" ] && [ "$plan" -gt "$ran" ]; then
		f=$((f + plan - ran))
	fi
	if [ -z "$plan" ] && [ "$ran" = 0 ]; then
		f=$((f + 1)) # ran nothing at all: that is a failure too
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	skipped_allowed=$((skipped_allowed + a))
	if [ "$s" -gt 0 ]; then
		printf '%-28s %4d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
		printf '%s' "$skips"
	else
		printf '%-28s %4d passed, %d failed\n' "$name" "$p" "$f"
	fi
	if [ "$f" -gt $((s - a)) ]; then
		grep -E '^not ok|^#' "$file" | head -60 | sed 's/^/    /'
	fi
}

# one_result NAME RC: a step that is one test (build, a fuzzer run)
one_result() {
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		printf '%-28s    1 passed, 0 failed\n' "$1"
	else
		failed=$((failed + 1))
		printf '%-28s    0 passed, 1 failed (see %s)\n' "$1" "$LOGDIR"
	fi
}

# The suites must never change the host's mounts (a stray mount on "/"
# would even stop user namespaces from being created).
mounts_now() { awk '{ print $5, $9 }' /proc/self/mountinfo | sort | md5sum; }
MOUNTS_BEFORE=$(mounts_now)

finish() {
	if [ "$(mounts_now)" = "$MOUNTS_BEFORE" ]; then
		one_result "host mount table untouched" 0
	else
		one_result "host mount table untouched" 1
		awk '{ print "    " $5, $9 }' /proc/self/mountinfo | tail -5
	fi
	echo "$skipped skipped ($skipped_allowed allowed by tests/skips-allowed)"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}

mkdir -p "$LOGDIR"

# ---------------------------------------------------------------- setup
if [ "${ENGINE_TEST_SKIP_SETUP:-0}" != 1 ]; then
	if ! tests/setup/host-setup.sh >"$LOGDIR/setup.log" 2>&1; then
		tail -20 "$LOGDIR/setup.log"
		one_result "host setup" 1
		finish
	fi
	one_result "host setup" 0
fi
# shellcheck disable=SC1091
. /var/lib/engine-test/env

# ---------------------------------------------------------------- build
build() { # build DIR [meson args...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$LOGDIR/$(basename "$dir")-setup.log" 2>&1 || return 1
	fi
	ninja -C "$dir" >"$LOGDIR/$(basename "$dir")-build.log" 2>&1
}
build build/release -Dbuildtype=release
rc=$?
one_result "build (werror)" $rc
if [ $rc != 0 ]; then
	tail -30 "$LOGDIR/release-build.log" "$LOGDIR/release-setup.log" 2>/dev/null
	finish
fi

# No symbol defined twice across our static libraries: the linker takes the
# first archive's and says nothing, which once bound a one-argument call to
# a two-argument function of the same name.
dups=$(nm -g --defined-only build/release/common/*.a build/release/storage/*.a \
	build/release/netns/*.a build/release/libengine/*.a build/release/cmd/*.a 2>/dev/null |
	awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' | sort | uniq -d)
if [ -z "$dups" ]; then
	one_result "no symbol defined twice" 0
else
	one_result "no symbol defined twice" 1
	echo "$dups" | sed 's/^/    /'
fi

# The test users must be able to execute the binary wherever the checkout is.
BIN=/var/lib/engine-test/bin
install -d -m 0755 "$BIN"
# engine execs engine-image (pull, push, save, load...) from its own directory.
for b in engine-image engine-monitor engine-init engine; do
	install -m 0755 "build/release/cmd/$b" "$BIN/$b.new"
	mv -f "$BIN/$b.new" "$BIN/$b"
done
export ENGINE="$BIN/engine"

run_units() { # run_units BUILDDIR LABEL
	local t
	for t in "$1"/tests/test-*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		"$t" >"$LOGDIR/$2-$(basename "$t").tap" 2>&1
		count_tap "$2 $(basename "$t")" "$LOGDIR/$2-$(basename "$t").tap"
	done
}

if want unit; then
	run_units build/release unit
	# No header declares a function defined in a file of another name.
	python3 tests/lint/headers.py . >"$LOGDIR/lint-headers.tap" 2>&1
	count_tap "lint headers" "$LOGDIR/lint-headers.tap"
fi

if want asan; then
	if build build/asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
		one_result "build (asan,ubsan)" 0
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			run_units build/asan asan
	else
		one_result "build (asan,ubsan)" 1
	fi
fi

if want fuzz; then
	if CC=clang build build/fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Dc_args=-fsanitize=fuzzer-no-link; then
		# The same unit tests built by clang with ASan/UBSan: a second
		# compiler finds what the first lets pass (a stack overflow that
		# only clang's inlining produced was found this way).
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			run_units build/fuzz clang-asan
		for f in build/fuzz/tests/fuzz-*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			name=${f##*/fuzz-}
			corpus=tests/fuzz/corpus/$name
			work=$(mktemp -d)
			[ -d "$corpus" ] && cp -r "$corpus/." "$work/"
			# Crashes land in the log directory, never in the checkout.
			"$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=1024 \
				-artifact_prefix="$LOGDIR/fuzz-$name-" "$work" \
				>"$LOGDIR/fuzz-$name.log" 2>&1
			one_result "fuzz $name (${FUZZ_SECONDS}s)" $?
			rm -rf "$work"
		done
	else
		one_result "build (libFuzzer)" 1
	fi
fi

# ---------------------------------------------------------------- integration
run_bats() { # run_bats LABEL MODE USER SUITES
	local label=$1 mode=$2 user=$3 suites=$4 out="$LOGDIR/bats-$1.tap" files="" filter
	for s in $suites; do files="$files $SUITE_DIR/$s.bats"; done
	# A test that holds in one mode only is tagged so (tests/mode-tags.sh),
	# so that other modes do not count it: neither a pass nor a skip.
	filter=$(tests/mode-tags.sh "$mode")
	if [ "$user" = root ]; then
		# shellcheck disable=SC2086
		(cd /tmp && ENGINE_TEST_MODE=$mode bats --tap --filter-tags "$filter" $files "$SUITE_DIR/setuid.bats") >"$out" 2>&1
	else
		# shellcheck disable=SC2086
		AS_USER_KEEP="ENGINE ENGINE_TEST_MODE ENGINE_TEST_ROOTFS_BUSYBOX ENGINE_STORAGE_DRIVER" \
			ENGINE_TEST_MODE=$mode \
			tests/setup/as-user -u "$user" bats --tap --filter-tags "$filter" $files >"$out" 2>&1
	fi
	count_tap "integration $label" "$out"
}
# The checkout may sit where the test users cannot read (CI clones under
# /root): give them a copy.
SUITE_DIR=/var/lib/engine-test/integration
rm -rf "$SUITE_DIR"
cp -r "$top/tests/integration" "$SUITE_DIR"
chmod -R a+rX "$SUITE_DIR"

# The suites, one per line so that adding one never touches another's line.
SUITES="
run
security
userns
info
images
containers
storage
save-load
push
import-history
login
registries
hostile
exec
files
attach
logs
runopts
volumes
cheatsheet
ps
cgroups
network
escape-exe
escape-tty
escape-helpers
untrusted
records
cp-mounts
keepid
robust-misc
markers
cli-errors
cli-grammar
run-misc
templates
run-record
rm-batch
completion
record-compat
"
# Those whose behaviour depends on the storage driver run once per driver.
DRIVER_SUITES="
images
containers
files
volumes
ps
escape-helpers
records
cp-mounts
keepid
markers
run-misc
rm-batch
record-compat
"
# shellcheck disable=SC2086
SUITES=$(echo $SUITES) DRIVER_SUITES=$(echo $DRIVER_SUITES)
want rootless && run_bats rootless rootless "$ENGINE_TEST_USER" "$SUITES"
# The same suites through the other storage drivers (the default run above
# detects the kernel overlay here).
want rootless-fuse && ENGINE_STORAGE_DRIVER=fuse-overlayfs \
	run_bats rootless-fuse rootless "$ENGINE_TEST_USER" "$DRIVER_SUITES"
want rootless-vfs && ENGINE_STORAGE_DRIVER=vfs run_bats rootless-vfs rootless "$ENGINE_TEST_USER" "$DRIVER_SUITES"
# A user without subordinate ids has only uid 0 inside: the suites about
# the mapping and detection apply to it, the --user ones cannot.
want nosub && run_bats nosub nosub "$ENGINE_TEST_USER_NOSUB" "userns info runopts escape-exe escape-tty untrusted records cp-mounts keepid markers cli-errors cli-grammar run-misc templates run-record rm-batch completion record-compat"
want root && run_bats root root root "$SUITES"

# ---------------------------------------------------------------- vm cgroup
# The image is built once and cached under /var/lib/engine-test/vm (rebuilt
# when tests/vm/image.sh changes); the guest runs tests/vm/cgroup.sh as
# run.sh with the release build's test program and engine beside it.
if want vm; then
	VMDIR=/var/lib/engine-test/vm
	if tests/vm/image.sh "$VMDIR" >"$LOGDIR/vm-image.log" 2>&1; then
		one_result "vm image" 0
		share=$(mktemp -d /var/tmp/engine-vm-share.XXXXXX)
		chmod 0755 "$share"
		install -m 0755 tests/vm/cgroup.sh "$share/run.sh"
		install -m 0755 build/release/tests/vm-cgroup-test build/release/cmd/engine \
			build/release/cmd/engine-image "$share/"
		# the engine's own tests and the benchmark, sourced
		# by cgroup.sh into the same TAP stream.
		install -m 0755 tests/vm/engine.sh bench/cgroups-vm.sh build/release/cmd/engine-monitor \
			build/release/cmd/engine-init "$share/"
		tests/vm/run.sh "$VMDIR" "$share" >"$LOGDIR/vm-cgroup.tap" 2>&1
		count_tap "vm cgroup" "$LOGDIR/vm-cgroup.tap"
		rm -rf "$share"
	else
		one_result "vm image" 1
		tail -20 "$LOGDIR/vm-image.log"
	fi
fi

finish
