#!/usr/bin/env bats
# run-misc.bats: what else a Docker user hit: `run --group-add` (names from
# the container's /etc/group, gids, Podman's keep-groups; exec processes get
# them too), `volume create -o/--opt` as Docker's local driver (a tmpfs at
# each mount, a bind of a host directory, the options' errors), and the
# terminal size that `run -it` and `exec -it` report from the first
# instruction on.  Every mode (rootless, nosub, root); a single-gid user
# namespace cannot set groups, which nosub checks as its clear error.

load helpers

# nosub's warning about its single-id mapping is no error line.
engine_args+=(--log-level error)

PTY="$BATS_TEST_DIRNAME/pty-drive.py"

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

teardown() {
	remove_containers eng
	eng volume prune -f >/dev/null 2>&1 || true
}

# The words of $1, sorted, on one line.
sorted_words() {
	echo "$1" | tr -s ' \r' '\n\n' | grep -v '^$' | sort -n | tr '\n' ' '
}

# expect_volume_error PATTERN CMD...: one line naming the problem, exit 1
# (Docker's daemon refuses these, and its CLI then exits 1).
expect_volume_error() {
	local pattern=$1
	shift
	run --separate-stderr "$@"
	if [ "$status" != 1 ] || [ "${#stderr_lines[@]}" != 1 ] || ! grep -q -- "$pattern" <<<"$stderr"; then
		echo "status $status (want 1), stderr '$stderr', pattern '$pattern'" >&2
		return 1
	fi
}

# ---- --group-add --------------------------------------------------------

@test "--group-add NAME and GID: id -G shows them (nosub: one clear error, 125)" {
	# The image's /etc/group has extra:x:2000.
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		expect_engine_error "maps a single gid" eng run --rm --group-add extra "$IMG" id -G
		return
	fi
	run --separate-stderr eng run --rm --group-add extra --group-add 1234 "$IMG" id -G
	assert_eq "$status" 0
	assert_eq "$(sorted_words "$output")" "0 1234 2000 "
	# A user's own groups from the image stay; the added one joins them.
	run --separate-stderr eng run --rm -u tester --group-add nogroup "$IMG" id -G
	assert_eq "$status" 0
	assert_eq "$(sorted_words "$output")" "1000 2000 65534 "
}

@test "--group-add: recorded, shown as HostConfig.GroupAdd, and exec processes get the groups too" {
	eng create --name ga --group-add extra --group-add 1234 "$IMG" sleep 1000 >/dev/null
	run -0 eng inspect -f '{{json .HostConfig.GroupAdd}}' ga
	assert_eq "$output" '["extra","1234"]'
	eng create --name none "$IMG" true >/dev/null
	run -0 eng inspect -f '{{json .HostConfig.GroupAdd}}' none
	assert_eq "$output" null
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		run eng start ga
		[ "$status" -ne 0 ]
		assert_contains "$output" "maps a single gid"
		return
	fi
	eng start ga >/dev/null
	wait_for eng exec ga true
	run --separate-stderr eng exec ga id -G
	assert_eq "$status" 0
	assert_eq "$(sorted_words "$output")" "0 1234 2000 "
	run --separate-stderr eng exec -u tester ga id -G
	assert_eq "$(sorted_words "$output")" "1000 1234 2000 "
}

@test "--group-add: an unknown group name is one line naming it, exit 125" {
	expect_engine_error "Unable to find group nosuch" eng run --rm --group-add nosuch "$IMG" true
	expect_engine_error "keep-groups cannot be combined" \
		eng run --rm --group-add keep-groups --group-add 5 "$IMG" true
}

@test "--group-add keep-groups: the caller's own supplementary groups, not the image's" {
	host=$(grep '^Groups:' /proc/self/status | wc -w)
	run --separate-stderr eng run --rm --group-add keep-groups "$IMG" grep "^Groups:" /proc/self/status
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | wc -w)" "$host" "words of the Groups: line, inside and out"
	[ "$ENGINE_TEST_MODE" != nosub ] || return 0 # no uid but 0 is mapped there
	# Without keep-groups the image's membership (tester in extra, 2000)
	# is set; with it, not.
	run --separate-stderr eng run --rm -u tester --group-add keep-groups "$IMG" id -G
	assert_eq "$status" 0
	[[ " $output " != *" 2000 "* ]]
	run --separate-stderr eng run --rm -u tester "$IMG" id -G
	[[ " $output " == *" 2000 "* ]]
}

# ---- volume create -o/--opt ----------------------------------------------

