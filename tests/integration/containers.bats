#!/usr/bin/env bats
# containers.bats: detached containers without a daemon: run -d and its
# monitor, ps, logs, stop, kill, rm, wait, create/start, inspect, names.

load helpers

setup_file() {
	store_setup "$IMG"
}

# Whatever a failed test left running goes; the store goes with the image.
teardown_file() {
	store_teardown
}

# status_of NAME: ps's Status column for NAME.
status_of() {
	eng ps -a --format '{{.Names}} {{.Status}}' | sed -n "s/^$1 //p"
}

no_process() {
	! pgrep -f "^$1" >/dev/null
}

@test "run -d prints the ID, ps shows the container Up, logs has its output" {
	run eng run -d --name web "$IMG" sh -c 'echo hello; echo oops >&2; sleep 4701'
	assert_eq "$status" 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run status_of web
	[[ "$output" =~ ^Up\  ]] || { echo "status: $output"; false; }
	run eng ps
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	assert_contains "$output" "${id:0:12}"
	assert_contains "$output" "web"
	run eng ps -q
	assert_eq "$output" "${id:0:12}"
	run eng ps -q --no-trunc
	assert_eq "$output" "$id"
	wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' logs web 2>&1 | grep -q oops"
	run eng logs web
	assert_contains "$output" "hello"
	assert_contains "$output" "oops"
	out=$(eng logs web 2>/dev/null)
	assert_eq "$out" "hello"
	out=$(eng logs -t web 2>/dev/null)
	[[ "$out" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ hello$ ]] || { echo "$out"; false; }
	# The log file is k8s-file.
	grep -Eq '^[0-9-]+T[0-9:.]+Z stdout F hello$' "$ENGINE_ROOT/containers/$id/ctr.log"
	run eng inspect --format '{{.State.Status}} {{.State.Running}} {{.Name}}' "${id:0:8}"
	assert_eq "$output" "running true /web"
	eng rm -f web
}

@test "stop: Exited (143 or 137) within -t, then rm removes the container and its directory" {
	id=$(eng run -d "$IMG" sleep 4702)
	start=$(date +%s)
	run eng stop -t 2 "$id"
	assert_eq "$status" 0
	assert_eq "$output" "$id"
	[ $(($(date +%s) - start)) -le 5 ]
	run eng ps -a --format '{{.Status}}' --no-trunc
	[[ "$output" =~ ^Exited\ \((143|137)\)\  ]] || { echo "$output"; false; }
	run eng wait "$id"
	[[ "$output" =~ ^(143|137)$ ]]
	no_process "sleep 4702"
	run eng rm "$id"
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
	run eng ps -aq
	assert_eq "$output" ""
}

