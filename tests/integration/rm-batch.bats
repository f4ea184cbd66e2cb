#!/usr/bin/env bats
# rm-batch.bats: removing many containers in one command (rm -af, rm of
# many names, rm -v, container prune, system prune): everything of each
# goes (record, name, run directory, image claim, anonymous volumes with
# -v), each failure is its own, the output keeps Docker's order, and the
# whole command creates ONE user namespace (rootless), not one per
# container.

load helpers

# Every test starts with no container and no volume.
container_batch_suite --volumes

# traced CMD...: run `engine CMD` under strace into $output/$status (stderr
# in $BATS_TEST_TMPDIR/err), counting in $userns the user namespaces it
# created (each helper is a clone of the engine process itself).  Its
# children are not traced: a traced exec of the setuid newuidmap would
# lose its privilege.
traced() {
	local trace="$BATS_TEST_TMPDIR/trace"
	set +e
	output=$(strace -qq -e trace=clone,clone3 -o "$trace" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@" \
		2>"$BATS_TEST_TMPDIR/err")
	status=$?
	set -e
	userns=$(grep -c CLONE_NEWUSER "$trace" || true)
}

# How many user namespaces one command should create: one for the lot, or
# none as root (who needs none to remove files of any id).
want_userns() {
	if [ "$ENGINE_TEST_MODE" = root ]; then echo 0; else echo 1; fi
}

# Nothing of any container left: no record, no name, no run directory.
assert_store_empty() {
	run -0 eng ps -aq
	assert_eq "$output" "" "ps -aq"
	assert_eq "$(ls -A "$ENGINE_ROOT/containers")" "" "containers/"
	assert_eq "$(ls -A "$ENGINE_ROOT/container-names" 2>/dev/null)" "" "container-names/"
	assert_eq "$(ls -A "$ENGINE_RUNROOT/containers" 2>/dev/null)" "" "run root containers/"
}

@test "rm -af of 200 containers (running, named, with volumes): all gone in one user namespace, volumes kept" {
	command -v strace >/dev/null || skip "strace is not installed (tests/setup/host-setup.sh installs it)"
	for i in $(seq 1 197); do
		args=(--network none)
		[ $((i % 10)) != 0 ] || args+=(--name "c$i")
		[ $((i % 25)) != 0 ] || args+=(-v /anon)
		[ "$i" != 50 ] || args+=(-v keep:/data)
		eng create "${args[@]}" "$IMG" true >/dev/null
	done
	eng run -d --name run1 "$IMG" sleep 731101 >/dev/null
	eng run -d --network none -v /anon "$IMG" sleep 731102 >/dev/null
	# Files of a subordinate id in a writable layer (where there are
	# subordinate ids): only the helper may remove them.
	eng run -d --name run3 "$IMG" sh -c 'mkdir -p /home/x; touch /home/x/f; chown -R 1234:1234 /home/x 2>/dev/null; sleep 731103' >/dev/null
	wait_for eng exec run3 test -e /home/x/f
	run -0 eng ps -aq --no-trunc
	want=$output
	assert_eq "$(echo "$want" | wc -l)" 200 "containers created"
	vols_before=$(eng volume ls -q | sort)

	traced rm -af
	assert_eq "$status" 0 "rm -af exit status ($(cat "$BATS_TEST_TMPDIR/err"))"
	# Podman's rm -a: each full ID, in ps -a's order.
	assert_eq "$output" "$want" "rm -af output"
	assert_eq "$userns" "$(want_userns)" "user namespaces created"
	assert_store_empty
	# Without -v every volume stays, the named one and the anonymous ones.
	assert_eq "$(eng volume ls -q | sort)" "$vols_before" "volumes"
	assert_eq "$(echo "$vols_before" | wc -l)" 9 "volumes (8 anonymous, keep)"
	# The running ones were killed, not left behind.
	run pgrep -f 'sleep 73110[123]'
	assert_eq "$output" "" "processes left"
}

@test "rm of named containers with a running one in the middle: its error, exit 1, the others go, in the order given" {
	command -v strace >/dev/null || skip "strace is not installed (tests/setup/host-setup.sh installs it)"
	for n in a b c d e; do eng create --name "$n" "$IMG" true >/dev/null; done
	eng run -d --name mid "$IMG" sleep 731104 >/dev/null
	id_c=$(eng inspect -f '{{.Id}}' c)
	# c by its full ID, e twice: the second finds it gone.
	traced rm b mid "$id_c" a nosuch e d e
	assert_eq "$status" 1 "rm exit status"
	assert_eq "$output" "$(printf '%s\n' b "$id_c" a e d)" "rm output"
	err=$(cat "$BATS_TEST_TMPDIR/err")
	assert_contains "$err" 'cannot remove container "/mid": container is running'
	assert_contains "$err" "No such container: nosuch"
	assert_eq "$(grep -c 'No such container: e' "$BATS_TEST_TMPDIR/err")" 1 "errors for e"
	assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/err")" 3 "stderr lines"
	assert_eq "$userns" "$(want_userns)" "user namespaces created"
	run -0 eng ps -a --format '{{.Names}} {{.State}}'
	assert_eq "$output" "mid running"
	assert_eq "$(ls "$ENGINE_ROOT/container-names")" mid "names left"
	# With -f it goes too, and a name can be taken again at once.
	run -0 eng rm -f mid
	assert_eq "$output" mid
	assert_store_empty
	eng create --name a "$IMG" true >/dev/null
}

@test "rm -v of many: their anonymous volumes go in the same user namespace; named ones, and one a staying container uses, stay" {
	command -v strace >/dev/null || skip "strace is not installed (tests/setup/host-setup.sh installs it)"
	names=()
	for i in $(seq 1 20); do
		eng create --name "v$i" -v /anon "$IMG" true >/dev/null
		names+=("v$i")
	done
	eng create --name named -v keep:/data "$IMG" true >/dev/null
	names+=(named)
	# v1's anonymous volume, used by a container that stays.
	shared=$(eng inspect -f '{{json .Mounts}}' v1 | jq -r '.[0].Name')
	[ -n "$shared" ]
	eng create --name stays -v "$shared:/x" "$IMG" true >/dev/null
	assert_eq "$(eng volume ls -q | wc -l)" 21 "volumes before"
	traced rm -v "${names[@]}"
	assert_eq "$status" 0 "rm -v exit status ($(cat "$BATS_TEST_TMPDIR/err"))"
	assert_eq "$output" "$(printf '%s\n' "${names[@]}")" "rm -v output"
	assert_eq "$userns" "$(want_userns)" "user namespaces created"
	assert_eq "$(eng volume ls -q | sort)" "$(printf '%s\n' keep "$shared" | sort)" "volumes after"
	# Gone from disk too (no volumes/.rm-* left to a later sweep).
	assert_eq "$(ls -A "$ENGINE_ROOT/volumes" | sort)" "$(printf '%s\n' keep "$shared" | sort)" "volumes/"
	run -0 eng ps -a --format '{{.Names}}'
	assert_eq "$output" stays
}

@test "container prune and system prune: every stopped container in one user namespace, the running one stays" {
	command -v strace >/dev/null || skip "strace is not installed (tests/setup/host-setup.sh installs it)"
	for i in $(seq 1 30); do eng create --network none "$IMG" true >/dev/null; done
	eng run --name exited "$IMG" true
	eng run -d --name up "$IMG" sleep 731105 >/dev/null
	up=$(eng inspect -f '{{.Id}}' up)
	stopped=$(eng ps -aq --no-trunc | grep -v "$up")
	assert_eq "$(echo "$stopped" | wc -l)" 31 "stopped containers"
	traced container prune -f
	assert_eq "$status" 0 "container prune exit status ($(cat "$BATS_TEST_TMPDIR/err"))"
	assert_eq "$output" "$(printf 'Deleted Containers:\n%s\n\nTotal reclaimed space: 0B' "$stopped")"
	assert_eq "$userns" "$(want_userns)" "user namespaces created"
	run -0 eng ps -a --format '{{.Names}}'
	assert_eq "$output" up

	for i in $(seq 1 10); do eng create --network none "$IMG" true >/dev/null; done
	stopped=$(eng ps -aq --no-trunc | grep -v "$up")
	traced system prune -f
	assert_eq "$status" 0 "system prune exit status ($(cat "$BATS_TEST_TMPDIR/err"))"
	assert_contains "$output" "$(printf 'Deleted Containers:\n%s\n' "$stopped")"
	# One for the containers, and with vfs one more for the image prune
	# (it prunes the vfs roots): not one per container.
	[ "$userns" -le $(($(want_userns) * 2)) ] || { echo "user namespaces created: $userns" >&2; false; }
	run -0 eng ps -a --format '{{.Names}}'
	assert_eq "$output" up
	assert_eq "$(ls "$ENGINE_ROOT/containers" | wc -l)" 1 "containers/ left"
}

@test "rm -f of damaged records among sound ones: all go, in one user namespace" {
	command -v strace >/dev/null || skip "strace is not installed (tests/setup/host-setup.sh installs it)"
	for i in $(seq 1 10); do eng create --name "d$i" "$IMG" true >/dev/null; done
	id3=$(eng inspect -f '{{.Id}}' d3)
	id7=$(eng inspect -f '{{.Id}}' d7)
	truncate -s 20 "$ENGINE_ROOT/containers/$id3/config.json"
	printf '{garbage' >"$ENGINE_ROOT/containers/$id7/config.json"
	# Without -f a damaged record that may be in use stays, with the reason.
	run -1 eng rm d3
	assert_contains "$output" "rm -f removes what is left of it"
	traced rm -f d1 d2 d3 d4 d5 d6 d7 d8 d9 d10
	assert_eq "$status" 0 "rm -f exit status ($(cat "$BATS_TEST_TMPDIR/err"))"
	assert_eq "$output" "$(printf 'd%s\n' $(seq 1 10))" "rm -f output"
	assert_eq "$userns" "$(want_userns)" "user namespaces created"
	assert_store_empty
}
