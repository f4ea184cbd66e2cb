#!/usr/bin/env bats
# save-load.bats: save (docker-archive, oci-archive) and load, round trips
# that keep the image id (and, for oci-archive, the manifest digest),
# archives as Docker writes them, and damaged archives.

load helpers

image_store_suite

@test "save -o writes a docker-archive: manifest.json, repositories, config, layer.tar = diff_id" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	run eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	assert_eq "$status" 0
	assert_eq "$output" ""
	cd "$BATS_TEST_TMPDIR"
	mkdir x && tar -C x -xf bb.tar
	jq -e --arg c "$BUSYBOX_ID.json" --arg t "$REG/busybox:latest" \
		'length == 1 and .[0].Config == $c and .[0].RepoTags == [$t] and (.[0].Layers | length) == 1' x/manifest.json
	layer=$(jq -r '.[0].Layers[0]' x/manifest.json)
	diff_id=$(jq -r '.rootfs.diff_ids[0]' "x/$BUSYBOX_ID.json")
	assert_eq "sha256:$(sha256sum <"x/$layer" | cut -d' ' -f1)" "$diff_id" "layer.tar is the uncompressed layer"
	assert_eq "$(sha256sum <"x/$BUSYBOX_ID.json" | cut -d' ' -f1)" "$BUSYBOX_ID" "config kept byte for byte"
	jq -e --arg r "$REG/busybox" '.[$r].latest' x/repositories
	run ls "$BATS_TEST_TMPDIR"
	[[ "$output" != *.tmp-* ]]
}

@test "save, rmi, load: the same image id, named again, runnable" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	eng rmi "$REG/busybox:latest" >/dev/null
	run eng images -q
	[[ "$output" != *${BUSYBOX_ID:0:12}* ]]
	run eng load -i "$BATS_TEST_TMPDIR/bb.tar"
	assert_eq "$status" 0
	assert_eq "$output" "Loaded image: $REG/busybox:latest"
	run eng images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	assert_contains "$output" "sha256:$BUSYBOX_ID $REG/busybox:latest"
	run eng run --rm "$REG/busybox:latest" echo loaded
	assert_eq "$output" loaded
	# A loaded image saves again to the same layer and config.
	eng save -o "$BATS_TEST_TMPDIR/again.tar" "$REG/busybox:latest"
	assert_eq "$(tar -xOf "$BATS_TEST_TMPDIR/again.tar" manifest.json)" "$(tar -xOf "$BATS_TEST_TMPDIR/bb.tar" manifest.json)"
}

@test "oci-archive round trip keeps the manifest digest too" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	want=$(eng images --digests --format '{{.Digest}}' "$REG/busybox:latest")
	[[ "$want" =~ ^sha256: ]]
	run eng save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" "$REG/busybox:latest"
	assert_eq "$status" 0
	tar -xOf "$BATS_TEST_TMPDIR/oci.tar" oci-layout | jq -e '.imageLayoutVersion == "1.0.0"'
	tar -xOf "$BATS_TEST_TMPDIR/oci.tar" index.json | jq -e --arg d "$want" --arg n "$REG/busybox:latest" \
		'.manifests[0].digest == $d and .manifests[0].annotations["io.containerd.image.name"] == $n
		 and .manifests[0].annotations["org.opencontainers.image.ref.name"] == "latest"'
	tar -tf "$BATS_TEST_TMPDIR/oci.tar" | grep -q "^blobs/sha256/${want#sha256:}$"
	eng rmi "$REG/busybox:latest" >/dev/null
	run eng load <"$BATS_TEST_TMPDIR/oci.tar"
	assert_eq "$status" 0
	assert_eq "$output" "Loaded image: $REG/busybox:latest"
	assert_eq "$(eng images --digests --format '{{.Digest}}' "$REG/busybox:latest")" "$want"
	assert_eq "$(eng images -q --no-trunc "$REG/busybox:latest")" "sha256:$BUSYBOX_ID"
}

