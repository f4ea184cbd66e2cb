#!/usr/bin/env bats
# robust-misc.bats: logs of a large and of a rotated log read in bounded
# memory (streamed, --tail from the end), a 601-port published range
# relayed (and the relay's bound named with the right protocol), and rmi
# of one of several tags untagging only, as Docker does.

load helpers

# What logs may take whatever the log's size: the engine's own few MB, far
# below the hundreds of MB of the logs written here.
MAX_RSS_KB=65536

setup_file() {
	store_setup --runroot "$IMG"
}

teardown_file() {
	store_teardown
}

teardown() {
	remove_containers eng
}

state_is() {
	[ "$(eng inspect --format '{{.State.Status}}' "$1")" = "$2" ]
}

# The peak RSS (KB) of `engine ARGS...`, its stdout in $BATS_TEST_TMPDIR/out.
max_rss() {
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" \
		--runroot "$ENGINE_RUNROOT" "$@" >"$BATS_TEST_TMPDIR/out"
	tail -1 "$BATS_TEST_TMPDIR/rss"
}

@test "logs and logs --tail 1 of a 300 MB log stay in bounded memory" {
	# 300,000 lines of 1,000 bytes, then one to find.
	eng run -d --name big "$IMG" sh -c \
		'x=$(head -c 999 /dev/zero | tr "\0" x); yes "$x" | head -c 300000000; echo the-last-line' >/dev/null
	eng wait big >/dev/null
	d="$ENGINE_ROOT/containers/$(eng inspect --format '{{.Id}}' big)"
	[ "$(stat -c %s "$d/ctr.log")" -gt 300000000 ]
	rss=$(max_rss logs --tail 1 big)
	assert_eq "$(cat "$BATS_TEST_TMPDIR/out")" "the-last-line"
	[ "$rss" -lt "$MAX_RSS_KB" ] || { echo "logs --tail 1: $rss KB"; false; }
	rss=$(max_rss logs big)
	assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/out")" 300001
	assert_eq "$(tail -1 "$BATS_TEST_TMPDIR/out")" "the-last-line"
	[ "$rss" -lt "$MAX_RSS_KB" ] || { echo "logs: $rss KB"; false; }
	# -t and --since still apply to what --tail reads backwards
	run eng logs -t --since 1h --tail 2 big
	assert_eq "${#lines[@]}" 2
	[[ "${lines[1]}" =~ ^[0-9-]+T[0-9:.]+Z\ the-last-line$ ]]
	run eng logs --until "$(($(date +%s) + 3600))" --tail 1 big
	assert_eq "$output" "the-last-line"
	run eng logs --until 2000-01-01 --tail 1 big
	assert_eq "$output" ""
}

@test "logs --tail across rotated json-file logs reads only the end, in bounded memory" {
	# ~100 MB of filler in 1 MB files, then 4,000 numbered lines of ~300
	# bytes (1.3 MB of JSON), so the tail spans a rotation.
	eng run -d --name rot --log-driver json-file --log-opt max-size=1m --log-opt max-file=120 "$IMG" sh -c \
		'x=$(head -c 999 /dev/zero | tr "\0" x); yes "$x" | head -c 100000000; y=$(head -c 280 /dev/zero | tr "\0" y)
		 i=1; while [ $i -le 4000 ]; do echo "n $i $y"; i=$((i + 1)); done' >/dev/null
	eng wait rot >/dev/null
	d="$ENGINE_ROOT/containers/$(eng inspect --format '{{.Id}}' rot)"
	[ -f "$d/ctr.log.100" ]
	rss=$(max_rss logs --tail 4000 rot)
	[ "$rss" -lt "$MAX_RSS_KB" ] || { echo "logs --tail 4000: $rss KB"; false; }
	y=$(head -c 280 /dev/zero | tr '\0' y)
	seq 1 4000 | sed "s/\$/ $y/; s/^/n /" | cmp - "$BATS_TEST_TMPDIR/out"
	run eng logs --tail 1 rot
	assert_eq "$output" "n 4000 $y"
}

