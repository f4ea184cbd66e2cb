#!/usr/bin/env bats
# cgroups.bats: on a host that cannot delegate cgroup v2
# controllers (this CI host: a v1 hybrid).  Containers still run; limits
# asked for print one warning naming why they are not applied; the limit
# flags are parsed with Docker's messages and recorded; stats shows what
# it can read, pause and update fail with the reason.  The limits
# themselves are tested where they can hold: tests/vm/engine.sh.  On a
# host that delegates cgroups the tests of the warnings skip, with that
# reason.

load helpers

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	setup_rootfs
}

teardown_file() {
	store_teardown
	cleanup_rootfs
}

# inspect_is CONTAINER FORMAT WANT: inspect --format FORMAT prints WANT.
inspect_is() {
	run -0 eng inspect --format "$2" "$1"
	assert_eq "$output" "$3"
}

# The detection's own verdict: this file is about hosts without delegation.
cgroup_manager() {
	"$ENGINE" info --format json | sed -n 's/.*"cgroupManager": *"\([a-z]*\)".*/\1/p' | head -1
}

# A test of what happens without delegation cannot run where there is
# some (the test VM, a developer's cgroup v2 machine): it skips, and
# tests/vm/engine.sh tests the limits themselves there.
skip_if_delegated() {
	local m
	m=$(cgroup_manager)
	[ -n "$m" ] || { echo "engine info names no cgroupManager"; false; }
	[ "$m" = disabled ] || skip "this host delegates cgroups (manager ${m:-unknown}): the limits are tested in tests/vm/engine.sh"
}

@test "engine info names the cgroup layout and the manager" {
	run -0 eng info --format json
	layout=$(printf '%s' "$output" | tr -d ' \n' | sed -n 's/.*"cgroups":{"layout":"\([a-z0-9]*\)".*/\1/p')
	# What /proc/self/mountinfo says: cgroup2 at /sys/fs/cgroup is v2, at
	# unified/ beside v1 hierarchies hybrid.
	if grep -q ' /sys/fs/cgroup cgroup2 ' <(awk '{ print "", $5, $(NF-2), "" }' /proc/self/mountinfo); then
		want=v2
	elif grep -q ' - cgroup ' /proc/self/mountinfo && grep -q ' - cgroup2 ' /proc/self/mountinfo; then
		want=hybrid
	else
		want=v1
	fi
	assert_eq "$layout" "$want" "cgroups.layout"
	run -0 eng info
	assert_contains "$output" "cgroupManager:"
	assert_contains "$output" "layout: $want"
}

@test "run --memory 32m where cgroups are not delegated: the container runs, one warning says why" {
	skip_if_delegated
	run --separate-stderr -0 eng run --rm --rootfs "$ROOTFS" --memory 32m echo ran
	assert_eq "$output" "ran"
	assert_eq "${#stderr_lines[@]}" 1 "warning lines"
	[[ "$stderr" =~ ^WARN:\ resource\ limits\ are\ not\ applied:\ cgroup ]] || { echo "$stderr"; false; }
	# The reason is the detection's, as engine info gives it.
	reason=$(eng info --format json | sed -n 's/.*"reason": *"\([^"]*\)".*/\1/p' | head -1)
	assert_contains "$stderr" "$reason"
}

@test "run without limits prints no cgroup warning; several limits still one line" {
	run --separate-stderr -0 eng run --rm --rootfs "$ROOTFS" true
	assert_eq "$stderr" ""
	run --separate-stderr -0 eng run --rm --rootfs "$ROOTFS" --memory 64m --cpus 0.5 --pids-limit 20 \
		--cpu-shares 512 --memory-reservation 32m true
	if [ "$(cgroup_manager)" = disabled ]; then
		assert_eq "${#stderr_lines[@]}" 1 "warning lines"
	fi
}

@test "the container gets a cgroup namespace of its own" {
	run -0 eng run --rm --rootfs "$ROOTFS" readlink /proc/self/ns/cgroup
	[[ "$output" =~ ^cgroup:\[[0-9]+\]$ ]] || { echo "$output"; false; }
	host=$(readlink /proc/self/ns/cgroup)
	[ "$output" != "$host" ] || { echo "same cgroup namespace as the host: $output"; false; }
	run -0 eng run --rm --rootfs "$ROOTFS" --cgroups disabled true
}

