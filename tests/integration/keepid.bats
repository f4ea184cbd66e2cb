#!/usr/bin/env bats
# keepid.bats: --userns=keep-id with images.  The user's uid and gid are
# themselves inside, container 0 is a subordinate id, and the image's files
# keep exactly the owners the image gives them (root's stay root's, uid
# 1000's stay 1000's), whatever the storage driver (ENGINE_STORAGE_DRIVER:
# overlay records the container as fuse-overlayfs, fuse-overlayfs maps
# owners as it reads, vfs makes a copy with owners moved).  Modes:
# rootless (everything), nosub (the user alone is mapped: every file is the
# user's, as the store holds them), root (refused, as Podman does).

load helpers

BUSYBOX="$REG/busybox:latest"
LAYERED="$REG/layered:latest"
DEBIAN="$REG/debian:bookworm"

setup_file() {
	store_setup "$BUSYBOX" "$LAYERED"
}

teardown_file() {
	store_teardown
}

only_rootless() {
	case "$ENGINE_TEST_MODE" in
	root)
		expect_engine_error "keep-id is only supported in rootless mode" \
			eng run --rm --userns=keep-id "$BUSYBOX" true
		return 1
		;;
	esac
	return 0
}

@test "keep-id busybox: /bin/busybox is root's, the process is the user" {
	only_rootless || return 0
	uid=$(id -u) gid=$(id -g)
	run --separate-stderr eng run --rm --userns=keep-id "$BUSYBOX" sh -c 'stat -c %u:%g /bin/busybox; id -u; id -g'
	assert_eq "$status" 0
	assert_eq "${lines[1]}" "$uid"
	assert_eq "${lines[2]}" "$gid"
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		# Only the user is mapped, and the store holds every file as the
		# user (a single-id namespace cannot chown): the user's inside.
		assert_eq "${lines[0]}" "$uid:$gid"
		return
	fi
	assert_eq "${lines[0]}" "0:0"
}

@test "keep-id layered: every owner and mode exactly the image's (1000, setuid root, nobody)" {
	only_rootless || return 0
	files='/ /bin/busybox /etc /etc/passwd /data /data/b /data/c /data/c-hardlink /data/dir /data/fifo /data/suid-file /data/owned-1000 /data/nobody-dir'
	run --separate-stderr eng run --rm --userns=keep-id "$LAYERED" stat -c '%u:%g %a %n' $files
	assert_eq "$status" 0
	keep=$output
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		# No subordinate ids: the store holds every file as the user.
		assert_eq "$(echo "$keep" | cut -d' ' -f1 | sort -u)" "$(id -u):$(id -g)"
		return
	fi
	assert_contains "$keep" "0:0 755 /bin/busybox"
	assert_contains "$keep" "0:0 4755 /data/suid-file"
	assert_contains "$keep" "1000:1000 644 /data/owned-1000"
	assert_contains "$keep" "65534:65534 750 /data/nobody-dir"
	assert_contains "$keep" "0:0 644 /data/c-hardlink"
	# The same listing as under the default mapping, which shows the
	# image's owners as the layers were unpacked.
	run --separate-stderr eng run --rm "$LAYERED" stat -c '%u:%g %a %n' $files
	assert_eq "$status" 0
	assert_eq "$keep" "$output"
	# The setuid-root file is root's: the user cannot rewrite it.
	run --separate-stderr eng run --rm --userns=keep-id "$LAYERED" sh -c 'echo x >>/data/suid-file'
	assert_eq "$status" 1
	assert_contains "$stderr" "Permission denied"
}

@test "keep-id debian: the user cannot write /etc/shadow (0:42) or /bin" {
	only_rootless || return 0
	eng pull -q "$DEBIAN" >/dev/null
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		# No subordinate ids, no other owner: the user's, as the store
		# holds it (docs/architecture.md says so).
		run --separate-stderr eng run --rm --userns=keep-id "$DEBIAN" stat -c %u:%g /etc/shadow
		assert_eq "$output" "$(id -u):$(id -g)"
		return
	fi
	run --separate-stderr eng run --rm --userns=keep-id "$DEBIAN" sh -c \
		'stat -c "%u:%g %a" /etc/shadow /bin/ls; id -u
		 if echo "x::0:0::/:/bin/sh" >>/etc/shadow; then echo wrote-shadow; fi
		 if touch /bin/planted; then echo wrote-bin; fi
		 if echo >>/bin/ls; then echo wrote-ls; fi
		 true'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "0:42 640"
	assert_eq "${lines[1]}" "0:0 755"
	assert_eq "${lines[2]}" "$(id -u)"
	[[ "$output" != *wrote-* ]] || { echo "$output"; false; }
	assert_eq "${#lines[@]}" 3
	# root inside (a subordinate id) still owns them and may write them.
	run --separate-stderr eng run --rm --userns=keep-id -u 0 "$DEBIAN" sh -c 'echo >>/etc/shadow && id -u'
	assert_eq "$status" 0
	assert_eq "$output" 0
}

@test "keep-id -v: a host directory of the user is the user's inside, new files the user's outside" {
	only_rootless || return 0
	dir="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$dir"
	echo host >"$dir/from-host"
	uid=$(id -u) gid=$(id -g)
	run --separate-stderr eng run --rm --userns=keep-id -v "$dir:/shared" "$BUSYBOX" \
		sh -c 'stat -c %u:%g /shared /shared/from-host; echo c >/shared/from-ctr; mkdir /shared/d'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "$uid:$gid"
	assert_eq "${lines[1]}" "$uid:$gid"
	assert_eq "$(stat -c %u:%g "$dir/from-ctr" "$dir/d" | sort -u)" "$uid:$gid"
	rm -r "$dir"
}

@test "keep-id exec: into a --user=UID --userns=keep-id container, as the user and as root" {
	only_rootless || return 0
	uid=$(id -u) gid=$(id -g)
	id=$(eng run -d --user="$uid" --userns=keep-id "$BUSYBOX" sleep 100)
	run --separate-stderr eng exec "$id" sh -c 'id -u; id -g; stat -c %u /bin/busybox'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "$uid"
	assert_eq "${lines[1]}" "$gid"
	if [ "$ENGINE_TEST_MODE" = rootless ]; then
		assert_eq "${lines[2]}" 0
		run --separate-stderr eng exec -u 0 "$id" id -u
		assert_eq "$status" 0
		assert_eq "$output" 0
		run --separate-stderr eng exec "$id" sh -c 'echo >>/bin/busybox'
		assert_eq "$status" 1
	fi
	eng rm -f "$id" >/dev/null
}

@test "keep-id: a stopped container starts again with the same owners" {
	only_rootless || return 0
	id=$(eng create --userns=keep-id "$LAYERED" stat -c %u:%g /data/owned-1000 /bin/busybox)
	eng start -a "$id" >"$BATS_TEST_TMPDIR/first"
	eng start -a "$id" >"$BATS_TEST_TMPDIR/second"
	want=$(printf '1000:1000\n0:0')
	[ "$ENGINE_TEST_MODE" = rootless ] || want=$(printf '%s\n%s' "$(id -u):$(id -g)" "$(id -u):$(id -g)")
	assert_eq "$(cat "$BATS_TEST_TMPDIR/first")" "$want"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/second")" "$want"
	eng rm "$id" >/dev/null
}