@test "several images, a multi-layer one with whiteouts, through a pipe" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng pull -q "$REG/layered:latest" >/dev/null
	eng tag "$REG/busybox:latest" other:v1
	eng save "$REG/layered:latest" "$REG/busybox:latest" other:v1 >"$BATS_TEST_TMPDIR/two.tar"
	jq -e 'length == 2' <(tar -xOf "$BATS_TEST_TMPDIR/two.tar" manifest.json)
	jq -e '[.[].RepoTags[]] | index("other:v1")' <(tar -xOf "$BATS_TEST_TMPDIR/two.tar" manifest.json)
	ids=$(eng images -q --no-trunc | sort -u)
	eng rmi -f "$REG/layered:latest" "$REG/busybox:latest" >/dev/null
	eng rmi other:v1 >/dev/null 2>&1 || true
	run sh -c "cat $BATS_TEST_TMPDIR/two.tar | $ENGINE --root $ENGINE_ROOT load -q"
	assert_eq "$status" 0
	assert_contains "$output" "Loaded image: $REG/layered:latest"
	assert_contains "$output" "Loaded image: other:v1"
	assert_eq "$(eng images -q --no-trunc | sort -u)" "$ids"
	run eng run --rm "$REG/layered" sh -c 'test -e /data/a || echo a-gone; cat /data/b; ls /data/dir'
	assert_eq "$status" 0
	assert_eq "$output" "a-gone
b-v2
y"
}

@test "an image saved by id loads without a name" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/byid.tar" "${BUSYBOX_ID:0:12}"
	jq -e '.[0].RepoTags == null' <(tar -xOf "$BATS_TEST_TMPDIR/byid.tar" manifest.json)
	run eng load -i "$BATS_TEST_TMPDIR/byid.tar"
	assert_eq "$status" 0
	assert_eq "$output" "Loaded image ID: sha256:$BUSYBOX_ID"
}

@test "an archive as Docker writes it: ./ names, a linked layer.tar, gzip-compressed" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	cd "$BATS_TEST_TMPDIR"
	mkdir d && tar -C d -xf bb.tar
	layer=$(jq -r '.[0].Layers[0]' d/manifest.json)
	# A second layer directory that links to the first, as docker save does
	# for a layer an image repeats.
	mkdir d/linked && ln -s "../$layer" d/linked/layer.tar
	jq '.[0].RepoTags = ["docker-style:v1"] | .[0].Layers = ["linked/layer.tar"]' d/manifest.json >d/m && mv d/m d/manifest.json
	tar -C d -czf docker-style.tar.gz .
	eng rmi -f "$REG/busybox:latest" >/dev/null
	run eng load -i docker-style.tar.gz
	assert_eq "$status" 0
	assert_eq "$output" "Loaded image: docker-style:v1"
	assert_eq "$(eng images -q --no-trunc docker-style:v1)" "sha256:$BUSYBOX_ID"
}

@test "a damaged archive is refused and leaves nothing behind" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	eng rmi -f "$BUSYBOX_ID" >/dev/null # every name: an earlier test loaded it as docker-style:v1 too
	cd "$BATS_TEST_TMPDIR"
	mkdir d && tar -C d -xf bb.tar
	layer=$(jq -r '.[0].Layers[0]' d/manifest.json)
	# One more file in the layer: a valid tar, but not the diff_id the config names.
	echo extra >extra && tar -C "$BATS_TEST_TMPDIR" -rf "d/$layer" extra
	tar -C d -cf bad.tar .
	blobs_before=$(ls "$ENGINE_ROOT/blobs/sha256" | wc -l)
	expect_engine_error "does not match" "$ENGINE" --root "$ENGINE_ROOT" load -i bad.tar
	run eng images -q
	[[ "$output" != *${BUSYBOX_ID:0:12}* ]]
	assert_eq "$(ls "$ENGINE_ROOT/blobs/sha256" | wc -l)" "$blobs_before"
	run ls -a "$ENGINE_ROOT/blobs/sha256" "$ENGINE_ROOT/layers"
	[[ "$output" != *.tmp-* ]]
	# An oci-archive whose blob was changed fails its digest.
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save --format oci-archive -o oci.tar "$REG/busybox:latest"
	eng rmi -f "$BUSYBOX_ID" >/dev/null
	mkdir o && tar -C o -xf oci.tar
	cfg=$(jq -r .config.digest "o/blobs/sha256/$(jq -r '.manifests[0].digest' o/index.json | cut -d: -f2)" | cut -d: -f2)
	sed -i 's/linux/LINUX/' "o/blobs/sha256/$cfg"
	tar -C o -cf badoci.tar .
	expect_engine_error "digest mismatch" "$ENGINE" --root "$ENGINE_ROOT" load -i badoci.tar
}

