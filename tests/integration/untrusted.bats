#!/usr/bin/env bats
# untrusted.bats: what the engine reads back must be the user's own or be
# refused.  A run directory another user made or can write (the
# $TMPDIR/engine-UID fallback without XDG_RUNTIME_DIR), a seccomp cache
# that was tampered with, and hostile images built here with python3's
# tarfile: /etc/passwd a FIFO, /data -> / with a volume on /data, /dev a
# symlink to a file.  Each is refused with one line (exit 125) or made
# harmless; nothing hangs, nothing is left half done.

load helpers

# Without subordinate ids (nosub) every run warns about its single-id
# mapping: a second stderr line these tests, counting lines, do not want.
engine_args+=(--log-level error)

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	# The hostile images: the busybox rootfs with one entry replaced.
	mkimage() {
		local name=$1 kind=$2 arg=${3:-}
		python3 - "$ROOTFS_SRC" "$BATS_FILE_TMPDIR/$name.tar" "$kind" "$arg" <<'EOF'
import sys, tarfile
src, out, kind, arg = sys.argv[1:5]
replaced = {'fifo-passwd': './etc/passwd', 'dev-symlink': './dev', 'data-root': './data'}[kind]
def keep(ti):
    if ti.name == replaced or ti.name.startswith(replaced + '/'):
        return None
    return ti
with tarfile.open(out, 'w') as t:
    t.add(src, arcname='.', filter=keep)
    ti = tarfile.TarInfo(replaced)
    if kind == 'fifo-passwd':
        ti.type, ti.mode = tarfile.FIFOTYPE, 0o644
    else:
        ti.type, ti.linkname = tarfile.SYMTYPE, arg
    t.addfile(ti)
EOF
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" import "$BATS_FILE_TMPDIR/$name.tar" "$name" >/dev/null
	}
	mkimage fifo-passwd fifo-passwd
	mkimage dev-file dev-symlink /etc/motd
	mkimage data-root data-root /
}

teardown_file() {
	store_teardown
}

teardown() {
	remove_containers eng
	eng volume prune -f >/dev/null 2>&1 || true
	cleanup_shared_tmp
}

# ---- the run directory: $TMPDIR/engine-UID -------------------------------

# A /tmp of the test's own (sticky, world-writable, as /tmp is): the
# fallback is $TMPDIR/engine-UID, so no other test or user's real
# /tmp/engine-UID is touched.
shared_tmp() {
	SHARED_TMP=$(mktemp -d /tmp/engine-untrusted.XXXXXX)
	chmod 1777 "$SHARED_TMP"
}

# The victim: the test user itself when rootless; in the root suite, the
# test user with subordinate ids (runuser), the other test user being the
# attacker.  No XDG_RUNTIME_DIR, so the engine falls back to $TMPDIR.
victim_uid() {
	if [ "$ENGINE_TEST_MODE" = root ]; then
		id -u "$(test_env ENGINE_TEST_USER)"
	else
		id -u
	fi
}

test_env() {
	(. /var/lib/engine-test/env && eval "echo \"\${$1}\"")
}

as_victim() {
	as_victim_env -u XDG_RUNTIME_DIR "$@"
}

# as_victim_env [ENV ARGS...] ENGINE ARGS...: the first arguments that are
# env's (-u NAME, NAME=VALUE) go to env.
as_victim_env() {
	local unset=() envargs=(TMPDIR="$SHARED_TMP")
	while [ $# -gt 0 ]; do
		case $1 in
		-u) unset+=(-u "$2"); shift 2 ;;
		*=*) envargs+=("$1"); shift ;;
		*) break ;;
		esac
	done
	envargs=("${unset[@]}" "${envargs[@]}")
	local store="$SHARED_TMP/store-victim"
	if [ "$ENGINE_TEST_MODE" = root ]; then
		runuser -u "$(test_env ENGINE_TEST_USER)" -- env "${envargs[@]}" HOME=/nonexistent \
			"$ENGINE" "${engine_args[@]}" --root "$store" "$@"
	else
		env "${envargs[@]}" "$ENGINE" "${engine_args[@]}" --root "$store" "$@"
	fi
}

# From teardown too: a failed test leaves nothing in /tmp.
cleanup_shared_tmp() {
	if [ -n "${SHARED_TMP:-}" ] && [ -d "$SHARED_TMP" ]; then
		as_victim system reset -f >/dev/null 2>&1 || true
		rm -rf "$SHARED_TMP" 2>/dev/null || true
	fi
}

