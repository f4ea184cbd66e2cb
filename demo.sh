#!/usr/bin/env bash
# demo.sh: build engine, install it, and run a rootless container end to end.
#
#   sudo ./demo.sh
#
# Needs only Debian's packages (no registry, no network beyond the apt
# mirror; with the packages already present, none at all): the demo rootfs
# is made from busybox-static.  The container runs as the user who called
# sudo (or as $ENGINE_DEMO_USER), through a user namespace mapped with
# newuidmap from /etc/subuid, or a single-id mapping when there is no range.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run it with sudo (it installs packages and the binary)" >&2; exit 2; }

user=${ENGINE_DEMO_USER:-${SUDO_USER:-}}
if [ -z "$user" ] || [ "$user" = root ]; then
	user=root
fi

pkgs=(gcc meson ninja-build pkg-config libsubid-dev uidmap libcurl4-openssl-dev libjansson-dev
      libarchive-dev libseccomp-dev libsystemd-dev libssl-dev zlib1g-dev busybox-static musl-tools)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "demo: installing ${missing[*]}"
	apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "demo: building"
[ -f build/demo/build.ninja ] || meson setup build/demo --prefix=/usr/local >/dev/null
ninja -C build/demo >/dev/null
install -m 0755 build/demo/cmd/engine /usr/local/bin/engine
# the image commands' helper, where engine looks for it (../libexec/engine)
install -D -m 0755 build/demo/cmd/engine-image /usr/local/libexec/engine/engine-image

home=$(getent passwd "$user" | cut -d: -f6)
rootfs=$home/.local/share/engine-demo/busybox
if [ ! -x "$rootfs/bin/busybox" ]; then
	echo "demo: making a busybox rootfs in $rootfs"
	runuser -u "$user" -- sh -euc '
		r=$1
		mkdir -p "$r/bin" "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/root" "$r/tmp"
		chmod 1777 "$r/tmp"
		cp /bin/busybox "$r/bin/busybox"
		for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
		printf "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" >"$r/etc/passwd"
		printf "root:x:0:\nnogroup:x:65534:\n" >"$r/etc/group"
	' sh "$rootfs"
fi

uid=$(id -u "$user")
runtime=/run/user/$uid
[ -d "$runtime" ] || install -d -m 0700 -o "$uid" -g "$(id -g "$user")" "$runtime"
echo "demo: engine run --rootfs $rootfs (as $user)"
runuser -u "$user" -- env HOME="$home" XDG_RUNTIME_DIR="$runtime" \
	engine run --rootfs "$rootfs" --network none -h demo sh -c \
	'echo "hello from $(hostname): $(id)"; echo "uid_map:"; cat /proc/self/uid_map; grep -E "^(CapEff|Seccomp):" /proc/self/status'
