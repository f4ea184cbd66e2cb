#!/usr/bin/env bash
# bench/files.sh: rough timings of cp, diff, export and commit
# against Podman, for a stopped and a running busybox container: the mean
# of 5 runs each, work files under /var/tmp (see bench/images.sh on /tmp).
# Run as the rootless test user:
#   tests/setup/as-user -u tester bench/files.sh [BUILDDIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
E="$top/${1:-build/dev}/cmd/engine"
R=$(mktemp -d /var/tmp/bench-files.XXXXXX)
IMG=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}/busybox:latest
cd /var/tmp || exit 1
"$E" --root "$R" pull -q "$IMG" >/dev/null
"$E" --root "$R" run --name b1 "$IMG" sh -c 'echo x >/x'
"$E" --root "$R" run -d --name b2 "$IMG" sleep 600 >/dev/null
data=$(mktemp /var/tmp/bench-files-data.XXXXXX)
out=$(mktemp /var/tmp/bench-files-out.XXXXXX)
head -c 1000000 /dev/urandom >"$data"
t() {
	local s
	s=$(date +%s%N)
	for _ in 1 2 3 4 5; do "$@" >/dev/null 2>&1 || echo "FAIL $*"; done
	echo "$(( ($(date +%s%N) - s) / 5000000 )) ms  $*" | sed "s|$E --root $R|engine|"
}
t "$E" --root "$R" cp "$data" b1:/tmp/f
t "$E" --root "$R" cp "$data" b2:/tmp/f
t "$E" --root "$R" cp b1:/bin/busybox "$out"
t "$E" --root "$R" cp b2:/bin/busybox "$out"
t "$E" --root "$R" diff b1
t sh -c "'$E' --root '$R' export b1 >/dev/null"
t sh -c "'$E' --root '$R' export b2 >/dev/null"
t "$E" --root "$R" commit b1
"$E" --root "$R" rm -f b1 b2 >/dev/null
if command -v podman >/dev/null; then
	podman pull -q --tls-verify=false "$IMG" >/dev/null 2>&1
	podman rm -f bench-p1 bench-p2 >/dev/null 2>&1
	podman run --name bench-p1 "$IMG" sh -c 'echo x >/x' >/dev/null 2>&1
	podman run -d --name bench-p2 "$IMG" sleep 600 >/dev/null 2>&1
	t podman cp "$data" bench-p1:/tmp/f
	t podman cp "$data" bench-p2:/tmp/f
	t podman cp bench-p1:/bin/busybox "$out"
	t podman cp bench-p2:/bin/busybox "$out"
	t podman diff bench-p1
	t sh -c "podman export bench-p1 >/dev/null"
	t sh -c "podman export bench-p2 >/dev/null"
	t podman commit -q bench-p1
	podman rm -f bench-p1 bench-p2 >/dev/null 2>&1
fi
for i in $("$E" --root "$R" images -q 2>/dev/null); do "$E" --root "$R" rmi -f "$i" >/dev/null 2>&1; done
rm -rf "$R" "$data" "$out" 2>/dev/null || true