@test "run directory: a pre-made \$TMPDIR/engine-UID of mode 0777 is refused, nothing written" {
	shared_tmp
	dir="$SHARED_TMP/engine-$(victim_uid)"
	mkdir "$dir"
	chmod 0777 "$dir"
	[ "$ENGINE_TEST_MODE" != root ] || chown "$(victim_uid)" "$dir"
	expect_engine_error "run directory $dir has mode 0777, not 0700: refused" \
		as_victim run --rm --rootfs "$ROOTFS_SRC" true
	assert_eq "$(ls -A "$dir")" "" "nothing written into $dir"
	# Made by the engine itself, it is the user's, 0700, and used.
	rmdir "$dir"
	run as_victim run --rm --rootfs "$ROOTFS_SRC" echo ok
	assert_eq "$status" 0
	assert_eq "$output" ok
	assert_eq "$(stat -c '%a %u' "$dir")" "700 $(victim_uid)"
	cleanup_shared_tmp
}

@test "run directory: a symlink at \$TMPDIR/engine-UID is refused, nothing written" {
	shared_tmp
	dir="$SHARED_TMP/engine-$(victim_uid)"
	mkdir -m 0700 "$SHARED_TMP/elsewhere"
	[ "$ENGINE_TEST_MODE" != root ] || chown "$(victim_uid)" "$SHARED_TMP/elsewhere"
	ln -s elsewhere "$dir"
	expect_engine_error "run directory $dir is a symbolic link: refused" \
		as_victim run --rm --rootfs "$ROOTFS_SRC" true
	assert_eq "$(ls -A "$SHARED_TMP/elsewhere")" "" "nothing written through the link"
	cleanup_shared_tmp
}

# In the root suite the engine runs as the test user (runuser) and the
# other test user is the attacker: a run directory of theirs is refused
# whatever its mode.
@test "run directory: \$TMPDIR/engine-UID made by another user is refused, nothing written" {
	shared_tmp
	if [ "$ENGINE_TEST_MODE" = root ]; then
		attacker=$(test_env ENGINE_TEST_USER_NOSUB)
		dir="$SHARED_TMP/engine-$(victim_uid)"
		for mode in 0700 0777; do
			runuser -u "$attacker" -- mkdir -m "$mode" "$dir"
			runuser -u "$attacker" -- chmod "$mode" "$dir"
			expect_engine_error "run directory $dir is owned by uid $(id -u "$attacker"), not by you" \
				as_victim run --rm --rootfs "$ROOTFS_SRC" true
			assert_eq "$(ls -A "$dir")" "" "nothing written into $dir ($mode)"
			rmdir "$dir"
		done
	else
		# Without a second user to make one, the same check on a
		# directory of root's.
		expect_engine_error "run directory /var/tmp is owned by uid 0, not by you" \
			as_victim --runroot /var/tmp run --rm --rootfs "$ROOTFS_SRC" true
		[ ! -e /var/tmp/seccomp ] && [ ! -e /var/tmp/containers ]
	fi
	cleanup_shared_tmp
}

@test "run directory: XDG_RUNTIME_DIR/engine and --runroot writable by others are refused" {
	shared_tmp
	mkdir -m 0700 "$SHARED_TMP/xdg" "$SHARED_TMP/runroot"
	mkdir "$SHARED_TMP/xdg/engine"
	chmod 0777 "$SHARED_TMP/xdg/engine" "$SHARED_TMP/runroot"
	[ "$ENGINE_TEST_MODE" != root ] || chown -R "$(victim_uid)" "$SHARED_TMP/xdg" "$SHARED_TMP/runroot"
	expect_engine_error "run directory $SHARED_TMP/runroot has mode 0777, writable by other users: refused" \
		as_victim --runroot "$SHARED_TMP/runroot" run --rm --rootfs "$ROOTFS_SRC" true
	assert_eq "$(ls -A "$SHARED_TMP/runroot")" "" "nothing written into --runroot"
	expect_engine_error "run directory $SHARED_TMP/xdg/engine has mode 0777, writable by other users: refused" \
		as_victim_env XDG_RUNTIME_DIR="$SHARED_TMP/xdg" run --rm --rootfs "$ROOTFS_SRC" true
	assert_eq "$(ls -A "$SHARED_TMP/xdg/engine")" "" "nothing written into XDG_RUNTIME_DIR/engine"
	cleanup_shared_tmp
}

# ---- the seccomp cache -----------------------------------------------------

