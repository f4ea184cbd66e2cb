#!/usr/bin/env bats
# volumes.bats: -v/--volume binds, named and anonymous volumes (copy-up
# from the image), --mount, --tmpfs, --device, --shm-size, --read-only
# with its tmpfs, engine volume create/ls/inspect/rm/prune, rm -v, and
# hostile mount specs that must leave the host untouched.

load helpers

setup_file() {
	store_setup "$IMG"
	# Nothing a test mounts may show in the host's mount table.
	export HOST_MOUNTS="$BATS_FILE_TMPDIR/mountinfo"
	cut -d' ' -f5 /proc/self/mountinfo | sort >"$HOST_MOUNTS"
}

teardown_file() {
	store_teardown
}

setup() {
	HOSTDIR="$BATS_TEST_TMPDIR/host"
	mkdir -p "$HOSTDIR"
	echo from-host >"$HOSTDIR/file"
}

# Volumes a test made go, whatever it left behind, so ls starts empty.
teardown() {
	remove_containers eng
	eng volume prune -f >/dev/null 2>&1 || true
}

my_uid() {
	id -u
}

@test "-v HOSTDIR:DIR reads and writes host files, owners mapped" {
	run eng run --rm -v "$HOSTDIR:/data" "$IMG" sh -c 'cat /data/file; stat -c %u /data/file; echo new >/data/made'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "from-host"
	assert_eq "${lines[1]}" "0" "owner seen inside"
	assert_eq "$(cat "$HOSTDIR/made")" "new"
	assert_eq "$(stat -c %u "$HOSTDIR/made")" "$(my_uid)" "owner on the host"
}

@test "-v HOSTDIR:DIR:ro refuses writes; a file can be bound too" {
	run eng run --rm -v "$HOSTDIR:/data:ro" "$IMG" sh -c 'echo x >/data/nope'
	[ "$status" -ne 0 ]
	assert_contains "$output" "Read-only file system"
	[ ! -e "$HOSTDIR/nope" ]
	run eng run --rm -v "$HOSTDIR/file:/etc/the-file:ro" "$IMG" cat /etc/the-file
	assert_eq "$status" 0
	assert_eq "$output" "from-host"
}

@test "a named volume keeps its data across containers" {
	run eng run --rm -v keep:/d "$IMG" sh -c 'echo kept >/d/f'
	assert_eq "$status" 0
	run eng run --rm -v keep:/other "$IMG" cat /other/f
	assert_eq "$status" 0
	assert_eq "$output" "kept"
	run eng volume ls -q
	assert_eq "$output" "keep"
}

@test "a new volume is seeded from the image (copy-up), not with nocopy" {
	run eng run --rm -v seeded:/etc "$IMG" sh -c 'grep ^root: /etc/passwd; stat -c %a /etc'
	assert_eq "$status" 0
	assert_contains "${lines[0]}" "root:x:0:0"
	want=$(eng run --rm "$IMG" stat -c %a /etc)
	assert_eq "${lines[1]}" "$want" "mode of the seeded directory"
	# Seeded once: what the volume holds now wins over the image.
	eng run --rm -v seeded:/etc "$IMG" sh -c 'echo mine >/etc/passwd'
	run eng run --rm -v seeded:/etc "$IMG" cat /etc/passwd
	assert_eq "$output" "mine"
	run eng run --rm -v empty:/etc:nocopy "$IMG" /bin/ls -A /etc
	assert_eq "$status" 0
	assert_eq "$output" ""
	run eng run --rm --mount type=volume,src=empty2,dst=/etc,volume-nocopy "$IMG" /bin/ls -A /etc
	assert_eq "$output" ""
}

@test "anonymous volumes: -v /dst makes one, rm -v removes it, named ones stay" {
	run eng create --name anon -v /scratch -v named:/n "$IMG" sh -c 'echo a >/scratch/a'
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "${#lines[@]}" 2
	[[ "$output" =~ [0-9a-f]{64} ]]
	run eng start anon
	assert_eq "$status" 0
	eng wait anon
	run eng rm -v anon
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "$output" "named"
	# --rm of an unnamed foreground run takes its anonymous volume along.
	run eng run --rm -v /tmpvol "$IMG" touch /tmpvol/x
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "$output" "named"
	# So do those of a named --rm run and of run -d --rm (its monitor).
	run eng run --rm --name fg -v /fgvol "$IMG" true
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "$output" "named"
	eng run -d --rm -v /bgvol "$IMG" sleep 0.2 >/dev/null
	only_named() { [ "$(eng volume ls -q)" = "named" ]; }
	wait_for only_named
}

