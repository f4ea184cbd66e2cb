#!/usr/bin/env bats
# record-compat.bats: a container recorded by the previous release (the
# fixture in fixtures/record-v0: no "version", enums as integers) is
# listed, inspected, started, stopped and removed by this engine, and a
# rename writes it again in the current format, which still starts.

load helpers
bats_require_minimum_version 1.5.0

REG=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}
IMG="$REG/busybox:latest"
FIXTURE_ID=7b2d5fe89bb8de5fa26b547494f23ac97a03a4de49609e05ce32ecd366716546

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	export ENGINE_RUNROOT="$BATS_FILE_TMPDIR/run"
	mkdir -p "$ENGINE_RUNROOT"
	chmod 0700 "$ENGINE_RUNROOT"
	# The fixture names the layers and config of the registry's busybox.
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" pull -q "$IMG" >/dev/null
}

teardown_file() {
	"$ENGINE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af >/dev/null 2>&1 || true
	"$ENGINE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" system reset -f >/dev/null 2>&1 || true
}

teardown() {
	eng rm -af >/dev/null 2>&1 || true
}

eng() {
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@"
}

# The fixture into this store, as the previous release left it: its paths
# made this store's, its driver (1, overlay, when it was made) this
# store's.
install_fixture() {
	local fix="$BATS_TEST_DIRNAME/fixtures/record-v0" dir="$ENGINE_ROOT/containers/$FIXTURE_ID"
	local driver number
	driver=$(cat "$ENGINE_ROOT/driver")
	case $driver in
	overlay) number=1 ;;
	fuse-overlayfs) number=2 ;;
	vfs) number=3 ;;
	*)
		echo "unknown driver '$driver'" >&2
		return 1
		;;
	esac
	mkdir -p "$dir" "$ENGINE_ROOT/container-names"
	sed -e "s|@STORE_ROOT@|$ENGINE_ROOT|" -e "s|@RUN_ROOT@|$ENGINE_RUNROOT|" \
		-e "s|\"storage_driver\":1,|\"storage_driver\":$number,|" "$fix/config.json" >"$dir/config.json"
	cp "$fix/state.json" "$fix/image" "$dir/"
	chmod 0600 "$dir"/*
	printf %s "$FIXTURE_ID" >"$ENGINE_ROOT/container-names/record-v0"
	# It is the old format: no version, the network mode as a number.
	! grep -q '"version"' "$dir/config.json"
	grep -q '"network":1,' "$dir/config.json"
}

@test "a record of the previous release is listed and inspected" {
	install_fixture
	run eng ps -a --format '{{.Names}} {{.Status}} {{.Networks}} {{.Labels}}'
	[ "$status" -eq 0 ]
	assert_eq "$output" "record-v0 Created none fixture=v0"
	run eng inspect --format '{{.HostConfig.NetworkMode}} {{.Config.StopTimeout}} {{.Path}}' record-v0
	[ "$status" -eq 0 ]
	assert_eq "$output" "none 3 sleep"
}

@test "a record of the previous release starts, stops and is removed" {
	install_fixture
	run eng start record-v0
	[ "$status" -eq 0 ]
	run eng ps --format '{{.Names}} {{.Command}}'
	[ "$status" -eq 0 ]
	assert_eq "$output" 'record-v0 "sleep 4711"'
	run eng exec record-v0 sh -c 'echo $FIXTURE'
	[ "$status" -eq 0 ]
	assert_eq "$output" "1"
	run eng stop record-v0
	[ "$status" -eq 0 ]
	run eng ps -a --format '{{.Names}} {{.State}}'
	assert_eq "$output" "record-v0 exited"
	run eng rm record-v0
	[ "$status" -eq 0 ]
	[ ! -e "$ENGINE_ROOT/containers/$FIXTURE_ID" ]
	[ ! -e "$ENGINE_ROOT/container-names/record-v0" ]
	run eng ps -aq
	assert_eq "$output" ""
}

@test "rename writes the record in the current format, which still starts" {
	install_fixture
	run eng rename record-v0 record-v1
	[ "$status" -eq 0 ]
	local cfg="$ENGINE_ROOT/containers/$FIXTURE_ID/config.json"
	grep -q '"version":1' "$cfg"
	grep -q '"network":"none"' "$cfg"
	grep -q '"Name":"record-v1"' "$cfg"
	run eng start record-v1
	[ "$status" -eq 0 ]
	run eng inspect --format '{{.State.Status}} {{.HostConfig.NetworkMode}} {{.Name}}' record-v1
	assert_eq "$output" "running none /record-v1"
	run eng rm -f record-v1
	[ "$status" -eq 0 ]
	[ ! -e "$ENGINE_ROOT/containers/$FIXTURE_ID" ]
}