@test "a trapped stop signal ends the container with its own exit code" {
	id=$(eng run -d "$IMG" sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done')
	wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' ps -q | grep -q ${id:0:12}"
	eng stop -t 5 "$id"
	run eng wait "$id"
	assert_eq "$output" 3
	eng rm "$id"
}

@test "a detached container survives the CLI's and the shell's exit" {
	bash -c "'$ENGINE' --root '$ENGINE_ROOT' run -d --name survivor '$IMG' sleep 4703 >/dev/null; exit 0"
	sleep 1
	run status_of survivor
	[[ "$output" =~ ^Up\  ]] || { echo "status: $output"; false; }
	pgrep -f "^sleep 4703" >/dev/null
	eng rm -f survivor
	wait_for no_process "sleep 4703"
}

@test "kill -9 of the monitor: ps -a tells the truth, rm -f leaves nothing behind" {
	id=$(eng run -d --name orphan "$IMG" sleep 4704)
	state="$ENGINE_ROOT/containers/$id/state.json"
	monitor=$(sed -n 's/.*"MonitorPid": *\([0-9]*\).*/\1/p' "$state")
	[ -n "$monitor" ] && [ "$monitor" -gt 0 ]
	kill -9 "$monitor"
	wait_for no_process "sleep 4704"
	run status_of orphan
	[[ "$output" =~ ^Exited\  ]] || { echo "status: $output"; false; }
	run eng inspect --format '{{.State.Running}}' orphan
	assert_eq "$output" false
	run eng rm orphan
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
	! grep -q "$id" /proc/self/mountinfo
	no_process "sleep 4704"
}

@test "rm -f kills a running container first; rm without -f refuses" {
	id=$(eng run -d --name busy "$IMG" sleep 4705)
	run eng rm busy
	assert_eq "$status" 1
	assert_eq "${#lines[@]}" 1
	assert_contains "$output" 'cannot remove container "/busy": container is running'
	run eng rm -f busy
	assert_eq "$status" 0
	assert_eq "$output" busy
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
	no_process "sleep 4705"
	! grep -q "$id" /proc/self/mountinfo
	run eng rm busy
	assert_eq "$status" 1
	assert_contains "$output" "No such container: busy"
}

@test "20 run -d in parallel: unique names, all Up, state intact; 20 rm -f in parallel leave nothing" {
	for i in $(seq 20); do
		eng run -d "$IMG" sleep 4706 >"$BATS_TEST_TMPDIR/id.$i" 2>&1 &
	done
	wait
	for i in $(seq 20); do
		grep -Eq '^[0-9a-f]{64}$' "$BATS_TEST_TMPDIR/id.$i" || { cat "$BATS_TEST_TMPDIR/id.$i"; false; }
	done
	run eng ps --format '{{.Names}} {{.Status}}'
	assert_eq "${#lines[@]}" 20
	assert_eq "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f1 | sort -u | wc -l)" 20
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^[a-z]+_[a-z]+[0-9]?\ Up\  ]] || { echo "line: $l"; false; }
	done
	[ "$(pgrep -fc '^sleep 4706')" -eq 20 ]
	# Every record parses, says running, and names a live monitor.
	monitors=()
	for i in $(seq 20); do
		id=$(cat "$BATS_TEST_TMPDIR/id.$i")
		jq -e . "$ENGINE_ROOT/containers/$id/config.json" >/dev/null
		st=$(jq -r '.Status + " " + (.MonitorPid|tostring)' "$ENGINE_ROOT/containers/$id/state.json")
		[[ "$st" =~ ^running\ [0-9]+$ ]] || { echo "state of $id: $st"; false; }
		monitors+=("${st#running }")
		[ "$(cat "$ENGINE_ROOT/container-names/$(eng inspect --format '{{.Name}}' "$id" | cut -c2-)")" = "$id" ]
	done
	for i in $(seq 20); do
		eng rm -f "$(cat "$BATS_TEST_TMPDIR/id.$i")" >"$BATS_TEST_TMPDIR/rm.$i" 2>&1 &
	done
	wait
	for i in $(seq 20); do
		assert_eq "$(cat "$BATS_TEST_TMPDIR/rm.$i")" "$(cat "$BATS_TEST_TMPDIR/id.$i")"
	done
	run eng ps -aq
	assert_eq "$output" ""
	wait_for no_process "sleep 4706"
	for m in "${monitors[@]}"; do
		wait_for sh -c "! kill -0 $m 2>/dev/null"
	done
	# No fuse-overlayfs left serving a removed container's root.
	wait_for sh -c "! pgrep -f '[f]use-overlayfs.*$ENGINE_ROOT/containers' >/dev/null"
	run ls -A "$ENGINE_ROOT/containers" "$ENGINE_ROOT/container-names"
	assert_eq "$(echo "$output" | grep -Ev '^(/.*:)?$')" ""
	! grep -q "$ENGINE_ROOT/containers" /proc/self/mountinfo
}

@test "run -d --rm: the container is removed when it exits" {
	id=$(eng run -d --rm "$IMG" sh -c 'sleep 0.5')
	wait_for test ! -e "$ENGINE_ROOT/containers/$id"
	run eng ps -aq --no-trunc
	assert_eq "$output" ""
}

@test "a name in use: Docker's one-line error, exit 125; bad names refused" {
	eng run -d --name taken "$IMG" sleep 4707 >/dev/null
	expect_engine_error 'Conflict. The container name "/taken" is already in use' \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --name taken "$IMG" true
	expect_engine_error "Invalid container name" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --name ../x "$IMG" true
	expect_engine_error "Invalid container name" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --name a/b "$IMG" true
	eng rm -f taken >/dev/null
	# The name is free again.
	eng run -d --name taken "$IMG" true >/dev/null
	eng wait taken >/dev/null
	eng rm taken >/dev/null
}

