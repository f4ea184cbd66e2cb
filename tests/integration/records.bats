#!/usr/bin/env bats
# records.bats: container records and store state: nothing lost, nothing
# stranded.  A record too large to read back is refused at create; rm -f
# removes any record however damaged; a create or run killed at any moment
# leaves nothing that blocks a name or stays invisible (the next ps -a, rm
# or prune removes it); a full store gives an honest exit, never a made-up
# one; rm leaves nothing of the container in the store or the run root.

load helpers

setup_file() {
	store_setup "$IMG"
	export RUN_ROOT="$BATS_FILE_TMPDIR/run"
	mkdir -p "$RUN_ROOT"
	chmod 0700 "$RUN_ROOT"
	export FULL="$BATS_FILE_TMPDIR/full"
	export HOST_MOUNTS="$BATS_FILE_TMPDIR/mountinfo"
	cut -d' ' -f5 /proc/self/mountinfo | sort >"$HOST_MOUNTS"
}

teardown_file() {
	# The full store's tmpfs (root mode) goes whatever the test did.
	if mountpoint -q "$FULL" 2>/dev/null; then
		for c in $("$ENGINE" --root "$FULL/store" ps -aq --no-trunc 2>/dev/null); do
			"$ENGINE" --root "$FULL/store" rm -f "$c" >/dev/null 2>&1 || true
		done
		umount "$FULL" || umount -l "$FULL"
	fi
	store_teardown
	cut -d' ' -f5 /proc/self/mountinfo | sort | diff "$HOST_MOUNTS" - >&2
}

# A test that failed half way leaves no container process behind.
teardown() {
	pkill -9 -U "$(id -u)" -f "^sleep 490[0-9]" || true
}

# engr: eng with this file's run root, so that the test sees it.
engr() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$RUN_ROOT" "$@"
}

no_process() {
	! pgrep -f "^$1" >/dev/null
}

