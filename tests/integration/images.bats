#!/usr/bin/env bats
# images.bats: pull, images, run IMAGE, rmi, tag, inspect against the local
# registry the host setup fills (127.0.0.1:5000).

load helpers

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
}

# Each file gets its own store; removing it needs the namespace helper.
# A run without --rm is kept, as Docker keeps it: it would hold its image
# from the next test's rmi.
teardown() {
	remove_containers eng
}

teardown_file() {
	store_teardown
}

@test "pull an OCI image, a schema2 image and a multi-arch index" {
	run eng pull -q "$REG/busybox:latest"
	assert_eq "$status" 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id_oci=$output
	run eng pull -q "$REG/busybox:v2s2"
	assert_eq "$status" 0
	assert_eq "$output" "$id_oci" "schema2 manifest of the same image: same config, same id"
	run eng pull -q "$REG/busybox:multi"
	assert_eq "$status" 0
	assert_eq "$output" "$id_oci" "amd64 chosen from the index"
}

@test "images lists them with Docker's columns" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	run eng images
	assert_eq "$status" 0
	head=$(echo "$output" | head -1)
	[[ "$head" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	echo "$output" | grep -E "^$REG/busybox +latest +[0-9a-f]{12} +[0-9]+ (years|months) ago +[0-9.]+[kM]B$"
	run eng images -q
	[[ "$(echo "$output" | head -1)" =~ ^[0-9a-f]{12}$ ]]
	run eng images --format '{{.Repository}}:{{.Tag}}' "$REG/busybox"
	assert_contains "$output" "$REG/busybox:latest"
	run eng images --format json
	echo "$output" | head -1 | jq -e .ID
}

@test "run IMAGE uses the image's Cmd and Env, and a command replaces Cmd" {
	run eng run --rm "$REG/busybox" sh -c 'echo $PATH; cat /etc/motd'
	assert_eq "$status" 0
	assert_contains "$output" "/usr/local/sbin"
	run sh -c "echo 'echo from-stdin' | $ENGINE ${engine_args[*]} --root $ENGINE_ROOT run -i $REG/busybox"
	assert_eq "$output" from-stdin
	run eng run --entrypoint /bin/echo "$REG/busybox" hi
	assert_eq "$output" hi
}

@test "the writable layer is per container and removed with it (rm)" {
	eng run "$REG/busybox" sh -c 'echo changed > /etc/motd; touch /new'
	run eng run "$REG/busybox" sh -c 'cat /etc/motd; ls /new 2>&1'
	[[ "$output" != *changed* ]]
	assert_contains "$output" "No such file"
	teardown
	run ls "$ENGINE_ROOT/containers"
	assert_eq "$output" ""
}

@test "layered image: whiteouts, opaque dir, owners, setuid" {
	eng pull -q "$REG/layered" >/dev/null
	run eng run "$REG/layered" sh -c '
		test -e /data/a && echo a-present
		ls /data/dir
		cat /data/b
		test -e /etc/motd && echo motd-present
		stat -c "%u %g" /data/owned-1000
		stat -c "%u %g %a" /data/nobody-dir
		stat -c "%a" /data/suid-file
		test /data/c -ef /data/c-hardlink && echo hardlinked
		readlink /data/link-to-b
		test -p /data/fifo && echo fifo'
	assert_eq "$status" 0
	want="y
b-v2
1000 1000
65534 65534 750
4755
hardlinked
b
fifo"
	assert_eq "$output" "$want"
}

# bats test_tags=only:rootless
@test "the layer files are owned by subordinate ids on the host" {
	eng pull -q "$REG/layered" >/dev/null
	start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	found=$(find "$ENGINE_ROOT/layers" -name owned-1000 -printf '%u\n' | head -1)
	assert_eq "$found" "$((start + 999))"
}

@test "debian image: apt-get --version and id as root" {
	run eng run --rm "$REG/debian:bookworm" sh -c 'apt-get --version | head -1; id'
	assert_eq "$status" 0
	assert_contains "$output" "apt "
	assert_contains "$output" "uid=0(root) gid=0(root)"
}

@test "tag, inspect, rmi" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng tag "$REG/busybox:latest" mine:v1
	run eng images --format '{{.Repository}}:{{.Tag}}'
	assert_contains "$output" "mine:v1"
	run eng inspect mine:v1
	assert_eq "$status" 0
	echo "$output" | jq -e '.[0].Id | startswith("sha256:")'
	echo "$output" | jq -e '.[0].RepoTags | index("docker.io/library/mine:v1")'
	echo "$output" | jq -e '.[0].Config.Cmd == ["/bin/sh"]'
	echo "$output" | jq -e '.[0].RootFS.Layers | length == 1'
	run eng inspect --format '{{.Os}}/{{.Architecture}}' mine:v1
	assert_eq "$output" linux/amd64
	run eng rmi mine:v1
	assert_eq "$status" 0
	assert_eq "$output" "Untagged: docker.io/library/mine:v1"
	run eng images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" != *mine:v1* ]]
}

