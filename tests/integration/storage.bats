#!/usr/bin/env bats
# storage.bats: choosing the storage driver (--storage-driver, STORAGE_DRIVER,
# storage.conf, the store's record, detection) and keeping a store to one
# family of drivers.  The image suite itself runs once per driver (tests/run.sh).

load helpers

# Stores of this file; removing their files needs the namespace helper.
# Without the tests' storage.conf: the last one a test wrote may be broken
# on purpose, and would fail every rmi here.
teardown() {
	unset XDG_CONFIG_HOME XDG_DATA_HOME
	for root in "$BATS_TEST_TMPDIR"/store*; do
		[ -d "$root" ] || continue
		for i in $("$ENGINE" --root "$root" images -q 2>/dev/null); do
			"$ENGINE" --root "$root" rmi -f "$i" >/dev/null 2>&1 || true
		done
	done
}

@test "an unknown --storage-driver fails with 125, naming it" {
	expect_engine_error 'unknown storage driver "zfs"' "$ENGINE" --storage-driver zfs images
	expect_engine_error 'unknown storage driver "zfs"' "$ENGINE" --storage-driver zfs run --rm "$REG/busybox" true
	run "$ENGINE" --storage-driver
	assert_eq "$status" 125
}

@test "an unknown STORAGE_DRIVER fails with 125, naming it" {
	STORAGE_DRIVER=btrfs expect_engine_error 'unknown storage driver "btrfs" (STORAGE_DRIVER)' \
		"$ENGINE" --root "$BATS_TEST_TMPDIR/store" pull -q "$REG/busybox"
	# Empty means unset, as in Podman.
	STORAGE_DRIVER= run "$ENGINE" --root "$BATS_TEST_TMPDIR/store" pull -q "$REG/busybox"
	assert_eq "$status" 0
}

@test "a store created with vfs refuses overlay and fuse-overlayfs, with one clear line" {
	root="$BATS_TEST_TMPDIR/store"
	"$ENGINE" --storage-driver vfs --root "$root" pull -q "$REG/busybox" >/dev/null
	assert_eq "$(cat "$root/driver")" vfs
	expect_engine_error "created with the vfs storage driver and cannot be used with overlay" \
		"$ENGINE" --storage-driver overlay --root "$root" run --rm "$REG/busybox" true
	expect_engine_error "created with the vfs storage driver and cannot be used with fuse-overlayfs" \
		"$ENGINE" --storage-driver fuse-overlayfs --root "$root" pull -q "$REG/busybox"
	STORAGE_DRIVER=overlay expect_engine_error "cannot be used with overlay (STORAGE_DRIVER)" \
		"$ENGINE" --root "$root" run --rm "$REG/busybox" true
	# Without a choice the store's own driver is used.
	run "$ENGINE" --root "$root" run --rm "$REG/busybox" echo ok
	assert_eq "$output" ok
}

@test "a store created with overlay refuses vfs" {
	root="$BATS_TEST_TMPDIR/store"
	"$ENGINE" --storage-driver overlay --root "$root" pull -q "$REG/busybox" >/dev/null
	expect_engine_error "created with the overlay storage driver and cannot be used with vfs" \
		"$ENGINE" --storage-driver vfs --root "$root" run --rm "$REG/busybox" true
}

@test "overlay and fuse-overlayfs share one store" {
	root="$BATS_TEST_TMPDIR/store"
	"$ENGINE" --storage-driver overlay --root "$root" pull -q "$REG/layered" >/dev/null
	run "$ENGINE" --storage-driver fuse-overlayfs --root "$root" run --rm "$REG/layered" \
		sh -c 'grep " / " /proc/mounts | cut -d" " -f3; cat /data/b'
	assert_eq "$status" 0
	assert_eq "$output" "fuse.fuse-overlayfs
b-v2"
	assert_eq "$(cat "$root/driver")" overlay "the record stays as first made"
	run pgrep -u "$(id -u)" fuse-overlayfs
	assert_eq "$output" ""
}

@test "with nothing configured the driver is detected once and recorded" {
	root="$BATS_TEST_TMPDIR/store"
	run "$ENGINE" --root "$root" info --format json
	detected=$(echo "$output" | jq -r .store.driver)
	assert_eq "$(echo "$output" | jq -r .store.driverSource)" detected
	"$ENGINE" --root "$root" pull -q "$REG/busybox" >/dev/null
	assert_eq "$(cat "$root/driver")" "$detected"
	run "$ENGINE" --root "$root" info --format json
	assert_eq "$(echo "$output" | jq -r .store.driverSource)" store
	[ -z "$(ls -a "$root" | grep probe)" ] # the probe leaves nothing
}

