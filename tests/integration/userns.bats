#!/usr/bin/env bats
# userns.bats: the id mapping, per mode (ENGINE_TEST_MODE):
#   rootless  the test user with /etc/subuid ranges: 0 = user, 1.. = subuids
#   nosub     a user without ranges: one line, one warning
#   root      real root: no user namespace

load helpers

rootfs_suite

subid_start() { # the first subordinate id of the calling user
	awk -F: -v u="$(id -un)" -v n="$(id -u)" '$1 == u || $1 == n { print $2; exit }' "$1"
}

@test "uid_map and gid_map" {
	run --separate-stderr erun cat /proc/self/uid_map /proc/self/gid_map
	assert_eq "$status" 0
	maps=$(echo "$output" | awk '{ print $1, $2, $3 }' | tr '\n' ';')
	case "$ENGINE_TEST_MODE" in
	rootless)
		assert_eq "$maps" "0 $(id -u) 1;1 $(subid_start /etc/subuid) 65536;0 $(id -g) 1;1 $(subid_start /etc/subgid) 65536;"
		assert_eq "$stderr" "" "no warning with subuid ranges"
		;;
	nosub)
		assert_eq "$maps" "0 $(id -u) 1;0 $(id -g) 1;"
		;;
	root)
		assert_eq "$maps" "0 0 4294967295;0 0 4294967295;"
		;;
	esac
}

@test "a file created as uid 1000 inside is owned by the mapped id outside" {
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		# Only root is mapped: uid 1000 cannot exist, and says so.
		run erun -u 1000 true
		assert_eq "$status" 125
		assert_contains "$output" "not mapped"
		return
	fi
	erun -u 1000 touch /tmp/owned-by-1000
	owner=$(stat -c %u "$ROOTFS/tmp/owned-by-1000")
	case "$ENGINE_TEST_MODE" in
	rootless) assert_eq "$owner" "$(( $(subid_start /etc/subuid) + 999 ))" ;;
	root) assert_eq "$owner" 1000 ;;
	esac
	erun touch /tmp/owned-by-root
	assert_eq "$(stat -c %u "$ROOTFS/tmp/owned-by-root")" "$(id -u)" "container root is the user"
}

@test "the fallback warning is one line, only without ranges" {
	run --separate-stderr erun true
	assert_eq "$status" 0
	if [ "$ENGINE_TEST_MODE" = nosub ]; then
		assert_eq "$(echo "$stderr" | wc -l)" 1
		assert_contains "$stderr" "no subuid range for $(id -un)"
		assert_contains "$stderr" "single-id mapping"
	else
		assert_eq "$stderr" ""
	fi
}

@test "a user without ranges still runs a container as root" {
	run erun id -u
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | tail -1)" 0
}
