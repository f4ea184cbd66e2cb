#!/usr/bin/env bats
# push.bats: push to the local registry (127.0.0.1:5000): byte-for-byte, so
# a pull by the reported digest gives the same image; blobs the repository
# has are skipped, blobs of another repository of the registry mounted,
# new ones uploaded.

load helpers

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	export ENGINE_ROOT2="$BATS_FILE_TMPDIR/store2"
	export NS=engine-test-push
}

# Take back what a run pushed: each manifest and the blob links it made in
# its repository (the registry has deletes on), so the next run finds the
# repositories as empty as the first did (and a mount is a mount again).
# Unique blobs stay until the registry's garbage collection: a few bytes.
unpush() {
	local rt
	for rt in busybox:copy v2s2:x new:v1 quiet:latest loaded:v1; do
		registry_untag "$NS/${rt%%:*}" "${rt#*:}"
	done
}

teardown_file() {
	unpush
	remove_images "$ENGINE_ROOT" "$ENGINE_ROOT2"
}

eng() {
	"$ENGINE" --root "$ENGINE_ROOT" "$@"
}

@test "push a pulled image: mounted from its repository, same digest, pull by digest gives the same id" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	want=$(manifest_digest busybox latest)
	run eng push "$REG/busybox:latest" "$REG/$NS/busybox:copy"
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | head -1)" "The push refers to repository [$REG/$NS/busybox]"
	assert_contains "$output" "2bade162c8ea: Mounted from busybox"
	assert_eq "$(echo "$output" | tail -1)" "copy: digest: $want size: 406"
	assert_eq "$(manifest_digest "$NS/busybox" copy)" "$want"
	run "$ENGINE" --root "$ENGINE_ROOT2" pull -q "$REG/$NS/busybox@$want"
	assert_eq "$status" 0
	assert_eq "$output" "$BUSYBOX_ID"
	# Again: the repository has everything now.
	run eng push "$REG/busybox:latest" "$REG/$NS/busybox:copy"
	assert_eq "$status" 0
	assert_contains "$output" "2bade162c8ea: Layer already exists"
}

@test "a Docker schema2 image keeps its media type and digest" {
	eng pull -q "$REG/busybox:v2s2" >/dev/null
	want=$(manifest_digest busybox v2s2)
	run eng push "$REG/busybox:v2s2" "$REG/$NS/v2s2:x"
	assert_eq "$status" 0
	assert_contains "$output" "x: digest: $want"
	curl --noproxy '*' -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REG/v2/$NS/v2s2/manifests/x" | jq -e '.mediaType == "application/vnd.docker.distribution.manifest.v2+json"'
}

@test "push a new image: uploaded; pushed under its own name when no destination" {
	# Tiny and unique: each run uploads a layer no repository has.
	rootfs=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$rootfs/etc"
	echo "$(date +%s%N) $RANDOM" >"$rootfs/etc/unique"
	id=$(tar -C "$rootfs" -c . | eng import - "$REG/$NS/new:v1")
	run eng push "$REG/$NS/new:v1"
	assert_eq "$status" 0
	assert_contains "$output" ": Pushed"
	[[ "$output" != *"already exists"* ]]
	digest=$(echo "$output" | sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p')
	[[ "$digest" =~ ^sha256: ]]
	run "$ENGINE" --root "$ENGINE_ROOT2" pull -q "$REG/$NS/new@$digest"
	assert_eq "$status" 0
	assert_eq "sha256:$output" "$id"
	run "$ENGINE" --root "$ENGINE_ROOT2" inspect --format '{{.Id}}' "$REG/$NS/new@$digest"
	assert_eq "$output" "$id"
}

@test "push -q prints only the name" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	run eng push -q "$REG/busybox:latest" "$REG/$NS/quiet"
	assert_eq "$status" 0
	assert_eq "$output" "$REG/$NS/quiet:latest"
}

@test "a loaded image pushes too (its blobs are stored compressed)" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	eng rmi -f "$REG/busybox:latest" >/dev/null
	eng load -i "$BATS_TEST_TMPDIR/bb.tar" >/dev/null
	run eng push "$REG/busybox:latest" "$REG/$NS/loaded:v1"
	assert_eq "$status" 0
	digest=$(echo "$output" | sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) .*/\1/p')
	run "$ENGINE" --root "$ENGINE_ROOT2" pull -q "$REG/$NS/loaded@$digest"
	assert_eq "$output" "$BUSYBOX_ID"
}

@test "push errors: one line" {
	run eng push "$REG/no-such-image:v1"
	assert_eq "$status" 1
	assert_contains "$output" "No such image"
	eng pull -q "$REG/busybox:latest" >/dev/null
	expect_engine_error "needs a tag" "$ENGINE" --root "$ENGINE_ROOT" push "$REG/busybox:latest" "$REG/$NS/x@sha256:1b18bc70d602f923a49514154de9fa6428b1cc3ef8e2d29a19b5123f10d4016a"
	expect_engine_error "tls-verify" "$ENGINE" --root "$ENGINE_ROOT" push --tls-verify=maybe "$REG/busybox:latest"
	expect_engine_error "invalid reference\|must be lowercase\|Upper" "$ENGINE" --root "$ENGINE_ROOT" push "$REG/busybox:latest" "$REG/Upper"
	# Nothing listens on port 9 of 127.0.0.1.
	run eng push -q "$REG/busybox:latest" 127.0.0.1:9/x:y
	assert_eq "$status" 125
	assert_eq "$(echo "$output" | wc -l)" 1
	assert_contains "$output" "127.0.0.1:9"
}
