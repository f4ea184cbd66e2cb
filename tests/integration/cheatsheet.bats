#!/usr/bin/env bats
# cheatsheet.bats: the Docker cheat-sheet, as a Docker user would type it
# after `alias docker=engine`, against the busybox and the Debian image:
# pull, image ls, run, run --rm, run -it (through a real pty), run IMAGE
# cmd, run -v, ps, ps -a, exec -it, logs -f, stop, start, rm, image rm.

load helpers

PTY="$BATS_TEST_DIRNAME/pty-drive.py"

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
}

teardown_file() {
	store_teardown
}

docker() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" "$@"
}

# cheatsheet IMAGE SHELL PROMPT: the whole sheet against one image.
cheatsheet() {
	local img=$1 sh=$2 prompt=$3 name
	name=sheet-$(basename "${img%%:*}")

	run docker pull -q "$img"
	[ "$status" = 0 ]
	run docker image ls --format '{{.Repository}}:{{.Tag}}'
	assert_contains "$output" "$img"

	# run IMAGE cmd, and run --rm
	run docker run "$img" echo hello from the container
	[ "$status" = 0 ]
	assert_eq "$output" "hello from the container"
	# Kept, as Docker keeps it (it would hold the image from image rm).
	for c in $(docker ps -aq); do docker rm "$c" >/dev/null; done
	run docker run --rm "$img" sh -c 'exit 3'
	[ "$status" = 3 ]

	# run -it IMAGE SHELL, typed at a terminal
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it --rm "$img" "$sh" <<-EOS
		expect $prompt
		send echo typed-\$((6*7))
		expect typed-42
		send exit 5
		exit
	EOS
	echo "$output"
	[ "$status" = 5 ]

	# run -v HOSTDIR:DIR both ways
	local dir="$BATS_TEST_TMPDIR/host"
	mkdir -p "$dir"
	echo from-host >"$dir/in"
	run docker run --rm -v "$dir:/data" "$img" sh -c 'cat /data/in; echo from-ctr >/data/out'
	[ "$status" = 0 ]
	assert_eq "$output" "from-host"
	assert_eq "$(cat "$dir/out")" "from-ctr"
	assert_eq "$(stat -c %u "$dir/out")" "$(id -u)"

	# run -d, ps, logs -f, exec -it, stop, start, ps -a, rm
	run docker run -d --name "$name" "$img" sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done'
	[ "$status" = 0 ]
	run docker ps --format '{{.Names}} {{.Status}}'
	assert_contains "$output" "$name Up"
	run timeout 10 bash -c "'$ENGINE' --root '$ENGINE_ROOT' logs -f $name | head -1"
	assert_eq "$output" "started"
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" exec -it "$name" "$sh" <<-EOS
		expect $prompt
		send echo inside-\$((2+3)); exit 0
		expect inside-5
		exit
	EOS
	echo "$output"
	[ "$status" = 0 ]
	run docker stop "$name"
	[ "$status" = 0 ]
	run docker ps --format '{{.Names}}'
	[[ "$output" != *"$name"* ]]
	run docker ps -a --format '{{.Names}} {{.Status}}'
	assert_contains "$output" "$name Exited (0)"
	run docker start "$name"
	[ "$status" = 0 ]
	run docker ps --format '{{.Names}} {{.Status}}'
	assert_contains "$output" "$name Up"
	run docker rm -f "$name"
	[ "$status" = 0 ]
	run docker ps -a --format '{{.Names}}'
	[[ "$output" != *"$name"* ]]

	# image rm
	run docker image rm "$img"
	[ "$status" = 0 ]
	run docker image ls --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" != *"$img"* ]]
}

@test "cheat-sheet: busybox" {
	cheatsheet "$REG/busybox:latest" sh '# '
}

@test "cheat-sheet: Debian" {
	cheatsheet "$REG/debian:bookworm" bash '# '
}

@test "cheat-sheet: run IMAGE, ps -a, logs, rm of an unnamed container" {
	local img=$REG/busybox:latest id name
	docker pull -q "$img" >/dev/null
	run --separate-stderr docker run "$img" sh -c 'echo hello from the container; echo and its stderr >&2'
	[ "$status" = 0 ]
	assert_eq "$output" "hello from the container"
	# Found as a Docker user finds it: the newest line of ps -a.
	run docker ps -a --format '{{.ID}} {{.Names}} {{.Status}}'
	[ "$status" = 0 ]
	read -r id name status_word _ <<<"${lines[0]}"
	assert_eq "$status_word" "Exited"
	[ -n "$name" ]
	run docker logs "$id"
	assert_contains "$output" "hello from the container"
	assert_contains "$output" "and its stderr"
	run docker logs "$name"
	assert_contains "$output" "hello from the container"
	run docker rm "$id"
	[ "$status" = 0 ]
	run docker ps -a --format '{{.ID}}'
	[[ "$output" != *"$id"* ]]
	docker image rm "$img" >/dev/null
}
