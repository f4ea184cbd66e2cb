#!/usr/bin/env bats
# run-record.bats: a foreground run is a container as Docker keeps it.
# Without --rm it is recorded (a generated name when it has none), its
# output goes to its log as well as to the terminal (tty or not), and
# ps -a, logs, commit, cp and rm work on it; --rm leaves nothing.  run -a
# relays only the streams it names (the others still reach the log);
# --sig-proxy=false keeps the CLI's signals from the container;
# --detach-keys is checked as Docker checks it.

load helpers

PTY="$BATS_TEST_DIRNAME/pty-drive.py"

setup_file() {
	store_setup "$IMG"
}

teardown() {
	# Each test starts from an empty store (the image aside).
	remove_containers eng
}

teardown_file() {
	store_teardown
}

# STDERR without the id mapping's warning (nosub mode prints one).
no_warn() {
	grep -v '^WARN: ' <<<"$1" || true
}

# The one container in the store: its ID (fails unless exactly one).
only_container() {
	local ids
	ids=$(eng ps -aq --no-trunc)
	[ "$(printf '%s\n' "$ids" | grep -c .)" = 1 ] || {
		echo "want one container, ps -a has: $ids" >&2
		return 1
	}
	echo "$ids"
}

@test "an unnamed run is recorded with a generated name and its exit; --rm leaves nothing" {
	run eng run --rm "$IMG" true
	[ "$status" = 0 ]
	run eng ps -aq
	assert_eq "$output" ""
	run --separate-stderr eng run "$IMG" sh -c 'echo out; exit 3'
	[ "$status" = 3 ]
	assert_eq "$output" "out"
	id=$(only_container)
	run eng ps -a --format '{{.Names}}|{{.Status}}|{{.Image}}'
	[[ "$output" =~ ^[a-z]+_[a-z]+\|Exited\ \(3\) ]] || { echo "$output"; false; }
	assert_contains "$output" "|$IMG"
	run eng inspect --format '{{.State.ExitCode}}' "$id"
	assert_eq "$output" "3"
}

@test "logs of an unnamed run: its stdout and stderr, as the terminal got them" {
	run --separate-stderr eng run "$IMG" sh -c 'echo to-out; echo to-err >&2; printf last'
	[ "$status" = 0 ]
	assert_eq "$output" "to-out
last"
	assert_eq "$(no_warn "$stderr")" "to-err"
	id=$(only_container)
	run --separate-stderr eng logs "$id"
	[ "$status" = 0 ]
	assert_eq "$output" "to-out
last"
	assert_eq "$(no_warn "$stderr")" "to-err"
}

@test "logs of a named run and of a -t run" {
	run eng run --name named "$IMG" sh -c 'echo named-out; echo named-err >&2'
	[ "$status" = 0 ]
	run eng logs named
	assert_contains "$output" "named-out"
	assert_contains "$output" "named-err"
	eng rm named
	# -t: one stream, as the terminal shows it.
	run eng run -t "$IMG" sh -c 'echo tty-out; echo tty-err >&2' </dev/null
	[ "$status" = 0 ]
	assert_contains "$output" "tty-out"
	id=$(only_container)
	run eng logs "$id"
	assert_contains "$output" "tty-out"
	assert_contains "$output" "tty-err"
}

@test "commit, cp and rm of an unnamed run's container" {
	run eng run "$IMG" sh -c 'echo made-inside >/made'
	[ "$status" = 0 ]
	id=$(only_container)
	run eng cp "$id:/made" "$BATS_TEST_TMPDIR/made"
	[ "$status" = 0 ]
	assert_eq "$(cat "$BATS_TEST_TMPDIR/made")" "made-inside"
	run eng commit "$id" committed-from-run
	[ "$status" = 0 ]
	run --separate-stderr eng run --rm committed-from-run cat /made
	assert_eq "$output" "made-inside"
	run eng rm "$id"
	[ "$status" = 0 ]
	run eng ps -aq
	assert_eq "$output" ""
	[ -z "$(ls "$ENGINE_ROOT/containers")" ]
	eng rmi committed-from-run >/dev/null
}

