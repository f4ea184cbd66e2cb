#!/usr/bin/env bats
# info.bats and version: what the engine detects about this host.

load helpers

@test "engine info --format json is valid JSON with the detected facts" {
	run --separate-stderr "$ENGINE" info --format json
	assert_eq "$status" 0
	echo "$output" | jq -e . >/dev/null
	mode=$(echo "$output" | jq -r .idmap.mode)
	case "$ENGINE_TEST_MODE" in
	rootless) assert_eq "$mode" subid ;;
	nosub) assert_eq "$mode" single ;;
	root) assert_eq "$mode" root ;;
	esac
	layout=$(echo "$output" | jq -r .cgroups.layout)
	case "$layout" in v1 | v2 | hybrid) ;; *) false ;; esac
	echo "$output" | jq -e '.store.driver | test("^(overlay|fuse-overlayfs|vfs)$")'
	echo "$output" | jq -e '.features.userNamespaces == true'
	echo "$output" | jq -e '.features.openat2 == true'
	echo "$output" | jq -e '.host.kernel | length > 0'
}

@test "engine info: overlay works in a user namespace on this kernel" {
	# A store of its own: the default one may have recorded another driver.
	run "$ENGINE" --root "$BATS_TEST_TMPDIR/store" info --format '{{json .}}'
	echo "$output" | jq -e '.features.overlayInUserNamespace == true'
	echo "$output" | jq -e '.store.driver == "overlay"'
	echo "$output" | jq -e '.store.driverSource == "detected"'
	[ ! -e "$BATS_TEST_TMPDIR/store" ] # info creates no store
}

# A sysctl file reports size 0 and answers a read at an offset
# with EOF, so the value read to its size was its first digit alone.
@test "engine info: maxUserNamespaces is the whole sysctl value" {
	want=$(cat /proc/sys/user/max_user_namespaces)
	[ "${#want}" -gt 1 ] # one digit would not tell the bug
	run --separate-stderr "$ENGINE" info --format json
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | jq -r .features.maxUserNamespaces)" "$want"
	run --separate-stderr "$ENGINE" info
	assert_eq "$status" 0
	assert_contains "$output" "maxUserNamespaces: $want"
}

@test "engine info (text) names the id map and cgroup layout" {
	run "$ENGINE" info
	assert_eq "$status" 0
	assert_contains "$output" "idmap:"
	assert_contains "$output" "layout:"
	assert_contains "$output" "driver:"
}

# bats test_tags=only:rootless
@test "engine info: rootless reports the subordinate range" {
	run "$ENGINE" info --format json
	start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	assert_eq "$(echo "$output" | jq -r '.idmap.uidmap[1].host_id')" "$start"
	assert_eq "$(echo "$output" | jq -r '.idmap.uidmap[0].host_id')" "$(id -u)"
}

@test "engine version and --version" {
	run "$ENGINE" version
	assert_eq "$status" 0
	assert_contains "$output" "Version:"
	run "$ENGINE" --version
	assert_contains "$output" "engine version"
	run "$ENGINE" version --format json
	echo "$output" | jq -e '.Client.Version | length > 0'
}

# the manager a container gets, and why not when none.
@test "engine info: cgroup manager, version and, when disabled, the reason" {
	run --separate-stderr "$ENGINE" info --format json
	assert_eq "$status" 0
	mgr=$(echo "$output" | jq -r .host.cgroupManager)
	case "$mgr" in systemd | cgroupfs | disabled) ;; *) false ;; esac
	echo "$output" | jq -e '.host.cgroupVersion | test("^v[12]$")'
	echo "$output" | jq -e '.host.cgroupControllers | type == "array"'
	if [ "$mgr" = disabled ]; then
		echo "$output" | jq -e '.cgroups.reason | length > 0'
		echo "$output" | jq -e '.cgroups.hint | test("Delegate=")'
	fi
	# This CI host is a v1 hybrid: the reason must say so.
	if [ "$(echo "$output" | jq -r .cgroups.layout)" = hybrid ]; then
		assert_eq "$mgr" disabled
		assert_contains "$(echo "$output" | jq -r .cgroups.reason)" "hybrid"
	fi
}

# the systemd cgroup manager dlopen()s libsystemd on first use.
@test "engine does not link libsystemd" {
	run ldd "$ENGINE"
	assert_eq "$status" 0
	[[ "$output" == *libjansson* ]]
	[[ "$output" != *libsystemd* ]]
}