# A filter of one instruction: SECCOMP_RET_ALLOW for every syscall.
ALLOW_ALL='\x06\x00\x00\x00\x00\x00\xff\x7f'

# unshare(CLONE_NEWUSER) is refused by the default profile: the proof that
# the real filter, not a planted one, confines the container.
unshare_in_container() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$RUNROOT" run --rm \
		--rootfs "$ROOTFS_SRC" unshare -U true
}

@test "seccomp cache: a tampered filter is compiled again, never loaded" {
	RUNROOT="$BATS_TEST_TMPDIR/run"
	run unshare_in_container
	assert_eq "$status" 1 "unshare -U under the default profile"
	assert_contains "$output" "Operation not permitted"
	files=("$RUNROOT"/seccomp/*.bpf)
	[ -f "${files[0]}" ] || { echo "no seccomp cache in $RUNROOT/seccomp"; false; }
	# Bytes changed: an allow-all program in place of the file.
	for f in "${files[@]}"; do printf "$ALLOW_ALL" >"$f"; done
	run unshare_in_container
	assert_eq "$status" 1 "unshare -U after the cache was replaced by an allow-all filter"
	# Bytes changed behind a header: the program no longer matches its
	# checksum.
	for f in "${files[@]}"; do
		head -c 94 "$f" >"$f.new"
		printf "$ALLOW_ALL" >>"$f.new"
		mv "$f.new" "$f"
	done
	run unshare_in_container
	assert_eq "$status" 1 "unshare -U after the program behind the header was replaced"
}

@test "seccomp cache: a planted filter (another owner, or writable by others) is not loaded" {
	RUNROOT="$BATS_TEST_TMPDIR/run"
	run unshare_in_container
	assert_eq "$status" 1
	# Planted files: writable by others (rootless), or another user's
	# (root).  First the raw program the cache once held, then one with a
	# valid header and checksum: only the owner and mode give it away.
	for form in raw header; do
		for f in "$RUNROOT"/seccomp/*.bpf; do
			python3 - "$f" "$form" <<'EOF'
import hashlib, sys
prog = bytes([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f])
head = b'engine-seccomp-bpf-v2 sha256:' + hashlib.sha256(prog).hexdigest().encode() + b'\n'
with open(sys.argv[1], 'wb') as out:
    out.write((head if sys.argv[2] == 'header' else b'') + prog)
EOF
			if [ "$ENGINE_TEST_MODE" = root ]; then
				chown 65534:65534 "$f"
				chmod 0600 "$f"
			else
				chmod 0666 "$f"
			fi
		done
		run unshare_in_container
		assert_eq "$status" 1 "unshare -U with a planted filter ($form)"
		assert_contains "$output" "Operation not permitted"
	done
}

# ---- hostile images ------------------------------------------------------

@test "--user with /etc/passwd a FIFO fails at once with one line, run and exec" {
	expect_engine_error "container /etc/passwd: etc/passwd: not a regular file" \
		timeout -s KILL 30 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --rm \
		--network none --user nobody fifo-passwd id
	# A container that makes its /etc/passwd a FIFO while it runs.
	id=$(eng run -d --network none data-root sleep 300)
	eng exec "$id" sh -c 'rm -f /etc/passwd && mkfifo /etc/passwd'
	expect_engine_error "not a regular file" \
		timeout -s KILL 30 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" exec -u nobody "$id" id
}

@test "an image whose /dev is a symlink to a file: the mount setup's own error, any network" {
	# The default network (slirp4netns, started once the child exists;
	# the child's exit racing slirp4netns's start, so several runs), then
	# none.
	for net in "" "" "" "" "" "" "" "" --network=none; do
		expect_engine_error "mount tmpfs on /dev: Not a directory" \
			timeout -s KILL 60 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --rm \
			$net dev-file true
	done
}

@test "a volume on /data -> /: refused, the volume stays empty (no copy of the live root)" {
	expect_engine_error "mount point /data resolves to the container's root (a symlink in the image): refused" \
		timeout -s KILL 60 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --rm \
		--network none -v rootvol:/data data-root true
	# A bind on the same target is refused the same way: nothing is
	# mounted over the container's root.
	expect_engine_error "resolves to the container's root" \
		eng run --rm --network none -v "$BATS_TEST_TMPDIR:/data" data-root true
	run eng run --rm --network none -v rootvol:/v data-root ls -A /v
	assert_eq "$status" 0
	assert_eq "$output" "" "the volume is empty"
}