@test "limit flags: Docker's parsing and messages, exit 125, nothing left" {
	before=$(eng ps -aq | wc -l)
	expect_engine_error "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'" \
		eng run --rm --rootfs "$ROOTFS" --memory abc true
	expect_engine_error "invalid size: '12x'" eng run --rm --rootfs "$ROOTFS" -m 12x true
	expect_engine_error "Minimum memory limit allowed is 6MB" eng run --rm --rootfs "$ROOTFS" --memory 1m true
	expect_engine_error "failed to parse x as a rational number" eng run --rm --rootfs "$ROOTFS" --cpus x true
	expect_engine_error "Range of CPUs is from 0.01 to" eng run --rm --rootfs "$ROOTFS" --cpus 100000 true
	expect_engine_error "Conflicting options: Nano CPUs and CPU Period cannot both be set" \
		eng run --rm --rootfs "$ROOTFS" --cpus 1 --cpu-period 50000 true
	expect_engine_error "Conflicting options: Nano CPUs and CPU Quota cannot both be set" \
		eng run --rm --rootfs "$ROOTFS" --cpus 1 --cpu-quota 50000 true
	expect_engine_error "CPU cfs period can not be less than 1ms" eng run --rm --rootfs "$ROOTFS" --cpu-period 10 true
	expect_engine_error "CPU cfs quota can not be less than 1ms" eng run --rm --rootfs "$ROOTFS" --cpu-quota 10 true
	expect_engine_error "You should always set the Memory limit when using Memoryswap limit" \
		eng run --rm --rootfs "$ROOTFS" --memory-swap 64m true
	expect_engine_error "Minimum memoryswap limit should be larger than memory limit" \
		eng run --rm --rootfs "$ROOTFS" --memory 64m --memory-swap 32m true
	expect_engine_error "Invalid value 1-x for cpuset cpus" eng run --rm --rootfs "$ROOTFS" --cpuset-cpus 1-x true
	expect_engine_error "invalid argument \"lots\" for \"--pids-limit\" flag" \
		eng run --rm --rootfs "$ROOTFS" --pids-limit lots true
	expect_engine_error 'invalid cgroup mode "sometimes"' eng run --rm --rootfs "$ROOTFS" --cgroups sometimes true
	expect_engine_error "cannot set resource limits when cgroups are disabled" \
		eng run --rm --rootfs "$ROOTFS" --cgroups disabled --memory 32m true
	expect_engine_error 'unknown cgroup manager "foo"' "$ENGINE" --cgroup-manager foo ps
	assert_eq "$(eng ps -aq | wc -l)" "$before" "containers after refused runs"
}

@test "create records the limits: inspect's HostConfig, kept across start" {
	run -0 eng create --name lim --rootfs "$ROOTFS" --memory 32m --memory-swap 64m --cpus 1.5 \
		--pids-limit 20 --cpuset-cpus 0 --cpu-shares 512 sleep 600
	inspect_is lim '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CpuShares}}' "33554432 67108864 1500000000 20 0 512"
	run -0 eng start lim
	inspect_is lim '{{.State.Running}} {{.State.Paused}} {{.State.OOMKilled}} {{.HostConfig.Memory}}' "true false false 33554432"
	eng rm -f lim
}

@test "update: recorded for a stopped container; refused with the reason for a running one without a cgroup" {
	run -0 eng create --name upd --rootfs "$ROOTFS" sleep 600
	run -0 eng update --memory 64m --pids-limit 30 upd
	assert_eq "$output" "upd"
	inspect_is upd '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' "67108864 30"
	run -1 eng update --memory abc upd
	assert_contains "$output" "invalid size: 'abc'"
	inspect_is upd '{{.HostConfig.Memory}}' "67108864"
	run -125 eng update upd
	assert_contains "$output" "you must provide one or more flags"
	run -1 eng update --memory 32m nosuchcontainer
	assert_contains "$output" "No such container: nosuchcontainer"
	if [ "$(cgroup_manager)" = disabled ]; then
		run -0 eng start upd
		run -1 eng update --memory 32m upd
		assert_contains "$output" "Cannot update container upd: the container has no cgroup"
		# Nothing recorded for the refused update.
		inspect_is upd '{{.HostConfig.Memory}}' "67108864"
	fi
	eng rm -f upd
}