@test "run -a stdout relays only stdout; -a stderr only stderr; the log has both" {
	run --separate-stderr eng run -a stdout "$IMG" sh -c 'echo o1; echo e1 >&2'
	[ "$status" = 0 ]
	assert_eq "$output" "o1"
	assert_eq "$(no_warn "$stderr")" ""
	id=$(only_container)
	run eng logs "$id"
	assert_contains "$output" "o1"
	assert_contains "$output" "e1"
	eng rm "$id" >/dev/null
	run --separate-stderr eng run --attach STDERR "$IMG" sh -c 'echo o2; echo e2 >&2'
	[ "$status" = 0 ]
	assert_eq "$output" ""
	assert_eq "$(no_warn "$stderr")" "e2"
	# Both named: both relayed; -i with -a stdout still gives stdin.
	run --separate-stderr eng run -a stdout -a stderr "$IMG" sh -c 'echo o3; echo e3 >&2'
	assert_eq "$output" "o3"
	assert_eq "$(no_warn "$stderr")" "e3"
	run --separate-stderr eng run -i -a stdout "$IMG" cat <<<"through-stdin"
	assert_eq "$output" "through-stdin"
}

@test "run -a: a bad stream, or with -d, is one error line" {
	expect_engine_error 'invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR' \
		eng run -a bogus "$IMG" true
	expect_engine_error 'Conflicting options: -a and -d' eng run -d -a stdout "$IMG" true
	run eng ps -aq
	assert_eq "$output" ""
}

# A container that traps SIGTERM; the CLI gets SIGTERM once it runs.
sigterm_run() {
	local out="$BATS_TEST_TMPDIR/out"
	: >"$out"
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run "$@" "$IMG" \
		sh -c 'trap "echo trapped; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >"$out" &
	local pid=$!
	wait_for grep -q ready "$out"
	kill -TERM "$pid"
	set +e
	wait "$pid"
	rc=$?
	set -e
	trapped=$(grep -c trapped "$out" || true)
}

@test "--sig-proxy: the CLI's SIGTERM reaches the container by default, not with =false" {
	sigterm_run
	assert_eq "$rc" 7 "default: exit code"
	assert_eq "$trapped" 1 "default: the container's trap"
	sigterm_run --sig-proxy=true
	assert_eq "$rc" 7 "=true: exit code"
	sigterm_run --sig-proxy=false
	# The CLI ends by the signal, its container with it, untold.
	assert_eq "$rc" 143 "=false: exit code"
	assert_eq "$trapped" 0 "=false: the container's trap"
	expect_engine_error 'invalid argument "maybe" for "--sig-proxy" flag' \
		eng run --sig-proxy=maybe "$IMG" true
}

@test "--detach-keys is checked as Docker checks it; create takes -a, --sig-proxy, --detach-keys" {
	expect_engine_error 'Invalid detach keys (ctrl-zz) provided' \
		eng run --detach-keys ctrl-zz "$IMG" true
	run --separate-stderr eng run --detach-keys ctrl-x,a "$IMG" echo ok
	[ "$status" = 0 ]
	assert_eq "$output" "ok"
	run --separate-stderr eng create -a stdout --sig-proxy=false --detach-keys ctrl-p,ctrl-q "$IMG" sh -c 'echo created-out; echo created-err >&2'
	[ "$status" = 0 ]
	id=$output
	run --separate-stderr eng start -a "$id"
	[ "$status" = 0 ]
	assert_contains "$output" "created-out"
}

