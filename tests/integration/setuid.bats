#!/usr/bin/env bats
# setuid.bats (root only): the engine refuses to run setuid or setgid.

load helpers

setup() {
	[ "$(id -u)" = 0 ]
	d=$(mktemp -d /var/tmp/engine-setuid.XXXXXX)
	chmod 0755 "$d"
	cp "$(command -v "$ENGINE")" "$d/engine"
	user=${ENGINE_TEST_USER:-tester}
}

teardown() {
	rm -rf "$d"
}

@test "a setuid engine refuses to run, for its owner and for others" {
	chmod 4755 "$d/engine"
	run runuser -u "$user" -- "$d/engine" version
	assert_eq "$status" 125
	assert_contains "$output" "must not be installed setuid"
	run "$d/engine" version
	assert_eq "$status" 125
}

@test "a setgid engine refuses to run" {
	chmod 2755 "$d/engine"
	run runuser -u "$user" -- "$d/engine" version
	assert_eq "$status" 125
	assert_contains "$output" "setuid or setgid"
}

@test "the same binary without the bits runs" {
	chmod 0755 "$d/engine"
	run runuser -u "$user" -- "$d/engine" version
	assert_eq "$status" 0
}
