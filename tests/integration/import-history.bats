#!/usr/bin/env bats
# import-history.bats: import (a rootfs tarball into a one-layer image, with
# -c and -m), history, image prune and system df.

load helpers

image_store_suite

# A small rootfs: busybox and a file that makes each image different.
make_rootfs() {
	local d=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$d/bin" "$d/etc" "$d/tmp"
	cp /bin/busybox "$d/bin/busybox"
	ln -sf busybox "$d/bin/sh"
	ln -sf busybox "$d/bin/cat"
	echo "${1:-hello}" >"$d/etc/greeting"
	echo "$d"
}

@test "import from stdin: prints the id, the image runs" {
	d=$(make_rootfs one)
	run sh -c "tar -C $d -c . | $ENGINE --root $ENGINE_ROOT import - imported:v1"
	assert_eq "$status" 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	assert_eq "$(eng images -q --no-trunc imported:v1)" "$id"
	run eng run --rm imported:v1 cat /etc/greeting
	assert_eq "$output" one
	eng inspect imported:v1 | jq -e '.[0].RootFS.Layers | length == 1'
	eng inspect imported:v1 | jq -e --arg a "$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" '.[0].Architecture == $a and .[0].Os == "linux"'
}

@test "import -c and -m: the config and the history say so" {
	d=$(make_rootfs two)
	tar -C "$d" -czf "$BATS_TEST_TMPDIR/rootfs.tgz" .
	run eng import -c 'CMD ["cat", "/etc/greeting"]' -c 'ENV GREETING="hello world" X=1' \
		-c 'WORKDIR /tmp' -c 'EXPOSE 8080' -c 'LABEL org.example=yes' -c 'USER 0:0' \
		-m "made by a test" "$BATS_TEST_TMPDIR/rootfs.tgz" configured
	assert_eq "$status" 0
	run eng inspect configured
	echo "$output" | jq -e '.[0].Config.Cmd == ["cat","/etc/greeting"]'
	echo "$output" | jq -e '.[0].Config.Env == ["GREETING=hello world","X=1"]'
	echo "$output" | jq -e '.[0].Config.WorkingDir == "/tmp" and .[0].Config.User == "0:0"'
	echo "$output" | jq -e '.[0].Config.ExposedPorts == {"8080/tcp":{}} and .[0].Config.Labels["org.example"] == "yes"'
	run eng run --rm configured
	assert_eq "$output" two
	run eng run --rm configured sh -c 'echo "$GREETING"; pwd'
	assert_eq "$output" "hello world
/tmp"
	run eng history configured
	assert_eq "$status" 0
	[[ "$(echo "$output" | head -1)" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
	echo "$output" | sed -n 2p | grep -E "^[0-9a-f]{12} +[A-Za-z0-9 ]+ ago +import +[0-9.]+[kM]B +made by a test$"
}

@test "import without -m: comment 'Imported from FILE'; without a name: dangling" {
	d=$(make_rootfs three)
	tar -C "$d" -cJf "$BATS_TEST_TMPDIR/rootfs.txz" .
	run eng import "$BATS_TEST_TMPDIR/rootfs.txz"
	assert_eq "$status" 0
	id=$output
	run eng history --format '{{.Comment}}' "$id"
	assert_eq "$output" "Imported from $BATS_TEST_TMPDIR/rootfs.txz"
	run eng images --filter dangling=true -q --no-trunc
	assert_contains "$output" "$id"
}

@test "history of a pulled multi-layer image: newest first, <missing> below the top" {
	eng pull -q "$REG/layered:latest" >/dev/null
	run eng history "$REG/layered:latest"
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | wc -l)" 4
	id=$(eng images -q "$REG/layered:latest")
	echo "$output" | sed -n 2p | grep -E "^$id +[0-9]+ years ago +engine test layer [0-9a-f]{12} +[0-9.]+k?B +$"
	assert_eq "$(echo "$output" | sed -n '3,4p' | cut -c1-9 | sort -u)" "<missing>"
	run eng history -q "$REG/layered:latest"
	assert_eq "$output" "$id
<missing>
<missing>"
	run eng history --no-trunc -q "$REG/layered:latest"
	[[ "$(echo "$output" | head -1)" =~ ^sha256:[0-9a-f]{64}$ ]]
	run eng history --format '{{.CreatedBy}}|{{.Size}}' -H=false "$REG/layered:latest"
	[[ "$(echo "$output" | tail -1)" =~ ^engine\ test\ layer\ [0-9a-f]{12}\|[0-9]+$ ]]
	run eng history --format json "$REG/layered:latest"
	echo "$output" | head -1 | jq -e '.ID and .CreatedAt and .CreatedSince'
}

@test "history truncates CREATED BY at 45 characters as Docker does (a hand-made oci-archive)" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" "$REG/busybox:latest"
	cd "$BATS_TEST_TMPDIR"
	mkdir o && tar -C o -xf oci.tar
	# A new config with a long created_by, then a manifest and an index
	# for it, named only by a tag as skopeo names images in a layout.
	m=$(jq -r '.manifests[0].digest' o/index.json | cut -d: -f2)
	c=$(jq -r .config.digest "o/blobs/sha256/$m" | cut -d: -f2)
	long='/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / '
	jq -c --arg l "$long" '.history[0].created_by = $l' "o/blobs/sha256/$c" >cfg
	c2=$(sha256sum <cfg | cut -d' ' -f1)
	mv cfg "o/blobs/sha256/$c2"
	jq -c --arg d "sha256:$c2" --argjson s "$(stat -c %s "o/blobs/sha256/$c2")" \
		'.config.digest = $d | .config.size = $s' "o/blobs/sha256/$m" >man
	m2=$(sha256sum <man | cut -d' ' -f1)
	mv man "o/blobs/sha256/$m2"
	jq -c --arg d "sha256:$m2" --argjson s "$(stat -c %s "o/blobs/sha256/$m2")" \
		'.manifests[0].digest = $d | .manifests[0].size = $s | .manifests[0].annotations = {"org.opencontainers.image.ref.name": "latest"}' \
		o/index.json >idx && mv idx o/index.json
	tar -C o -cf long.tar .
	run eng load -i long.tar
	assert_eq "$status" 0
	assert_eq "$output" "Loaded image ID: sha256:$c2" "a bare tag names no image"
	run eng history --format '{{.CreatedBy}}' "$c2"
	assert_eq "$output" "${long:0:44}…"
	run eng history --no-trunc --format '{{.CreatedBy}}' "$c2"
	assert_eq "$output" "$long"
}

