#!/usr/bin/env bats
# logs.bats: the monitor's log drivers (k8s-file, json-file, none), size
# rotation, logs --since/--until/--tail, and restart policies.

load helpers

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

# wait_for CMD...: up to 20 s for CMD to succeed.
wait_for() {
	for _ in $(seq 200); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

state_is() {
	[ "$(eng inspect --format '{{.State.Status}}' "$1")" = "$2" ]
}

ctr_dir() {
	echo "$ENGINE_ROOT/containers/$(eng inspect --format '{{.Id}}' "$1")"
}

@test "json-file: Docker's exact line shape, read back by logs" {
	eng run -d --name js --log-driver json-file "$IMG" sh -c 'printf "a <b> & \"c\"\n"; echo oops >&2; printf "tail"'
	wait_for state_is js exited
	f="$(ctr_dir js)/ctr.log"
	python3 - "$f" <<'PY'
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, lines
# Docker's escaping of <, > and &, its key order, 9 fraction digits.
assert lines[0].startswith('{"log":"a \\u003cb\\u003e \\u0026 \\"c\\"\\n","stream":"stdout","time":"'), lines[0]
shape = re.compile(r'^\{"log":".*","stream":"(stdout|stderr)","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\}$')
for l in lines:
    assert shape.match(l), l
recs = [json.loads(l) for l in lines]
assert recs[0]["log"] == 'a <b> & "c"\n'
assert recs[1] == {"log": "oops\n", "stream": "stderr", "time": recs[1]["time"]}
assert recs[2]["log"] == "tail"   # a line cut by the exit has no "\n"
PY
	out=$(eng logs js 2>/dev/null)
	assert_eq "$out" 'a <b> & "c"
tail'
	err=$(eng logs js 2>&1 >/dev/null)
	assert_eq "$err" "oops"
	run eng inspect --format '{{.HostConfig.LogConfig.Type}}' js
	assert_eq "$output" "json-file"
}

@test "max-size rotates ctr.log into ctr.log.1 .. (max-file); logs reads them oldest first" {
	eng run -d --name rot --log-driver json-file --log-opt max-size=1k --log-opt max-file=3 "$IMG" \
		sh -c 'for i in $(seq 1 200); do echo "line $i"; done'
	wait_for state_is rot exited
	d=$(ctr_dir rot)
	[ -f "$d/ctr.log" ] && [ -f "$d/ctr.log.1" ] && [ -f "$d/ctr.log.2" ]
	[ ! -e "$d/ctr.log.3" ]
	for f in "$d"/ctr.log*; do
		size=$(stat -c %s "$f")
		[ "$size" -le 1024 ] || { echo "$f: $size bytes"; false; }
	done
	out=$(eng logs rot)
	# What is left is the newest lines, in order, ending with the last one.
	first=$(echo "$out" | head -1 | sed 's/line //')
	expected=$(seq "$first" 200 | sed 's/^/line /')
	assert_eq "$out" "$expected"
	[ "$first" -gt 1 ]
	run eng logs --tail 2 rot
	assert_eq "$output" "line 199
line 200"
}

@test "max-file=1 (the default): one file, started over" {
	eng run -d --name one --log-opt max-size=1k "$IMG" sh -c 'for i in $(seq 1 200); do echo "line $i"; done'
	wait_for state_is one exited
	d=$(ctr_dir one)
	[ ! -e "$d/ctr.log.1" ]
	[ "$(stat -c %s "$d/ctr.log")" -le 1024 ]
	run eng logs one
	assert_eq "${lines[-1]}" "line 200"
	# k8s-file is the default format
	grep -Eq '^[0-9-]+T[0-9:.]+Z stdout F line 200$' "$d/ctr.log"
}

@test "--log-driver none: no log file, logs fails as Docker's" {
	eng run -d --name nolog --log-driver none "$IMG" echo hidden
	wait_for state_is nolog exited
	[ ! -e "$(ctr_dir nolog)/ctr.log" ]
	run eng logs nolog
	assert_eq "$status" 1
	assert_eq "$output" "Error: configured logging driver does not support reading"
}

@test "bad --restart, --log-driver and --log-opt values: one line, 125" {
	before=$(eng ps -aq | wc -l)
	run eng run -d --restart sometimes "$IMG" true
	assert_eq "$status" 125
	assert_eq "${#lines[@]}" 1
	assert_contains "$output" "sometimes"
	run eng run --rm --restart always "$IMG" true
	assert_eq "$status" 125
	assert_eq "$output" "Error: Conflicting options: --restart and --rm"
	run eng run -d --log-driver syslog "$IMG" true
	assert_eq "$status" 125
	assert_contains "$output" "syslog"
	run eng run -d --log-opt max-size=lots "$IMG" true
	assert_eq "$status" 125
	assert_contains "$output" "max-size=lots"
	run eng run -d --restart always:3 "$IMG" true
	assert_eq "$status" 125
	# nothing was recorded
	assert_eq "$(eng ps -aq | wc -l)" "$before"
}

@test "logs --since and --until: RFC 3339, Unix time, durations" {
	eng run -d --name times "$IMG" sh -c 'echo early; sleep 2; echo late; sleep 1000'
	wait_for sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' logs times | grep -q late"
	# The time of "late" from the log itself.
	late_ts=$(eng logs -t times | sed -n 's/ late$//p')
	early_ts=$(eng logs -t times | sed -n 's/ early$//p')
	[ -n "$late_ts" ] && [ -n "$early_ts" ]
	run eng logs --since "$late_ts" times
	assert_eq "$output" "late"
	run eng logs --until "$early_ts" times
	assert_eq "$output" "early"
	unix=$(python3 -c "import datetime,sys; t=datetime.datetime.strptime(sys.argv[1][:26]+'Z','%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc); print('%.6f' % t.timestamp())" "$late_ts")
	run eng logs --since "$unix" times
	assert_eq "$output" "late"
	run eng logs --since 1h times
	assert_eq "$output" "early
late"
	run eng logs --since 1h30m --until 1m times
	assert_eq "$output" ""
	run eng logs --since yesterday times
	assert_eq "$status" 125
	assert_contains "$output" "yesterday"
	eng rm -f times
}

@test "--restart on-failure:2 restarts exactly twice, then Exited; RestartCount in inspect" {
	eng run -d --name onf --restart on-failure:2 "$IMG" sh -c 'echo run; exit 3'
	wait_for state_is onf exited
	# the monitor is gone once it is final
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' logs onf | grep -c run)\" = 3 ]"
	run eng inspect --format '{{.RestartCount}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' onf
	assert_eq "$output" "2 3 on-failure 2"
	sleep 1
	assert_eq "$(eng logs onf | grep -c run)" 3
	# success is not a failure: no restart
	eng run -d --name onf0 --restart on-failure "$IMG" sh -c 'echo once'
	wait_for state_is onf0 exited
	sleep 1
	assert_eq "$(eng logs onf0 | grep -c once)" 1
	assert_eq "$(eng inspect --format '{{.RestartCount}}' onf0)" 0
}

@test "--restart always restarts after a clean exit; stop is not undone" {
	eng run -d --name alw --restart always "$IMG" sh -c 'echo tick; sleep 0.3'
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' inspect --format '{{.RestartCount}}' alw)\" -ge 2 ]"
	run eng ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" =~ alw\ (Up|Restarting\ \(0\)) ]] || { echo "$output"; false; }
	eng stop -t 1 alw
	run eng inspect --format '{{.State.Status}}' alw
	assert_eq "$output" "exited"
	n=$(eng logs alw | grep -c tick)
	sleep 1.5
	run eng inspect --format '{{.State.Status}}' alw
	assert_eq "$output" "exited"
	assert_eq "$(eng logs alw | grep -c tick)" "$n"
	# start again: the policy holds once more
	eng start alw
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' logs alw | grep -c tick)\" -ge $((n + 2)) ]"
	# kill refuses a container between two runs (restarting, as Docker
	# does): the kill that lands on a running one is not undone.
	wait_for eng kill alw
	sleep 1
	run eng inspect --format '{{.State.Status}}' alw
	assert_eq "$output" "exited"
	eng rm -f alw
}

@test "--restart unless-stopped: rm -f of a restarting container ends it" {
	eng run -d --name uls --restart unless-stopped "$IMG" sh -c 'exit 1'
	wait_for sh -c "[ \"\$('$ENGINE' --root '$ENGINE_ROOT' inspect --format '{{.RestartCount}}' uls)\" -ge 3 ]"
	eng rm -f uls
	run eng inspect uls
	assert_eq "$status" 1
	# its monitor does not bring it back
	sleep 1
	run eng ps -a --format '{{.Names}}'
	! assert_contains "$output" uls 2>/dev/null
}