@test "kill -s, wait's exit code, logs of an exited container" {
	id=$(eng run -d "$IMG" sh -c 'trap "echo got-usr1; exit 7" USR1; while :; do sleep 0.1; done')
	wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' ps -q | grep -q ${id:0:12}"
	sleep 0.3
	run eng kill -s USR1 "${id:0:12}"
	assert_eq "$status" 0
	run eng wait "$id"
	assert_eq "$output" 7
	run eng logs "$id"
	assert_eq "$output" got-usr1
	run eng kill "$id"
	assert_eq "$status" 1
	assert_contains "$output" "is not running"
	eng rm "$id"
}

@test "create, then start: Created, then Up; start again after it exits" {
	id=$(eng create --name later "$IMG" sh -c 'echo run; sleep 1')
	run status_of later
	assert_eq "$output" Created
	run eng start later
	assert_eq "$output" later
	run status_of later
	[[ "$output" =~ ^Up\  ]] || { echo "status: $output"; false; }
	eng wait later
	run status_of later
	[[ "$output" =~ ^Exited\ \(0\) ]]
	eng start later
	eng wait later
	run eng logs later
	assert_eq "$output" "$(printf 'run\nrun')"
	eng rm later
}

@test "run -d --rootfs; errors before the start: one line, 125 or the command's" {
	setup_rootfs
	id=$(eng run -d --rootfs "$ROOTFS" sleep 4708)
	run eng ps --format '{{.Image}}'
	assert_eq "$output" "$ROOTFS"
	eng rm -f "$id" >/dev/null
	run -127 eng run -d "$IMG" no-such-command
	assert_eq "$status" 127
	assert_eq "${#lines[@]}" 1
	assert_contains "$output" "no-such-command"
	run eng ps -a --format '{{.Status}}'
	[[ "$output" =~ ^Exited\ \(127\) ]]
	eng rm "$(eng ps -aq)"
	run eng stop no-such-container
	assert_eq "$status" 1
	assert_contains "$output" "No such container: no-such-container"
}

@test "logs -f follows until the container exits; --tail; run -dit keeps a shell up" {
	id=$(eng run -d "$IMG" sh -c 'for i in 1 2 3; do echo $i; sleep 0.3; done')
	run timeout 10 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" logs -f "$id"
	assert_eq "$status" 0
	assert_eq "$output" "$(printf '1\n2\n3')"
	run eng logs --tail 2 "$id"
	assert_eq "$output" "$(printf '2\n3')"
	run eng logs --tail 0 "$id"
	assert_eq "$output" ""
	eng rm "$id" >/dev/null
	# A terminal keeps an interactive shell waiting, as in Docker.
	id=$(eng run -dit "$IMG" sh)
	sleep 1
	run eng ps --format '{{.Status}}'
	[[ "$output" =~ ^Up\  ]] || { echo "status: $output"; false; }
	eng rm -f "$id" >/dev/null
}

@test "the monitor keeps none of the CLI's file descriptors" {
	# bats waits for fd 3 to close: a monitor holding it would hang here.
	exec 7>"$BATS_TEST_TMPDIR/held"
	id=$(eng run -d "$IMG" sleep 4710)
	monitor=$(sed -n 's/.*"MonitorPid": *\([0-9]*\).*/\1/p' "$ENGINE_ROOT/containers/$id/state.json")
	run ls -l "/proc/$monitor/fd"
	[[ "$output" != *"$BATS_TEST_TMPDIR/held"* ]] || { echo "$output"; false; }
	exec 7>&-
	eng rm -f "$id" >/dev/null
}

@test "a named foreground run is recorded: exit code in ps -a, name reserved, --rm forgets it" {
	run eng run --name fg "$IMG" sh -c 'echo out; exit 3'
	assert_eq "$status" 3
	assert_eq "$output" out
	run status_of fg
	[[ "$output" =~ ^Exited\ \(3\)\  ]] || { echo "status: $output"; false; }
	expect_engine_error 'The container name "/fg" is already in use' \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --name fg "$IMG" true
	run eng start fg
	assert_eq "$status" 0
	eng wait fg >/dev/null
	run eng rm fg
	assert_eq "$status" 0
	run eng run --rm --name fg2 "$IMG" true
	assert_eq "$status" 0
	run eng ps -aq
	assert_eq "$output" ""
	# An unnamed --rm run stays unrecorded; without --rm it is kept
	# (run-record.bats), until rm.
	eng run --rm "$IMG" true
	run eng ps -aq
	assert_eq "$output" ""
	eng run "$IMG" true
	run eng ps -aq
	[ -n "$output" ]
	eng rm "$output" >/dev/null
	run ls "$ENGINE_ROOT/containers"
	assert_eq "$output" ""
}

