#!/usr/bin/env bats
# security.bats: the defaults Podman users expect: 11 capabilities, seccomp,
# masked and read-only paths, no leaked file descriptors.

load helpers

rootfs_suite

DEFAULT_CAPS=00000000800405fb

capline() { # capline FIELD OUTPUT
	echo "$2" | awk -v f="$1:" '$1 == f { print $2 }'
}

@test "capabilities: the 11 defaults; inheritable and ambient empty" {
	run erun grep -E '^Cap' /proc/self/status
	assert_eq "$status" 0
	assert_eq "$(capline CapEff "$output")" "$DEFAULT_CAPS" CapEff
	assert_eq "$(capline CapPrm "$output")" "$DEFAULT_CAPS" CapPrm
	assert_eq "$(capline CapBnd "$output")" "$DEFAULT_CAPS" CapBnd
	assert_eq "$(capline CapInh "$output")" 0000000000000000 CapInh
	assert_eq "$(capline CapAmb "$output")" 0000000000000000 CapAmb
}

@test "capabilities: a non-root user has none effective, same bounding set" {
	run erun -u 1000 grep -E '^Cap' /proc/self/status
	assert_eq "$(capline CapEff "$output")" 0000000000000000
	assert_eq "$(capline CapPrm "$output")" 0000000000000000
	assert_eq "$(capline CapBnd "$output")" "$DEFAULT_CAPS"
}

@test "capabilities: --cap-add, --cap-drop" {
	run erun --cap-drop ALL --cap-add NET_RAW grep CapEff /proc/self/status
	assert_eq "$(capline CapEff "$output")" 0000000000002000
	run erun --cap-drop chown grep CapBnd /proc/self/status
	assert_eq "$(capline CapBnd "$output")" 00000000800405fa
	run erun --cap-add sys_admin grep CapEff /proc/self/status
	assert_eq "$(capline CapEff "$output")" 00000000802405fb
}

@test "seccomp: filter mode by default, unconfined on request" {
	run erun grep '^Seccomp:' /proc/self/status
	assert_eq "$(echo $output)" "Seccomp: 2"
	run erun --security-opt seccomp=unconfined grep '^Seccomp:' /proc/self/status
	assert_eq "$(echo $output)" "Seccomp: 0"
}

@test "seccomp: a profile from a file is applied" {
	cat >"$BATS_TEST_TMPDIR/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
JSON
	run erun --security-opt seccomp="$BATS_TEST_TMPDIR/profile.json" mkdir /tmp/blocked
	assert_eq "$status" 1
	assert_contains "$output" "Permission denied"
	run erun mkdir /tmp/allowed
	assert_eq "$status" 0
}

@test "seccomp: privileged syscalls fail with EPERM" {
	run erun unshare -m true
	assert_contains "$output" "Operation not permitted"
	run erun --cap-add SYS_ADMIN --security-opt seccomp=unconfined unshare -m true
	assert_eq "$status" 0 "allowed with the capability and no filter"
}

@test "no_new_privs with --security-opt no-new-privileges" {
	run erun grep NoNewPrivs /proc/self/status
	assert_eq "$(echo $output)" "NoNewPrivs: 0"
	run erun --security-opt no-new-privileges grep NoNewPrivs /proc/self/status
	assert_eq "$(echo $output)" "NoNewPrivs: 1"
}

@test "masked paths read empty" {
	run erun sh -c 'cat /proc/timer_list /proc/keys /proc/sched_debug 2>/dev/null | wc -c'
	assert_eq "$output" 0
	if [ -e /proc/kcore ]; then
		run erun sh -c 'head -c 16 /proc/kcore | wc -c'
		assert_eq "$output" 0
	fi
	run erun ls /sys/firmware
	assert_eq "$output" ""
}

@test "read-only paths: /proc/sysrq-trigger and /proc/sys cannot be written" {
	run erun sh -c 'echo h > /proc/sysrq-trigger'
	[ "$status" -ne 0 ]
	run erun sh -c 'echo 1 > /proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
	run erun sh -c 'grep " /proc/sys " /proc/self/mounts'
	assert_contains "$output" " ro,"
}

@test "umount /proc fails" {
	run erun umount /proc
	[ "$status" -ne 0 ]
	run erun umount -l /proc
	[ "$status" -ne 0 ]
}

@test "mounts: /proc nosuid,nodev,noexec; /sys ro; devpts newinstance" {
	run erun cat /proc/self/mounts
	echo "$output" | grep -E '^proc /proc proc [^ ]*nosuid,nodev,noexec'
	echo "$output" | grep -E '^sysfs /sys sysfs ro,'
	echo "$output" | grep -E '^devpts /dev/pts devpts .*ptmxmode=666'
	echo "$output" | grep -E '^shm /dev/shm tmpfs '
	echo "$output" | grep -E '^mqueue /dev/mqueue mqueue '
	run erun sh -c 'ls -l /dev/ptmx /dev/fd /dev/stdin'
	assert_contains "$output" "/dev/ptmx -> pts/ptmx"
	assert_contains "$output" "/dev/fd -> /proc/self/fd"
	run erun sh -c 'echo hi > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
	assert_eq "$(echo $output)" "4 4"
}

@test "no host fd reaches the container" {
	run bash -c "exec 5</etc/hostname 7>/dev/null; $ENGINE run --rootfs $ROOTFS ls /proc/self/fd"
	assert_eq "$(echo $output)" "0 1 2 3"
}

@test "--privileged: all caps, no seccomp, nothing masked" {
	run erun --privileged sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep -c -E " /proc/(timer_list|keys|acpi) " /proc/self/mounts'
	if [ "$ENGINE_TEST_MODE" = root ]; then
		# Real root: what the caller's own bounding set allows (exec
		# intersects the permitted set with the bounding set).
		want=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	else
		# A new user namespace starts with a full bounding set.
		want=$(printf '%016x' $(( (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 )))
	fi
	assert_eq "$(capline CapEff "$output")" "$want"
	assert_contains "$output" "Seccomp:	0"
	assert_eq "$(echo "$output" | tail -1)" 0 "no mount masks /proc paths"
	run erun sh -c 'grep -c -E " /proc/(timer_list|keys|acpi) " /proc/self/mounts'
	assert_eq "$output" 3 "without --privileged they are masked"
}

@test "--read-only makes / read-only" {
	run erun --read-only touch /newfile
	[ "$status" -ne 0 ]
	assert_contains "$output" "Read-only file system"
}

@test "the container is in its own namespaces" {
	for ns in mnt pid uts ipc net cgroup; do
		host=$(readlink /proc/self/ns/$ns)
		inside=$(erun readlink /proc/self/ns/$ns)
		[ "$host" != "$inside" ] || { echo "$ns shared with the host"; false; }
	done
	run erun sh -c 'echo $$'
	assert_eq "$output" 1
}