@test "image prune removes dangling images only; -a all; asks first" {
	d=$(make_rootfs five)
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/r.tar" .
	dangling=$(eng import "$BATS_TEST_TMPDIR/r.tar")
	eng pull -q "$REG/busybox:latest" >/dev/null
	# Without -f it asks; no answer keeps everything.
	run sh -c "$ENGINE --root $ENGINE_ROOT image prune </dev/null"
	assert_eq "$status" 0
	assert_contains "$output" "WARNING! This will remove all dangling images."
	assert_contains "$output" "Total reclaimed space: 0B"
	assert_contains "$(eng images -q --no-trunc)" "$dangling"
	run eng image prune -f
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | head -1)" "Deleted Images:"
	assert_contains "$output" "deleted: $dangling"
	[[ "$(echo "$output" | tail -1)" =~ ^Total\ reclaimed\ space:\ [0-9.]+[kM]B$ ]]
	[[ "$(eng images -q --no-trunc)" != *"$dangling"* ]]
	assert_contains "$(eng images --format '{{.Repository}}')" "$REG/busybox"
	run eng image prune -f
	assert_eq "$output" "Total reclaimed space: 0B"
	run eng image prune -a -f
	assert_eq "$status" 0
	assert_contains "$output" "untagged: $REG/busybox:latest"
	assert_eq "$(eng images -q)" ""
	run ls "$ENGINE_ROOT/layers"
	assert_eq "$output" ""
}

@test "system df: Docker's rows and columns" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng pull -q "$REG/layered:latest" >/dev/null
	run eng system df
	assert_eq "$status" 0
	[[ "$(echo "$output" | head -1)" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	n=$(eng images -q | sort -u | wc -l)
	echo "$output" | grep -E "^Images +$n +0 +[0-9.]+[kM]B +[0-9.]+[kM]B \(100%\)$"
	echo "$output" | grep -E "^Containers +0 +0 +0B +0B$"
	echo "$output" | grep -E "^Local Volumes +0 +0 +0B +0B$"
	run eng system df --format '{{.Type}}={{.TotalCount}}'
	assert_contains "$output" "Images=$n"
}

@test "import and history errors" {
	expect_engine_error "No such file" "$ENGINE" --root "$ENGINE_ROOT" import "$BATS_TEST_TMPDIR/missing.tar"
	echo "plain text, not a tar" >"$BATS_TEST_TMPDIR/junk"
	expect_engine_error "import" "$ENGINE" --root "$ENGINE_ROOT" import "$BATS_TEST_TMPDIR/junk"
	d=$(make_rootfs six)
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/r.tar" .
	expect_engine_error "RUN is not a Dockerfile instruction import can apply" "$ENGINE" --root "$ENGINE_ROOT" import -c 'RUN true' "$BATS_TEST_TMPDIR/r.tar"
	expect_engine_error "not an absolute path" "$ENGINE" --root "$ENGINE_ROOT" import -c 'WORKDIR tmp' "$BATS_TEST_TMPDIR/r.tar"
	expect_engine_error "URL is not supported" "$ENGINE" --root "$ENGINE_ROOT" import http://127.0.0.1:9/x.tar
	expect_engine_error "requires at least 1 and at most 2" "$ENGINE" --root "$ENGINE_ROOT" import
	run eng history no-such-image
	assert_eq "$status" 1
	assert_contains "$output" "No such image"
	expect_engine_error "requires exactly 1 argument" "$ENGINE" --root "$ENGINE_ROOT" history
	run ls -a "$ENGINE_ROOT/blobs/sha256"
	[[ "$output" != *.tmp-* ]]
}