@test "volume create -o type=tmpfs: a fresh tmpfs of that size and mode at each mount; inspect shows Options" {
	run -0 eng volume create -d local -o type=tmpfs -o device=tmpfs --opt o=size=64m,mode=1770 tv
	assert_eq "$output" tv
	run -0 eng volume inspect -f '{{.Driver}}' tv
	assert_eq "$output" local
	run -0 eng volume inspect -f '{{json .Options}}' tv
	assert_eq "$(jq -cS . <<<"$output")" '{"device":"tmpfs","o":"size=64m,mode=1770","type":"tmpfs"}'
	run --separate-stderr eng run --rm -v tv:/data "$IMG" sh -c \
		'grep " /data " /proc/mounts; stat -c %a /data; echo x >/data/f; ls /data'
	assert_eq "$status" 0
	assert_eq "$(echo "${lines[0]}" | cut -d' ' -f1,3)" "tmpfs tmpfs"
	assert_contains "${lines[0]}" "size=65536k"
	assert_eq "${lines[1]}" 1770
	assert_eq "${lines[2]}" f
	# --mount too, and the tmpfs is new: nothing of the last run is left.
	run --separate-stderr eng run --rm --mount type=volume,source=tv,target=/m "$IMG" sh -c \
		'grep " /m " /proc/mounts | cut -d" " -f3; ls /m | wc -l'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" tmpfs
	assert_eq "${lines[1]}" 0
}

@test "volume create -o type=none,o=bind,device=DIR: the host directory is what containers see" {
	dir="$BATS_TEST_TMPDIR/hostdir"
	mkdir -p "$dir"
	echo from-host >"$dir/file"
	eng volume create --opt type=none --opt o=bind --opt device="$dir" bv >/dev/null
	run -0 eng volume inspect -f '{{json .Options}}' bv
	assert_eq "$(jq -cS . <<<"$output")" "{\"device\":\"$dir\",\"o\":\"bind\",\"type\":\"none\"}"
	run --separate-stderr eng run --rm -v bv:/data "$IMG" sh -c 'cat /data/file; echo new >/data/made'
	assert_eq "$status" 0
	assert_eq "$output" from-host
	assert_eq "$(cat "$dir/made")" new
	# o=ro: read-only inside.
	eng volume create -o type=none -o o=bind,ro -o device="$dir" bvro >/dev/null
	run eng run --rm --mount type=volume,source=bvro,target=/data "$IMG" sh -c 'echo x >/data/nope'
	[ "$status" -ne 0 ]
	assert_contains "$output" "Read-only file system"
	[ ! -e "$dir/nope" ]
	# A device that is gone by the time a container mounts it: the error
	# names it.
	eng volume create -o type=none -o o=bind -o device="$dir/gone" bvgone >/dev/null
	expect_engine_error "device $dir/gone" eng run --rm -v bvgone:/data "$IMG" true
}

@test "volume create -o: unknown key, missing pair, type=none without bind: one line, exit 1, no volume" {
	expect_volume_error 'invalid option: "foo"' eng volume create -o foo=bar v1
	expect_volume_error 'missing required option: "device"' eng volume create -o type=tmpfs v1
	expect_volume_error 'missing required option: "type"' eng volume create -o o=size=1m -o device=tmpfs v1
	expect_volume_error 'expected KEY=VALUE' eng volume create -o type v1
	expect_volume_error 'type=none needs o=bind' eng volume create -o type=none -o device=/tmp v1
	expect_volume_error 'a bind needs an absolute host path' \
		eng volume create -o type=none -o o=bind -o device=rel v1
	run -0 eng volume ls -q
	assert_eq "$output" ""
}

@test "volume create -o type=nfs, ext4: rootless refuses them at create, naming the type; root tries the mount" {
	if [ "$ENGINE_TEST_MODE" != root ]; then
		expect_volume_error 'type=nfs: a rootless engine cannot mount nfs' \
			eng volume create -o type=nfs -o o=addr=127.0.0.1 -o device=:/export nv
		expect_volume_error 'type=ext4: a rootless engine cannot mount ext4' \
			eng volume create -o type=ext4 -o device=/dev/sda1 ev
		run -0 eng volume ls -q
		assert_eq "$output" ""
		return
	fi
	# Root may mount any file system: the mount happens at run, and its
	# failure says what it tried (no device there: fails at once, where
	# an nfs server that does not answer could keep the test waiting).
	eng volume create -o type=ext4 -o o=ro -o device="$BATS_TEST_TMPDIR/nodev" ev >/dev/null
	expect_engine_error "mount volume ev (type=ext4, device=$BATS_TEST_TMPDIR/nodev)" \
		eng run --rm -v ev:/data "$IMG" true
}

# ---- the terminal size ------------------------------------------------

# pty_size CMD...: CMD's output under a pty of 37 rows and 101 columns.
pty_size() {
	"$PTY" -t 30 bash -c 'stty rows 37 cols 101; exec "$@"' _ "$@" <<<"exit" | tr -d '\r'
}

@test "run -it: stty size inside is the user's terminal size from the start (20 runs)" {
	for i in $(seq 20); do
		out=$(pty_size "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it --rm "$IMG" stty size)
		assert_eq "$out" "37 101" "run $i"
	done
}

@test "exec -it: stty size inside is the user's terminal size from the start (20 runs)" {
	eng run -d --name tty "$IMG" sleep 1000 >/dev/null
	wait_for eng exec tty true
	for i in $(seq 20); do
		out=$(pty_size "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" exec -it tty stty size)
		assert_eq "$out" "37 101" "exec $i"
	done
}