# Directories of the store's containers/ without a record.
unrecorded() {
	local d n=0
	for d in "$ENGINE_ROOT"/containers/*/; do
		[ -d "$d" ] || continue
		[ -e "$d/config.json" ] || n=$((n + 1))
	done
	echo "$n"
}

# A pid that was a process of ours and is gone.
dead_pid() {
	sh -c 'exit 0' &
	local pid=$!
	wait "$pid"
	echo "$pid"
}

@test "create: a record over 1 MiB (arguments, --env-file) is one line, exit 125, nothing created" {
	local a args=()
	a=$(head -c 100000 /dev/zero | tr '\0' a)
	for _ in $(seq 12); do args+=("$a"); done
	expect_engine_error "record would take .* bytes, more than the 1048576 allowed" \
		engr create --name huge "$IMG" echo "${args[@]}"
	awk 'BEGIN { for (i = 0; i < 2000; i++) { printf "V%d=", i; for (k = 0; k < 100; k++) printf "xxxxxxxxxx"; print "" } }' \
		>"$BATS_TEST_TMPDIR/env"
	expect_engine_error "record would take" engr run -d --name huge2 --env-file "$BATS_TEST_TMPDIR/env" "$IMG" true
	[ ! -e "$ENGINE_ROOT/container-names/huge" ]
	[ ! -e "$ENGINE_ROOT/container-names/huge2" ]
	run ls -A "$ENGINE_ROOT/containers"
	assert_eq "$output" ""
	# Under the bound, the record reads back (ps, inspect, rm).
	args=("${args[@]:0:8}")
	id=$(engr create --name large "$IMG" echo "${args[@]}")
	run engr ps -a --format '{{.Names}}'
	assert_contains "$output" large
	run engr inspect --format '{{.Id}}' large
	assert_eq "$output" "$id"
	engr rm large
}

@test "rm -f removes any damaged record, and frees its name and its image" {
	local damage id
	for damage in oversized truncated unreadable missing garbage-state; do
		id=$(engr create --name "d-$damage" "$IMG" sleep 4901)
		dir="$ENGINE_ROOT/containers/$id"
		case $damage in
		oversized) head -c 1100000 /dev/zero | tr '\0' ' ' >>"$dir/config.json" ;;
		truncated) truncate -s 20 "$dir/config.json" ;;
		unreadable) rm "$dir/config.json" && mkdir "$dir/config.json" ;;
		missing) rm "$dir/config.json" ;;
		garbage-state) truncate -s 7 "$dir/config.json" && printf '\001{garbage' >"$dir/state.json" ;;
		esac
		run engr rm -f "d-$damage"
		assert_eq "$status" 0 "rm -f of a $damage record"
		[ ! -e "$dir" ] || { echo "$damage: $dir is left" >&2; false; }
		[ ! -e "$ENGINE_ROOT/container-names/d-$damage" ]
		# The name is free again.
		id=$(engr create --name "d-$damage" "$IMG" true)
		engr rm "d-$damage" >/dev/null
	done
	# The image is pinned by no one.
	run engr rmi "$IMG"
	assert_eq "$status" 0 "rmi: $output"
	engr pull -q "$IMG" >/dev/null
}

@test "rm without -f of an unreadable record says how; rm -f by ID prefix removes it" {
	id=$(engr create --name half "$IMG" true)
	truncate -s 9 "$ENGINE_ROOT/containers/$id/config.json"
	run engr rm half
	assert_eq "$status" 1
	assert_contains "$output" "rm -f"
	run engr rm -f "${id:0:12}"
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
	[ ! -e "$ENGINE_ROOT/container-names/half" ]
	# Without a record and without an owner, plain rm removes it too.
	id=$(engr create --name half "$IMG" true)
	rm "$ENGINE_ROOT/containers/$id/config.json"
	run engr rm half
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
}

@test "run -d killed at any moment (30 times): run --name works afterwards, or rm -f clears the name" {
	local i delay
	for i in $(seq 30); do
		delay=$(printf '0.%03d' $((4 + (i * 7) % 90)))
		# (timeout's SIGKILL goes to its process group, itself included:
		# the subshell keeps the shell's "Killed" notice out of the log.)
		(timeout -s KILL "$delay" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" \
			--runroot "$RUN_ROOT" run -d --name racer "$IMG" sleep 4902 >/dev/null 2>&1) 2>/dev/null || true
	done
	run engr run -d --name racer "$IMG" sleep 4902
	if [ "$status" -ne 0 ]; then
		echo "run --name racer after the kills: $output" >&2
		# A kill after the monitor started leaves a real container.
		run engr rm -f racer
		assert_eq "$status" 0 "rm -f racer: $output"
		run engr run -d --name racer "$IMG" sleep 4902
	fi
	assert_eq "$status" 0 "run --name racer: $output"
	engr rm -f racer >/dev/null
	wait_for no_process "sleep 4902"
	# What the kills left without a claim waits out its minute: age it.
	touch -d '2 minutes ago' "$ENGINE_ROOT"/containers/*/ 2>/dev/null || true
	engr ps -a >/dev/null
	assert_eq "$(unrecorded)" 0 "directories without a record after ps -a"
	run ls -A "$ENGINE_ROOT/container-names"
	assert_eq "$output" ""
}

@test "run --rm killed with SIGKILL: the next ps -a removes its writable layer" {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$RUN_ROOT" run --rm "$IMG" sh -c \
		'mkdir /x && dd if=/dev/zero of=/x/big bs=1M count=16 2>/dev/null && (chown -R 1000 /x 2>/dev/null || true) && exec sleep 4903' &
	pid=$!
	wait_for pgrep -f "^sleep 4903"
	before=$(unrecorded)
	[ "$before" -ge 1 ]
	kill -9 "$pid"
	wait "$pid" || true
	# The container goes with its CLI (or is killed with it, as a
	# reboot would: its own pid 1 ignores anything else).
	pkill -9 -f "^sleep 4903" || true
	wait_for no_process "sleep 4903"
	run engr ps -a
	assert_eq "$status" 0
	assert_eq "$(unrecorded)" $((before - 1)) "directories without a record after ps -a"
}

@test "a live foreground run's directory is not swept" {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$RUN_ROOT" run --rm "$IMG" sleep 4904 &
	pid=$!
	wait_for pgrep -f "^sleep 4904"
	before=$(unrecorded)
	[ "$before" -ge 1 ]
	engr ps -a >/dev/null
	engr container prune -f >/dev/null
	engr rm -f nothing-by-this-name 2>/dev/null || true
	assert_eq "$(unrecorded)" "$before" "the live run's directory stays"
	pkill -9 -f "^sleep 4904"
	wait "$pid" || true
	assert_eq "$(unrecorded)" $((before - 1)) "its run removed it at exit"
}