@test "--read-only: / is read-only; volumes, --tmpfs and /tmp /var/tmp /run stay writable" {
	run eng run --rm --read-only -v ro-vol:/v --tmpfs /scratch "$IMG" sh -c '
		touch /x 2>/dev/null && echo root-writable
		touch /v/ok /scratch/ok /tmp/ok /var/tmp/ok /run/ok && echo writable'
	assert_eq "$status" 0
	assert_eq "$output" "writable"
	run eng run --rm --read-only --read-only-tmpfs=false "$IMG" sh -c 'touch /tmp/x'
	[ "$status" -ne 0 ]
	assert_contains "$output" "Read-only file system"
}

@test "--tmpfs with size and mode; --mount type=tmpfs" {
	run eng run --rm --tmpfs /t:size=1m,mode=700 "$IMG" sh -c 'df -k /t | tail -1; stat -c %a /t'
	assert_eq "$status" 0
	[[ "${lines[0]}" =~ ^tmpfs\ +1024\  ]] || { echo "$output"; false; }
	assert_eq "${lines[1]}" "700"
	run eng run --rm --mount type=tmpfs,destination=/m,tmpfs-size=2m "$IMG" sh -c 'df -k /m | tail -1'
	[[ "$output" =~ ^tmpfs\ +2048\  ]] || { echo "$output"; false; }
}

@test "--mount type=bind and type=volume" {
	run eng run --rm --mount "type=bind,source=$HOSTDIR,target=/b,readonly" \
		--mount type=volume,source=mvol,target=/v "$IMG" sh -c 'cat /b/file; echo m >/v/m; touch /b/no'
	[ "$status" -ne 0 ]
	assert_eq "${lines[0]}" "from-host"
	assert_contains "$output" "Read-only file system"
	run eng run --rm -v mvol:/v "$IMG" cat /v/m
	assert_eq "$output" "m"
}

@test "U chowns the volume to the container's user" {
	run eng run --rm --user 1000:1000 -v owned:/d:U "$IMG" sh -c 'stat -c %u:%g /d; touch /d/mine && echo ok'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "1000:1000"
	assert_eq "${lines[1]}" "ok"
	# Files of a subordinate id go with the volume.
	run eng volume rm owned
	assert_eq "$status" 0
	[ ! -e "$ENGINE_ROOT/volumes/owned" ]
}

@test "--device HOST:CTR binds the node; --shm-size sizes /dev/shm" {
	run eng run --rm --device /dev/null:/dev/mynull "$IMG" sh -c 'test -c /dev/mynull && echo x >/dev/mynull && echo ok'
	assert_eq "$status" 0
	assert_eq "$output" "ok"
	run eng run --rm --shm-size 1m "$IMG" sh -c 'df -k /dev/shm | tail -1'
	[[ "$output" =~ ^shm\ +1024\  ]] || { echo "$output"; false; }
	run eng run --rm "$IMG" sh -c 'df -k /dev/shm | tail -1'
	[[ "$output" =~ ^shm\ +65536\  ]] || { echo "$output"; false; }
	expect_engine_error "not a device node" eng run --rm --device "$HOSTDIR/file" "$IMG" true
	expect_engine_error "shm-size" eng run --rm --shm-size lots "$IMG" true
}

@test "volume create, ls, inspect, rm" {
	run eng volume create --label team=a v1
	assert_eq "$status" 0
	assert_eq "$output" "v1"
	run eng volume create v1
	assert_eq "$status" 0 "create of an existing volume"
	run eng volume create
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	gen=$output
	run eng volume ls
	assert_eq "${lines[0]}" "DRIVER    VOLUME NAME"
	assert_contains "$output" "local     v1"
	assert_contains "$output" "local     $gen"
	run eng volume ls --filter label=team=a --format '{{.Name}} {{.Driver}} {{.Labels}}'
	assert_eq "$output" "v1 local team=a"
	run eng volume ls -q --filter name=v1
	assert_eq "$output" "v1"
	run eng volume inspect v1
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "["
	assert_contains "$output" '"Driver": "local"'
	assert_contains "$output" "\"Mountpoint\": \"$ENGINE_ROOT/volumes/v1/_data\""
	assert_contains "$output" '"Scope": "local"'
	assert_contains "$output" '"team": "a"'
	run eng volume inspect --format '{{.Name}} {{.Labels.team}}' v1
	assert_eq "$output" "v1 a"
	run --separate-stderr eng volume inspect nope
	assert_eq "$status" 1
	assert_eq "$output" "[]"
	assert_eq "$stderr" "Error: get nope: no such volume"
	run eng volume rm v1 "$gen"
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "v1"
	run eng volume rm v1
	assert_eq "$status" 1
	run eng volume rm -f v1
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "$output" ""
	expect_engine_error "invalid characters" eng volume create ../evil
	expect_engine_error "invalid characters" eng volume create a/b
}