@test "rmi removes the image and its unused layers" {
	eng pull -q "$REG/layered" >/dev/null
	eng pull -q "$REG/busybox" >/dev/null
	before=$(ls "$ENGINE_ROOT/layers" | wc -l)
	run eng rmi "$REG/layered"
	assert_eq "$status" 0
	assert_contains "$output" "Deleted: sha256:"
	after=$(ls "$ENGINE_ROOT/layers" | wc -l)
	assert_eq "$after" "$((before - 2))" "the busybox layer stays, shared"
	run eng rmi "$REG/layered"
	assert_eq "$status" 1
	assert_contains "$output" "No such image"
}

@test "pull by digest" {
	digest=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-o /dev/null -w '%header{docker-content-digest}' "http://$REG/v2/busybox/manifests/latest" 2>/dev/null ||
		curl -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/busybox/manifests/latest" |
		awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r')
	[[ "$digest" =~ ^sha256: ]]
	run eng pull -q "$REG/busybox@$digest"
	assert_eq "$status" 0
	run eng run --rm "$REG/busybox@$digest" true
	assert_eq "$status" 0
}

@test "bad references and missing images: one line, 125" {
	# (no name that would need DNS: tests talk to 127.0.0.1 only)
	expect_engine_error "$REG/Upper" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" pull "$REG/Upper"
	expect_engine_error "invalid tag" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" pull "$REG/busybox:bad tag"
	expect_engine_error "manifest unknown\|not found\|404" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" pull "$REG/no-such-image:latest"
	expect_engine_error "No such image" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --pull never "$REG/never-pulled" true
}

@test "two concurrent pulls of the same image both succeed with one record" {
	eng rmi -f "$REG/debian:bookworm" >/dev/null 2>&1 || true
	eng pull -q "$REG/debian:bookworm" >"$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	eng pull -q "$REG/debian:bookworm" >"$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	wait $a
	wait $b
	assert_eq "$(cat "$BATS_TEST_TMPDIR/a")" "$(cat "$BATS_TEST_TMPDIR/b")"
	assert_eq "$(ls "$ENGINE_ROOT/images" | wc -l)" "$(eng images -q --no-trunc | sort -u | wc -l)"
	run ls -a "$ENGINE_ROOT/layers"
	[[ "$output" != *.tmp-* ]]
}

@test "kill -9 during a pull, then pull again: succeeds and reuses finished layers" {
	eng rmi -f "$REG/layered" >/dev/null 2>&1 || true
	eng rmi -f "$REG/debian:bookworm" >/dev/null 2>&1 || true
	eng pull -q "$REG/busybox" >/dev/null
	eng pull "$REG/debian:bookworm" >/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	pkill -KILL -P "$pid" || true
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || true
	run eng images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" != *debian* ]]
	run eng pull "$REG/layered"
	assert_eq "$status" 0
	assert_contains "$output" "skipped: already exists"
	run eng pull -q "$REG/debian:bookworm"
	assert_eq "$status" 0
	run ls -a "$ENGINE_ROOT/layers"
	[[ "$output" != *.tmp-* ]]
}