@test "volume rm killed with SIGKILL: volume prune removes volumes/.rm-NAME-PID" {
	engr volume create big >/dev/null
	engr run --rm -v big:/data "$IMG" sh -c \
		'cd /data && seq 1 30000 | xargs touch && mkdir sub && touch sub/f && (chown -R 1000 /data 2>/dev/null || true)'
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" volume rm big >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200000); do
		[ ! -e "$ENGINE_ROOT/volumes/.rm-big-$pid" ] || break
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	# Lost the race (the removal finished first): leave what the kill
	# leaves, the renamed volume of a process that is gone.
	if [ ! -e "$ENGINE_ROOT/volumes/.rm-big-$pid" ]; then
		engr volume create big >/dev/null
		engr run --rm -v big:/data "$IMG" sh -c 'touch /data/f && (chown 1000 /data/f 2>/dev/null || true)'
		mv "$ENGINE_ROOT/volumes/big" "$ENGINE_ROOT/volumes/.rm-big-$(dead_pid)"
	fi
	run ls -A "$ENGINE_ROOT/volumes"
	assert_contains "$output" ".rm-big-"
	run engr volume prune -f
	assert_eq "$status" 0
	run ls -A "$ENGINE_ROOT/volumes"
	assert_eq "$output" ""
}

@test "kill -9 of the monitor, then rm: nothing of the container in the store or the run root" {
	id=$(engr run -d --name mon "$IMG" sleep 4905)
	[ -e "$RUN_ROOT/containers/$id/attach" ]
	monitor=$(sed -n 's/.*"MonitorPid": *\([0-9]*\).*/\1/p' "$ENGINE_ROOT/containers/$id/state.json")
	kill -9 "$monitor"
	wait_for no_process "sleep 4905"
	run engr ps -a --format '{{.Names}} {{.Status}}'
	assert_contains "$output" "mon Exited (unknown)"
	run engr rm mon
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/containers/$id" ]
	[ ! -e "$RUN_ROOT/containers/$id" ]
	[ ! -e "$ENGINE_ROOT/container-names/mon" ]
}

# The full store needs a file system of its own that fills: a tmpfs, which
# only root can mount on the host (rootless: engine unshare's namespace).
# bats test_tags=only:root
@test "a full store: the exit is recorded or said to be unknown, and failed creates leave nothing" {
	mkdir -p "$FULL"
	mount -t tmpfs -o size=48m,mode=0700 tmpfs "$FULL"
	local fe=("$ENGINE" "${engine_args[@]}" --root "$FULL/store" --runroot "$RUN_ROOT")
	"${fe[@]}" pull -q "$IMG" >/dev/null
	id=$("${fe[@]}" run -d --name three "$IMG" sh -c 'sleep 2; exit 3')
	dd if=/dev/zero of="$FULL/fill" bs=64k 2>/dev/null || true
	before=$(ls "$FULL/store/containers" | wc -l)
	run "${fe[@]}" create "$IMG" true
	[ "$status" -ne 0 ]
	run "${fe[@]}" run -d "$IMG" true
	[ "$status" -ne 0 ]
	assert_eq "$(ls "$FULL/store/containers" | wc -l)" "$before" "containers/ after the failed creates"
	run --separate-stderr "${fe[@]}" wait three
	echo "wait: $output / $stderr" >&2
	# Either the exit as it was, or said to be unknown with a warning.
	if [ "$output" = 3 ]; then
		run "${fe[@]}" ps -a --format '{{.Names}} {{.Status}}'
		assert_contains "$output" "three Exited (3)"
	else
		assert_contains "$stderr" "not recorded"
		run "${fe[@]}" ps -a --format '{{.Names}} {{.Status}}'
		assert_contains "$output" "three Exited (unknown)"
	fi
	rm -f "$FULL/fill"
	run "${fe[@]}" rm -f three
	assert_eq "$status" 0
	[ ! -e "$FULL/store/containers/$id" ]
	"${fe[@]}" rmi -f "$IMG" >/dev/null
	umount "$FULL"
}