@test "stats --no-stream: Docker's columns, PIDs and CPU from the processes, memory marked unavailable" {
	run -0 eng run -d --name st --rootfs "$ROOTFS" sleep 600
	run --separate-stderr -0 eng stats --no-stream st
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]] ||
		{ echo "${lines[0]}"; false; }
	assert_eq "${#lines[@]}" 2 "rows"
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +st\ +[0-9.]+%\ .*\ 1$ ]] || { echo "${lines[1]}"; false; }
	if [ "$(cgroup_manager)" = disabled ]; then
		assert_contains "${lines[1]}" "-- / --"
		assert_eq "${#stderr_lines[@]}" 1 "warning lines"
		assert_contains "$stderr" "st: memory and block I/O are not shown: the container has no cgroup"
	fi
	run --separate-stderr -0 eng stats --no-stream --format '{{.Name}} {{.PIDs}}' st
	assert_eq "$output" "st 1"
	run --separate-stderr -0 eng stats --no-stream --format json st
	assert_contains "$output" '"Name":"st"'
	# With no name: the running containers.
	run --separate-stderr -0 eng stats --no-stream --format '{{.Name}}'
	assert_contains "$output" "st"
	run -1 eng stats --no-stream nosuchcontainer
	assert_contains "$output" "No such container: nosuchcontainer"
	eng rm -f st
}

@test "pause without a delegated cgroup fails with the reason; the container runs on" {
	skip_if_delegated
	run -0 eng run -d --name pz --rootfs "$ROOTFS" sleep 600
	run -125 eng pause pz
	assert_eq "${#lines[@]}" 1 "lines"
	assert_contains "$output" "Error: pause pz: "
	assert_contains "$output" "cgroup"
	inspect_is pz '{{.State.Status}} {{.State.Paused}}' "running false"
	run -0 eng ps --format '{{.Names}} {{.State}}'
	assert_contains "$output" "pz running"
	eng rm -f pz
}

# --cgroup-parent: where nothing is delegated it is taken,
# recorded and ignored with the one warning line; the slice and path
# rules, and the parent itself, are checked in the VM (tests/vm/engine.sh).
@test "--cgroup-parent where cgroups are not delegated: one warning says why; inspect shows it" {
	skip_if_delegated
	run --separate-stderr -0 eng run --rm --rootfs "$ROOTFS" --cgroup-parent test-engine.slice echo ran
	assert_eq "$output" "ran"
	assert_eq "${#stderr_lines[@]}" 1 "warning lines"
	[[ "$stderr" =~ ^WARN:\ --cgroup-parent\ is\ not\ applied:\ cgroup ]] || { echo "$stderr"; false; }
	# With a limit too: still one line, naming both.
	run --separate-stderr -0 eng run --rm --rootfs "$ROOTFS" --cgroup-parent sub/dir --memory 32m true
	assert_eq "${#stderr_lines[@]}" 1 "warning lines"
	assert_contains "$stderr" "resource limits and --cgroup-parent are not applied: "
	run -0 eng create --name cgp --rootfs "$ROOTFS" --cgroup-parent test-engine.slice true
	inspect_is cgp '{{.HostConfig.CgroupParent}}' "test-engine.slice"
	run -0 eng start cgp
	inspect_is cgp '{{.HostConfig.CgroupParent}}' "test-engine.slice"
	eng rm -f cgp
	run -0 eng create --name nocgp --rootfs "$ROOTFS" true
	inspect_is nocgp '[{{.HostConfig.CgroupParent}}]' "[]"
	eng rm -f nocgp
}

@test "--cgroup-parent with an empty name: one line, exit 125, nothing created" {
	before=$(eng ps -aq | wc -l)
	expect_engine_error "--cgroup-parent: an empty name" eng run --rm --rootfs "$ROOTFS" --cgroup-parent "" true
	assert_eq "$(eng ps -aq | wc -l)" "$before" "containers after the refused run"
}
