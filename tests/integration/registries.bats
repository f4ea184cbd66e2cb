#!/usr/bin/env bats
# registries.bats: registries.conf (ENGINE_REGISTRIES_CONF): mirrors tried
# before the registry, a short name pulled through a mirror of docker.io
# without docker.io ever being asked, dead and empty mirrors skipped, the
# short-name registry, a blocked registry and a malformed file refused with
# one line.  A non-loopback insecure registry needs DNS or another address:
# the unit test (test-registries-conf) covers that one.

load helpers

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	export ENGINE_ROOT2="$BATS_FILE_TMPDIR/store2"
	export ENGINE_REGISTRIES_CONF="$BATS_FILE_TMPDIR/registries.conf"
	: >"$ENGINE_REGISTRIES_CONF"
	# The mirror's content, put there by the engine's own push.  Pushing
	# the same image gives the same bytes and digest, so runs may share
	# (and leave) the repository.
	"$ENGINE" --root "$ENGINE_ROOT" pull -q "$REG/busybox:latest" >/dev/null
	"$ENGINE" --root "$ENGINE_ROOT" push -q "$REG/busybox:latest" \
		"$REG/mirror/library/busybox:latest" >/dev/null
}

teardown_file() {
	remove_images "$ENGINE_ROOT" "$ENGINE_ROOT2"
}

eng2() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" "$@"
}

# Run "$@" with every proxy pointing at a closed local port and only
# 127.0.0.1 exempt: a request for anything else (docker.io above all)
# fails at once, on this machine, instead of leaving it.  So a pull that
# succeeds here was served by 127.0.0.1.
offline() {
	local p=http://127.0.0.1:1
	env https_proxy=$p http_proxy=$p HTTPS_PROXY=$p all_proxy=$p ALL_PROXY=$p \
		no_proxy=127.0.0.1 NO_PROXY=127.0.0.1 "$@"
}

conf() { # the configuration, from stdin
	cat >"$ENGINE_REGISTRIES_CONF"
}

@test "the guard: without a mirror a short name goes to docker.io, and fails here at once" {
	: | conf
	run offline "$ENGINE" --root "$ENGINE_ROOT2" pull -q busybox
	assert_eq "$status" 125
	assert_contains "$output" "docker.io/library/busybox"
}

@test "a short name is pulled through a mirror of docker.io; docker.io is never asked" {
	conf <<-EOF
		unqualified-search-registries = ["docker.io"]
		[[registry]]
		location = "docker.io"
		[[registry.mirror]]
		location = "$REG/mirror"
	EOF
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" --log-level=debug pull busybox
	assert_eq "$status" 0
	assert_contains "$output" "pull: from mirror $REG/mirror/library/busybox"
	# The layer came from the mirror too (the store was empty).
	assert_contains "$output" "GET http://$REG/v2/mirror/library/busybox/blobs/"
	[[ "$output" != *"registry-1.docker.io"* ]]
	assert_eq "$(echo "$output" | tail -1)" "$BUSYBOX_ID"
	run eng2 images --format '{{.Repository}}:{{.Tag}}'
	assert_eq "$output" "busybox:latest"
	run eng2 images
	echo "$output" | grep -E '^busybox +latest +1bdef5d4e5f7 '
	# The name is docker.io's: run finds it by the short name, offline.
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" run --rm busybox echo hi
	assert_eq "$output" hi
}

@test "a dead mirror and one without the image are skipped; by digest, the digest holds" {
	conf <<-EOF
		[[registry]]
		location = "docker.io"
		[[registry.mirror]]
		location = "127.0.0.1:1/mirror"      # nothing listens: connection refused
		[[registry.mirror]]
		location = "$REG/no-such-mirror"     # 404
		[[registry.mirror]]
		location = "$REG/mirror"
	EOF
	digest=$(manifest_digest mirror/library/busybox latest)
	[[ "$digest" =~ ^sha256: ]]
	eng2 rmi -f busybox >/dev/null 2>&1 || true
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" --log-level=debug pull busybox
	assert_eq "$status" 0
	assert_contains "$output" "mirror 127.0.0.1:1/mirror/library/busybox: "
	assert_contains "$output" "mirror $REG/no-such-mirror/library/busybox: "
	assert_contains "$output" "404"
	assert_contains "$output" "pull: from mirror $REG/mirror/library/busybox"
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" pull -q "busybox@$digest"
	assert_eq "$status" 0
	assert_eq "$output" "$BUSYBOX_ID"
	run eng2 inspect --format '{{.Id}}' "busybox@$digest"
	assert_contains "$output" "$BUSYBOX_ID"
}

@test "unqualified-search-registries: its first entry is where short names live" {
	conf <<-EOF
		# Podman's way of writing it: one entry a line, a trailing comma
		unqualified-search-registries = [
		  "$REG",
		  "docker.io",
		]
	EOF
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" pull -q busybox
	assert_eq "$status" 0
	assert_eq "$output" "$BUSYBOX_ID"
	run eng2 images --format '{{.Repository}}' "$REG/busybox"
	assert_eq "$output" "$REG/busybox"
	run offline "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT2" run --rm busybox echo found
	assert_eq "$output" found
}

@test "a blocked registry is refused with one line, before any request" {
	conf <<-EOF
		[[registry]]
		location = "$REG"
		blocked = true
		[[registry]]
		location = "docker.io/library"
		blocked = true
		[[registry.mirror]]
		location = "$REG/mirror"
	EOF
	expect_engine_error "registry $REG is blocked in registries.conf" \
		"$ENGINE" --root "$ENGINE_ROOT2" pull "$REG/busybox:latest"
	expect_engine_error "pull docker.io/library/busybox: registry docker.io/library is blocked" \
		offline "$ENGINE" --root "$ENGINE_ROOT2" pull busybox
	# run pulls a missing image through the same rule.
	expect_engine_error "registry $REG is blocked" \
		"$ENGINE" --root "$ENGINE_ROOT2" run --rm "$REG/layered" true
	# Push is not a pull: blocked does not apply.
	run "$ENGINE" --root "$ENGINE_ROOT" push -q "$REG/busybox:latest" "$REG/mirror/library/busybox:latest"
	assert_eq "$status" 0
}

@test "a malformed file: one line naming the file and the line, exit 125" {
	conf <<-EOF
		[[registry]]
		location = "$REG"

		mirror = "x"
	EOF
	expect_engine_error "^Error: $ENGINE_REGISTRIES_CONF:4: unknown key \"mirror\"" \
		"$ENGINE" --root "$ENGINE_ROOT2" pull busybox
	expect_engine_error "$ENGINE_REGISTRIES_CONF:4: " "$ENGINE" --root "$ENGINE_ROOT2" images
	printf '[[registry]]\nlocation = "%s"\ninsecure = yes\n' "$REG" | conf
	expect_engine_error "$ENGINE_REGISTRIES_CONF:3: expected a quoted string, true, false" \
		"$ENGINE" --root "$ENGINE_ROOT2" pull "$REG/busybox"
	printf '[aliases]\n' | conf
	expect_engine_error "$ENGINE_REGISTRIES_CONF:1: unknown table \[aliases\]" \
		"$ENGINE" --root "$ENGINE_ROOT2" pull "$REG/busybox"
	expect_engine_error "ENGINE_REGISTRIES_CONF: .*No such file" \
		env ENGINE_REGISTRIES_CONF="$BATS_FILE_TMPDIR/none.conf" "$ENGINE" images
}