# NUMBER consecutive TCP and UDP ports free on 127.0.0.1 now: the first.
free_range() {
	python3 -c 'import random, resource, socket, sys
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
for _ in range(200):
    base = random.randrange(20000, 60000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, kind)
                socks.append(s)
                s.bind(("0.0.0.0", p))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    sys.exit(0)
sys.exit(1)' "$1"
}

@test "a 601-port TCP range is published and a port in its middle serves" {
	base=$(free_range 601)
	last=$((base + 600)) mid=$((base + 300))
	run eng run -d --name wide -p "$base-$last:$base-$last/tcp" "$IMG" sh -c \
		"mkdir -p /w && echo middle > /w/index.html && exec httpd -f -p $mid -h /w"
	assert_eq "$status" 0
	wait_for curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$mid/"
	assert_eq "$(curl -s --max-time 5 "http://127.0.0.1:$mid/")" "middle"
	run eng port wide "$mid"
	assert_eq "$output" "0.0.0.0:$mid"
}

@test "a 601-port UDP range is published; past the open files limit the error names UDP" {
	base=$(free_range 601)
	last=$((base + 600))
	run eng run -d --name wideu -p "$base-$last:$base-$last/udp" "$IMG" sleep 600
	assert_eq "$status" 0
	wait_for state_is wideu running
	eng rm -f wideu >/dev/null
	# With the open files limit at 2100 the relay cannot hold 601 sockets
	# plus its flows and connections: refused, naming the protocol.
	run bash -c 'ulimit -n 2100 && "$@"' _ "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" \
		--runroot "$ENGINE_RUNROOT" run --rm -p "$base-$last:$base-$last/udp" "$IMG" true
	[ "$status" -ne 0 ]
	assert_contains "$output" "601 published UDP ports: at most"
	assert_contains "$output" "open files limit"
	run bash -c 'ulimit -n 2100 && "$@"' _ "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" \
		--runroot "$ENGINE_RUNROOT" run --rm -p "$base-$last:$base-$last/tcp" "$IMG" true
	[ "$status" -ne 0 ]
	assert_contains "$output" "601 published TCP ports: at most"
}

@test "rmi -f of one of several tags only untags it; by ID it needs -f and then removes all" {
	id=$(eng image inspect --format '{{.Id}}' "$IMG")
	id=${id#sha256:}
	eng tag "$IMG" other:1
	eng tag "$IMG" other:2
	run eng rmi -f other:1
	assert_eq "$status" 0
	assert_eq "$output" "Untagged: docker.io/library/other:1"
	run eng image inspect --format '{{.Id}}' "$IMG"
	assert_eq "$status" 0
	assert_eq "$output" "sha256:$id"
	run eng rmi other:2
	assert_eq "$output" "Untagged: docker.io/library/other:2"
	run eng image inspect "$IMG"
	assert_eq "$status" 0
	# By ID with several names: refused without -f, as Docker does ...
	eng tag "$IMG" other:3
	run eng rmi "${id:0:12}"
	assert_eq "$status" 1
	assert_contains "$output" "conflict: unable to delete ${id:0:12} (must be forced) - image is referenced in multiple repositories"
	run eng image inspect other:3
	assert_eq "$status" 0
	# ... and with -f every name goes with the image.
	run eng rmi -f "${id:0:12}"
	assert_eq "$status" 0
	assert_contains "$output" "Untagged: docker.io/library/other:3"
	assert_contains "$output" "Untagged: $IMG"
	assert_contains "$output" "Deleted: sha256:$id"
	run eng image inspect "$IMG"
	assert_eq "$status" 1
	# The last name removes the image, -f or not; the last tag of a
	# repository takes that repository's digest names with it (Docker).
	eng pull -q "$IMG" >/dev/null
	digest=$(curl -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REG/v2/busybox/manifests/latest" |
		awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r')
	[[ "$digest" =~ ^sha256: ]]
	eng pull -q "$REG/busybox@$digest" >/dev/null
	eng tag "$IMG" other:4
	run eng rmi other:4
	assert_eq "$output" "Untagged: docker.io/library/other:4"
	run eng rmi -f "$IMG"
	assert_eq "$status" 0
	assert_contains "$output" "Untagged: $REG/busybox@$digest"
	assert_contains "$output" "Deleted: sha256:$id"
	eng pull -q "$IMG" >/dev/null
}