@test "the root is made by the storage driver in use" {
	run eng run --rm "$REG/busybox" sh -c 'grep " / " /proc/mounts | cut -d" " -f3'
	assert_eq "$status" 0
	case "${ENGINE_STORAGE_DRIVER:-overlay}" in
	overlay) assert_eq "$output" overlay ;;
	fuse-overlayfs) assert_eq "$output" fuse.fuse-overlayfs ;;
	vfs) [[ "$output" != overlay && "$output" != fuse.* ]] ;;
	esac
	run cat "$ENGINE_ROOT/driver"
	assert_eq "$output" "${ENGINE_STORAGE_DRIVER:-overlay}"
}

@test "a non-root user in the container reads the image and writes its own files" {
	run eng run --rm --user 1000 "$REG/layered" sh -c 'cat /data/b; echo mine > /tmp/f; cat /tmp/f; stat -c %u /tmp/f'
	assert_eq "$status" 0
	assert_eq "$output" "b-v2
mine
1000"
}

@test "no fuse-overlayfs process outlives a run" {
	eng run --rm "$REG/busybox" true
	run sh -c "echo hi | $ENGINE ${engine_args[*]} --root $ENGINE_ROOT run -i --rm $REG/busybox cat"
	assert_eq "$output" hi
	eng run --rm "$REG/busybox" sh -c 'sleep 30 & exit 3' || true
	run pgrep -u "$(id -u)" -a fuse-overlayfs
	assert_eq "$output" ""
}

@test "engine itself loads no HTTP, TLS, archive or crypto library; engine-image does the pulls" {
	run ldd "$ENGINE"
	[[ "$output" != *libcurl* ]]
	[[ "$output" != *libarchive* ]]
	[[ "$output" != *libcrypto* ]]
	run ldd "$(dirname "$ENGINE")/engine-image"
	assert_contains "$output" libcurl
}

@test "without engine-image next to it, pull fails in one line naming it" {
	d="$BATS_TEST_TMPDIR/lonely"
	mkdir -p "$d"
	cp "$ENGINE" "$d/engine"
	expect_engine_error "engine-image not found" "$d/engine" --root "$ENGINE_ROOT" pull "$REG/busybox"
	run "$d/engine" --root "$ENGINE_ROOT" images
	assert_eq "$status" 0
}

@test "the store is private to its owner (mode 0700)" {
	eng images >/dev/null
	assert_eq "$(stat -c %a "$ENGINE_ROOT")" 700
}

@test "rmi refuses an image a running container uses, even with -f" {
	eng pull -q "$REG/busybox" >/dev/null
	eng tag "$REG/busybox" inuse:one
	eng run "$REG/busybox" sleep 30 &
	pid=$!
	for _ in $(seq 50); do
		[ -n "$(ls "$ENGINE_ROOT/containers" 2>/dev/null)" ] && break
		sleep 0.1
	done
	# untagging one of several names is fine
	run eng rmi inuse:one
	assert_eq "$status" 0
	# the same image under the tags an earlier test pulled: -f of one of
	# several names only untags it, so leave REG/busybox its last name
	eng rmi "$REG/busybox:v2s2" "$REG/busybox:multi" >/dev/null 2>&1 || true
	run eng rmi -f "$REG/busybox"
	assert_eq "$status" 1
	assert_contains "$output" "being used by running container"
	kill -KILL $(pgrep -P "$pid") 2>/dev/null || true
	wait "$pid" || true
	# The killed run's container may still be on its way out: remove
	# until none is left, then the image is no longer in use.
	wait_for no_containers_left
	run eng rmi "$REG/busybox"
	echo "$output"
	assert_eq "$status" 0
}

# no_containers_left: remove every container; true once none is listed.
no_containers_left() {
	remove_containers eng
	[ -z "$(eng ps -aq)" ]
}