@test "restart; container ls/inspect/rm; image inspect ignores containers" {
	id=$(eng run -d --name again "$IMG" sh -c 'echo started; sleep 4711')
	pid1=$(eng inspect --format '{{.State.Pid}}' again)
	run eng restart -t 0 again
	assert_eq "$status" 0
	assert_eq "$output" again
	run eng container ls --format '{{.Names}} {{.State}}'
	assert_eq "$output" "again running"
	pid2=$(eng container inspect --format '{{.State.Pid}}' again)
	[ "$pid1" != "$pid2" ]
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' logs again | wc -l)\" = 2 ]"
	run eng image inspect --format '{{.Id}}' again
	assert_eq "$status" 1
	run eng inspect --type image --format '{{.Id}}' "$IMG"
	assert_eq "$status" 0
	[[ "$output" =~ ^sha256: ]]
	run eng container rm -f again
	assert_eq "$output" again
	run eng container inspect "$IMG"
	assert_eq "$status" 1
	assert_contains "$output" "No such container"
}

@test "ps --filter name/id/status/exited/ancestor, -n, -l" {
	a=$(eng run -d --name flt-a "$IMG" sleep 4712)
	eng run -d --name flt-b "$IMG" sh -c 'exit 2' >/dev/null
	eng wait flt-b >/dev/null
	run eng ps --filter name=flt --format '{{.Names}}'
	assert_eq "$output" flt-a
	run eng ps -a --filter name=flt --format '{{.Names}}'
	assert_eq "$output" "$(printf 'flt-b\nflt-a')"
	run eng ps --filter status=exited --format '{{.Names}}'
	assert_eq "$output" flt-b
	run eng ps --filter exited=2 --format '{{.Names}}'
	assert_eq "$output" flt-b
	run eng ps --filter "id=${a:0:6}" -q --no-trunc
	assert_eq "$output" "$a"
	run eng ps -a --filter "ancestor=$IMG" -q
	assert_eq "${#lines[@]}" 2
	run eng ps --filter status=running --filter status=exited --format '{{.Names}}'
	assert_eq "${#lines[@]}" 2
	run eng ps -l --format '{{.Names}}'
	assert_eq "$output" flt-b
	run eng ps -n 2 -q
	assert_eq "${#lines[@]}" 2
	expect_engine_error "unsupported filter" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" ps --filter volume=x
	eng rm -f flt-a flt-b >/dev/null
}

@test "container prune removes what is not running" {
	up=$(eng run -d "$IMG" sleep 4713)
	done1=$(eng run -d "$IMG" true)
	eng wait "$done1" >/dev/null
	eng create "$IMG" true >/dev/null
	run eng container prune -f
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "Deleted Containers:"
	assert_contains "$output" "$done1"
	run eng ps -aq --no-trunc
	assert_eq "$output" "$up"
	eng rm -f "$up" >/dev/null
}

# Last: it removes the image at the end.
@test "rmi refuses the image of a detached container, running or stopped, until rm" {
	img_id=$(eng images -q --no-trunc "$IMG" | sed 's/^sha256://')
	id=$(eng run -d "$IMG" sleep 4709)
	run eng rmi -f "$img_id"
	assert_eq "$status" 1
	assert_contains "$output" "being used by running container ${id:0:12}"
	eng stop -t 0 "$id" >/dev/null
	# image prune -a keeps what a container uses.
	eng image prune -af >/dev/null
	run eng images -q
	assert_eq "$output" "${img_id:0:12}"
	run eng rmi -f "$img_id"
	assert_eq "$status" 1
	assert_contains "$output" "being used by stopped container ${id:0:12}"
	run eng rm "$id"
	assert_eq "$status" 0
	run eng rmi "$img_id"
	[ "$status" = 0 ] || { echo "$output"; ls -la "$ENGINE_ROOT"/containers/*; cat "$ENGINE_ROOT"/containers/*/image; false; }
}