@test "STORAGE_DRIVER chooses, and --storage-driver wins over it" {
	STORAGE_DRIVER=vfs "$ENGINE" --root "$BATS_TEST_TMPDIR/store1" pull -q "$REG/busybox" >/dev/null
	assert_eq "$(cat "$BATS_TEST_TMPDIR/store1/driver")" vfs
	STORAGE_DRIVER=vfs "$ENGINE" --storage-driver fuse-overlayfs --root "$BATS_TEST_TMPDIR/store2" \
		pull -q "$REG/busybox" >/dev/null
	assert_eq "$(cat "$BATS_TEST_TMPDIR/store2/driver")" fuse-overlayfs
}

# bats test_tags=only:nonroot
@test "storage.conf chooses the driver; a bad one fails with one line naming it" {
	# Root reads /etc/engine/storage.conf, which a test must not write.
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/engine"
	conf="$XDG_CONFIG_HOME/engine/storage.conf"
	printf '# mine\n[storage]\ndriver = "vfs"\n' >"$conf"
	run "$ENGINE" --root "$BATS_TEST_TMPDIR/store" info --format json
	assert_eq "$(echo "$output" | jq -r .store.driver)" vfs
	assert_eq "$(echo "$output" | jq -r .store.driverSource)" storage.conf
	"$ENGINE" --storage-driver overlay --root "$BATS_TEST_TMPDIR/store" pull -q "$REG/busybox" >/dev/null
	expect_engine_error "cannot be used with vfs ($conf)" \
		"$ENGINE" --root "$BATS_TEST_TMPDIR/store" run --rm "$REG/busybox" true
	printf 'driver = "overlay"\ngraphroot = "/x"\n' >"$conf"
	expect_engine_error "$conf:2: expected driver" "$ENGINE" --root "$BATS_TEST_TMPDIR/store" pull -q "$REG/busybox"
	printf 'driver = "zfs"\n' >"$conf"
	expect_engine_error "$conf:1: unknown storage driver \"zfs\"" "$ENGINE" --root "$BATS_TEST_TMPDIR/store" info
}

@test "vfs: the image's flattened root goes with the image" {
	root="$BATS_TEST_TMPDIR/store"
	"$ENGINE" --storage-driver vfs --root "$root" pull -q "$REG/layered" >/dev/null
	"$ENGINE" --root "$root" pull -q "$REG/busybox" >/dev/null
	assert_eq "$(ls "$root/vfs" | wc -l)" 2
	"$ENGINE" --root "$root" rmi "$REG/layered" >/dev/null
	assert_eq "$(ls "$root/vfs" | wc -l)" 1
	"$ENGINE" --root "$root" rmi "$REG/busybox" >/dev/null
	assert_eq "$(ls -A "$root/vfs" | wc -l)" 0
}

# bats test_tags=only:nonroot
@test "storage.conf's root and runroot place the store; --root and --runroot win; relative paths fail" {
	# Root reads /etc/engine/storage.conf, which a test must not write.
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config" XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	mkdir -p "$XDG_CONFIG_HOME/engine"
	conf="$XDG_CONFIG_HOME/engine/storage.conf"
	root="$BATS_TEST_TMPDIR/store-conf"
	runroot="$BATS_TEST_TMPDIR/run-conf"
	printf '[storage]\nroot = "%s"\nrunroot = "%s"  # mine\n' "$root" "$runroot" >"$conf"
	run "$ENGINE" info --format json
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | jq -r .store.graphRoot)" "$root"
	assert_eq "$(echo "$output" | jq -r .store.runRoot)" "$runroot"

	# Images land there, and every command finds them there.
	id=$("$ENGINE" pull -q "$REG/busybox")
	[ -f "$root/images/$id/image.json" ]
	assert_eq "$("$ENGINE" images -q)" "${id:0:12}"
	run "$ENGINE" run --rm "$REG/busybox" echo ok
	assert_eq "$output" ok
	[ -d "$runroot/seccomp" ] # run's state (the seccomp cache) is in runroot
	[ ! -e "$XDG_DATA_HOME/engine" ] # the default store was never made

	# The flags win.
	run "$ENGINE" --root "$BATS_TEST_TMPDIR/store-flag" --runroot "$BATS_TEST_TMPDIR/run-flag" info --format json
	assert_eq "$(echo "$output" | jq -r .store.graphRoot)" "$BATS_TEST_TMPDIR/store-flag"
	assert_eq "$(echo "$output" | jq -r .store.runRoot)" "$BATS_TEST_TMPDIR/run-flag"
	assert_eq "$("$ENGINE" --root "$BATS_TEST_TMPDIR/store-flag" images -q)" ""

	# Relative paths (~ included: it is not expanded) are one line naming the file and line.
	printf 'root = "store"\n' >"$conf"
	expect_engine_error "$conf:1: root must be an absolute path" "$ENGINE" images
	printf '# c\nrunroot = "~/run"\n' >"$conf"
	expect_engine_error "$conf:2: runroot must be an absolute path" "$ENGINE" info
	[ ! -e "$XDG_DATA_HOME/engine" ]
}