@test "load and import are bounded by ENGINE_MAX_LAYER_SIZE as pull is" {
	eng pull -q "$REG/busybox:latest" >/dev/null
	eng save -o "$BATS_TEST_TMPDIR/bb.tar" "$REG/busybox:latest"
	# A store of its own: no other image here shares busybox's layer.
	ENGINE_ROOT=$BATS_TEST_TMPDIR/store
	cd "$BATS_TEST_TMPDIR"
	# busybox's one layer is about a megabyte: over a 64 kB bound.
	expect_engine_error "^Error: load: layer sha256:[0-9a-f]*: .*\(exceeds\|more than\) 65536 bytes" \
		env ENGINE_MAX_LAYER_SIZE=65536 "$ENGINE" --root "$ENGINE_ROOT" load -i bb.tar
	run eng images -q
	[[ "$output" != *${BUSYBOX_ID:0:12}* ]]
	assert_eq "$(find "$ENGINE_ROOT/blobs" -type f | wc -l)" 0 "the failed load left no blob"
	mkdir x && tar -C x -xf bb.tar
	layer=$(jq -r '.[0].Layers[0]' x/manifest.json)
	expect_engine_error "^Error: import: layer sha256:[0-9a-f]*: .*\(exceeds\|more than\) 65536 bytes" \
		env ENGINE_MAX_LAYER_SIZE=65536 "$ENGINE" --root "$ENGINE_ROOT" import "x/$layer" bounded:v1
	run eng images -q bounded:v1
	assert_eq "$output" ""
	assert_eq "$(find "$ENGINE_ROOT/blobs" -type f | wc -l)" 0 "the failed import left no blob"
	# A bad value is refused by name, as pull refuses it.
	expect_engine_error "ENGINE_MAX_LAYER_SIZE=10M: expected a number of bytes" \
		env ENGINE_MAX_LAYER_SIZE=10M "$ENGINE" --root "$ENGINE_ROOT" load -i bb.tar
	# Under a bound the layer fits, both load.
	ENGINE_MAX_LAYER_SIZE=$((64 << 20)) eng load -i bb.tar >/dev/null
	ENGINE_MAX_LAYER_SIZE=$((64 << 20)) eng import "x/$layer" bounded:v1 >/dev/null
	eng images -q bounded:v1 | grep -q .
	eng rmi bounded:v1 "$REG/busybox:latest" >/dev/null
}

@test "save and load errors: one line; No such image exits 1 as Docker" {
	run eng save -o "$BATS_TEST_TMPDIR/x.tar" no-such-image:v9
	assert_eq "$status" 1
	assert_contains "$output" "No such image"
	[ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
	run ls "$BATS_TEST_TMPDIR"
	[[ "$output" != *tmp-* ]]
	# stdout a terminal: refused as Docker refuses it (status 1).
	run script -qec "$ENGINE --root $ENGINE_ROOT save $REG/busybox" /dev/null
	assert_eq "$status" 1
	assert_contains "$output" "cowardly refusing to save to a terminal"
	expect_engine_error "unsupported format" "$ENGINE" --root "$ENGINE_ROOT" save --format tarball -o /dev/null "$REG/busybox"
	expect_engine_error "requires at least 1 argument" "$ENGINE" --root "$ENGINE_ROOT" save -o /dev/null
	expect_engine_error "does not exist" "$ENGINE" --root "$ENGINE_ROOT" save -o /nonexistent/dir/x.tar "$REG/busybox"
	expect_engine_error "No such file" "$ENGINE" --root "$ENGINE_ROOT" load -i "$BATS_TEST_TMPDIR/missing.tar"
	echo "not a tar" >"$BATS_TEST_TMPDIR/junk"
	expect_engine_error "archive" "$ENGINE" --root "$ENGINE_ROOT" load -i "$BATS_TEST_TMPDIR/junk"
	tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/empty.tar" junk
	expect_engine_error "not a docker-archive or oci-archive" "$ENGINE" --root "$ENGINE_ROOT" load -i "$BATS_TEST_TMPDIR/empty.tar"
}