@test "run -it at a terminal: the session is recorded and its output in the logs" {
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it "$IMG" sh <<-EOS
		expect #
		send echo typed-\$((6*7))
		expect typed-42
		send exit 4
		exit
	EOS
	echo "$output"
	[ "$status" = 4 ]
	id=$(only_container)
	run eng ps -a --format '{{.Status}}'
	[[ "$output" =~ ^Exited\ \(4\) ]] || { echo "$output"; false; }
	run eng logs "$id"
	assert_contains "$output" "typed-42"
}


@test "run -it detaches with ctrl-p ctrl-q: exit 0, the container Up, attach goes on, logs have the session" {
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it --name det "$IMG" sh <<-EOS
		expect #
		send echo before-\$((6*7))
		expect before-42
		raw 1011
		exit
	EOS
	echo "$output"
	[ "$status" = 0 ]
	run eng ps --format '{{.Names}}|{{.Status}}'
	[[ "$output" =~ ^det\|Up ]] || { echo "$output"; false; }
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" attach det <<-EOS
		send echo after-\$((6*8))
		expect after-48
		send exit 5
		exit
	EOS
	echo "$output"
	[ "$status" = 5 ]
	run eng ps -a --format '{{.Status}}'
	[[ "$output" =~ ^Exited\ \(5\) ]] || { echo "$output"; false; }
	run eng logs det
	assert_contains "$output" "before-42"
	assert_contains "$output" "after-48"
}

@test "run -it --detach-keys ctrl-x: ctrl-p ctrl-q do not detach, ctrl-x does" {
	run "$PTY" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it --detach-keys ctrl-x --name detx "$IMG" sh <<-EOS
		expect #
		raw 1011
		send echo still-\$((5*5))
		expect still-25
		raw 18
		exit
	EOS
	echo "$output"
	[ "$status" = 0 ]
	run eng ps --format '{{.Names}}|{{.Status}}'
	[[ "$output" =~ ^detx\|Up ]] || { echo "$output"; false; }
	eng rm -f detx >/dev/null
}

# pty_size CMD...: CMD's output under a pty of 37 rows and 101 columns
# (without the id mapping's warning: nosub prints one).
pty_size() {
	"$PTY" -t 30 bash -c 'stty rows 37 cols 101; exec "$@"' _ "$@" <<<"exit" | tr -d '\r' |
		grep -v '^WARN: '
}

@test "run -it (recorded, under its monitor): stty size is the terminal's from the start (20 runs)" {
	for i in $(seq 20); do
		out=$(pty_size "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -it "$IMG" stty size)
		assert_eq "$out" "37 101" "run $i"
	done
}

@test "start -ai and start -a of a created -t container: stty size is the terminal's" {
	id=$(eng create -it "$IMG" stty size)
	out=$(pty_size "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" start -ai "$id")
	assert_eq "$out" "37 101"
	out=$(pty_size "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" start -a "$id")
	assert_eq "$out" "37 101"
}

@test "run -i and run -it: the command's exit status passes through; 127, 126 as Docker's" {
	run --separate-stderr eng run -i "$IMG" sh -c 'cat; exit 7' <<<"piped-in"
	[ "$status" = 7 ]
	assert_eq "$output" "piped-in"
	run -127 --separate-stderr eng run -i "$IMG" /no/such/command </dev/null
	[ "$status" = 127 ]
	assert_contains "$stderr" "/no/such/command"
	run --separate-stderr eng run -it "$IMG" sh -c 'exit 9' </dev/null
	[ "$status" = 9 ]
	run -127 --separate-stderr eng run -it "$IMG" /no/such/command </dev/null
	[ "$status" = 127 ]
	assert_contains "$stderr" "/no/such/command"
	run -126 --separate-stderr eng run -it "$IMG" /etc </dev/null
	[ "$status" = 126 ]
}

@test "run -it: a big output reaches a slow reader whole" {
	run sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' run -it '$IMG' sh -c 'head -c 3000000 /dev/zero' </dev/null 2>/dev/null | (sleep 2; wc -c)"
	[ "$status" = 0 ]
	assert_eq "$output" "3000000"
}