@test "volume rm refuses a volume a container uses; prune keeps it" {
	id=$(eng create -v used:/u "$IMG" true)
	eng volume create unused >/dev/null
	run eng volume rm used
	assert_eq "$status" 1
	assert_eq "$output" "Error: remove used: volume is in use - [$id]"
	run eng volume ls -q --filter dangling=true
	assert_eq "$output" "unused"
	run eng volume prune <<<"n"
	assert_eq "$status" 0
	run eng volume ls -q
	assert_eq "${#lines[@]}" 2 "prune answered no"
	run eng volume prune -f
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "Deleted Volumes:"
	assert_eq "${lines[1]}" "unused"
	[[ "${lines[2]}" =~ ^Total\ reclaimed\ space:\  ]]
	run eng volume ls -q
	assert_eq "$output" "used"
	run eng inspect --format '{{json .Mounts}}' "$id"
	assert_contains "$output" '"Type":"volume","Name":"used"'
	assert_contains "$output" '"Destination":"/u"'
	eng rm "$id" >/dev/null
	run eng volume rm used
	assert_eq "$status" 0
}

@test "hostile mount specs: one line, exit 125, nothing created" {
	before=$(rootfs_fingerprint "$HOSTDIR")
	for spec in "$HOSTDIR:/a/../etc" "$HOSTDIR:/.." "$HOSTDIR:etc" "$HOSTDIR:/" \
		"$HOSTDIR:/b:rw,dev,exec,suid" "$HOSTDIR:/b:ro,exec" "$HOSTDIR:/b:size=1m" \
		":/b" "$HOSTDIR:" "$HOSTDIR:/b:" "$HOSTDIR:/b:ro:x" "a/b:/b" "..:/b" ".x:/b" \
		"$HOSTDIR:/b,exec" "$HOSTDIR:/b:ro,,rw" "./rel:/b" "$HOSTDIR/missing:/b"; do
		expect_engine_error "--volume" eng run --rm -v "$spec" "$IMG" true
	done
	expect_engine_error "Duplicate mount point" eng run --rm -v "$HOSTDIR:/d" -v x:/d/ "$IMG" true
	expect_engine_error "--mount" eng run --rm --mount "type=bind,source=$HOSTDIR,target=/b,exec" "$IMG" true
	expect_engine_error "--mount" eng run --rm --mount "type=bind,source=rel,target=/b" "$IMG" true
	expect_engine_error "--mount" eng run --rm --mount "type=volume,source=../x,target=/b" "$IMG" true
	expect_engine_error "--tmpfs" eng run --rm --tmpfs "/t:size=1m,uid=0" "$IMG" true
	expect_engine_error "--tmpfs" eng run --rm --tmpfs "/a/../t" "$IMG" true
	expect_engine_error "--device" eng run --rm --device "/dev/null:/a/../x" "$IMG" true
	run eng volume ls -q
	assert_eq "$output" "" "no volume was created"
	assert_eq "$(rootfs_fingerprint "$HOSTDIR")" "$before" "host directory untouched"
}

@test "a symlink in the root cannot send a mount outside it" {
	setup_rootfs
	ln -sfn / "$ROOTFS/evil"
	name="engine-vol-escape-$$"
	run "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run --rm --rootfs "$ROOTFS" \
		-v "$HOSTDIR:/evil/$name" sh -c "cat /$name/file; echo in >/evil/$name/written"
	assert_eq "$status" 0
	assert_eq "$output" "from-host"
	[ -d "$ROOTFS/$name" ] || { echo "mount point not inside the root"; false; }
	[ ! -e "/$name" ] || { echo "mount point made on the host"; false; }
	assert_eq "$(cat "$HOSTDIR/written")" "in"
	rmdir "$ROOTFS/$name"
}

@test "the host mount table is unchanged" {
	eng run --rm -v "$HOSTDIR:/h" -v hv:/v --tmpfs /t --read-only "$IMG" true
	id=$(eng run -d -v "$HOSTDIR:/h" "$IMG" sleep 300)
	cut -d' ' -f5 /proc/self/mountinfo | sort >"$BATS_TEST_TMPDIR/now"
	eng rm -f "$id" >/dev/null
	run diff "$HOST_MOUNTS" "$BATS_TEST_TMPDIR/now"
	assert_eq "$status" 0
}
