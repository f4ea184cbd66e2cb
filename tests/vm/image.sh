#!/usr/bin/env bash
# tests/vm/image.sh [DIR]: build the Debian 12 VM image the cgroup v2 tests
# boot (tests/vm/run.sh).  This machine's own cgroups are a v1 hybrid with no
# controllers on v2, so delegation through systemd user slices can only be
# tested for real in a guest with systemd as PID 1 and pure cgroup v2.
#
# The guest has: systemd, dbus-user-session, a lingering user "tester"
# (uid 1001, subuid/subgid 100000:65536) whose user@1001.service gets
# cpu, cpuset, io, memory and pids delegated, the runtime libraries our
# binaries link (they are built on this bookworm host and run in the guest
# through the 9p share), podman for side-by-side benchmarks, and a boot
# service that mounts the share and runs SHARE/run.sh (see guest_script).
#
# Cached: DIR/vm.img is reused while DIR/inputs.sha256 matches the hash of
# this script (every input of the image is in it).  Run as root; needs
# debootstrap, e2fsprogs (mke2fs -d) and the Debian mirror apt uses.
# Knobs: ENGINE_VM_MIRROR, ENGINE_VM_DISK (default 4G), ENGINE_VM_REBUILD=1.
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8

DIR=${1:-/var/lib/engine-test/vm}
self=$(readlink -f "$0")
hash=$(sha256sum "$self" | cut -d' ' -f1)

if [ "${ENGINE_VM_REBUILD:-0}" != 1 ] && [ -f "$DIR/vm.img" ] &&
	[ "$(cat "$DIR/inputs.sha256" 2>/dev/null)" = "$hash" ]; then
	echo "image.sh: $DIR/vm.img is up to date (inputs $hash)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "image.sh: run as root (debootstrap, chroot)" >&2; exit 2; }
for c in debootstrap mke2fs; do
	command -v "$c" >/dev/null || { echo "image.sh: $c is missing (apt-get install debootstrap e2fsprogs)" >&2; exit 2; }
done

MIRROR=${ENGINE_VM_MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# debootstrap does not resolve virtual packages: podman's
# "container-network-stack" has to be named (netavark).
INCLUDE=(
	systemd systemd-sysv dbus dbus-user-session libpam-systemd udev kmod
	linux-image-amd64 initramfs-tools iproute2 procps util-linux
	uidmap fuse-overlayfs fuse3 slirp4netns busybox-static
	podman crun netavark aardvark-dns
	libjansson4 libseccomp2 libsubid4 libcurl4 libarchive13 libcap2 zlib1g
	curl jq
)

mkdir -p "$DIR"
work=$DIR/build.tmp
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
R=$work/rootfs
t0=$(date +%s)
if ! debootstrap --variant=minbase --include="$(
	IFS=,
	echo "${INCLUDE[*]}"
)" bookworm "$R" "$MIRROR" >"$DIR/debootstrap.log" 2>&1; then
	tail -20 "$DIR/debootstrap.log" >&2
	echo "image.sh: debootstrap failed (log: $DIR/debootstrap.log)" >&2
	exit 1
fi
echo "image.sh: debootstrap took $(($(date +%s) - t0)) s"
rm -rf "$R"/var/cache/apt/archives/*.deb "$R/debootstrap"

echo engine-vm >"$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 engine-vm\n' >"$R/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n' >"$R/etc/fstab"
chroot "$R" passwd -d root >/dev/null
# useradd allocates tester:100000:65536 itself when the files exist.
touch "$R/etc/subuid" "$R/etc/subgid"
chroot "$R" useradd -m -u 1001 -s /bin/bash tester
grep -q '^tester:' "$R/etc/subuid" || echo tester:100000:65536 >>"$R/etc/subuid"
grep -q '^tester:' "$R/etc/subgid" || echo tester:100000:65536 >>"$R/etc/subgid"
# Lingering: user@1001.service (and its D-Bus session bus) start at boot,
# without a login.
mkdir -p "$R/var/lib/systemd/linger"
touch "$R/var/lib/systemd/linger/tester"
# Which controllers the user's manager gets is systemd's default, which
# has changed between releases: say it.  cpuset is for AllowedCPUs=.
mkdir -p "$R/etc/systemd/system/user@.service.d"
printf '[Service]\nDelegate=cpu cpuset io memory pids\n' >"$R/etc/systemd/system/user@.service.d/delegate.conf"
mkdir -p "$R/home/tester/.config/containers"
printf '[storage]\ndriver = "overlay"\n' >"$R/home/tester/.config/containers/storage.conf"
chroot "$R" chown -R tester:tester /home/tester/.config
mkdir -p "$R/etc/containers/registries.conf.d"
printf '[[registry]]\nlocation = "10.0.2.2:5000"\ninsecure = true\n' \
	>"$R/etc/containers/registries.conf.d/50-engine-test.conf"
mkdir -p "$R/etc/systemd/network"
printf '[Match]\nName=en* eth*\n[Network]\nDHCP=yes\n' >"$R/etc/systemd/network/80-dhcp.network"
chroot "$R" systemctl enable systemd-networkd >/dev/null 2>&1
# Nothing else should run at boot: it would only slow the tests down.
chroot "$R" systemctl mask podman-auto-update.timer podman-restart.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
	systemd-networkd-wait-online.service getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1 || true

# The boot service: test output goes to the second serial port (a getty on
# ttyS0 hangs up a tty that scripts write to), the exit code is the last
# line, then the guest powers off (qemu runs with -no-reboot).
cat >"$R/usr/local/sbin/engine-vm-guest.sh" <<'GUEST'
#!/bin/bash
exec >/dev/ttyS1 2>&1
echo "ENGINE-VM-READY uptime=$(cut -d' ' -f1 /proc/uptime) virt=$(systemd-detect-virt 2>/dev/null) kernel=$(uname -r)"
echo "# cgroup fs: $(stat -fc %T /sys/fs/cgroup); user@1001 controllers: $(cat /sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service/cgroup.controllers 2>&1)"
rc=0
mkdir -p /mnt/share
if ! grep -qw engine.share /proc/cmdline; then
	echo "# no share given"
elif modprobe 9pnet_virtio && mount -t 9p -o trans=virtio,version=9p2000.L,ro share /mnt/share; then
	if [ -x /mnt/share/run.sh ]; then
		/mnt/share/run.sh
		rc=$?
	else
		echo "# no executable run.sh in the share"
		rc=97
	fi
else
	echo "# 9p mount of the share failed"
	rc=99
fi
echo "ENGINE-VM-EXIT rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
systemctl poweroff
GUEST
chmod 0755 "$R/usr/local/sbin/engine-vm-guest.sh"
cat >"$R/etc/systemd/system/engine-vm-guest.service" <<'UNIT'
[Unit]
Description=engine VM test run (SHARE/run.sh)
After=multi-user.target user@1001.service
Wants=user@1001.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/engine-vm-guest.sh
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
UNIT
chroot "$R" systemctl enable engine-vm-guest.service >/dev/null 2>&1

cp "$R"/boot/vmlinuz-* "$work/vmlinuz"
cp "$R"/boot/initrd.img-* "$work/initrd.img"
truncate -s "${ENGINE_VM_DISK:-4G}" "$work/vm.img"
mke2fs -q -t ext4 -L engine-vm -d "$R" "$work/vm.img"
# Replace the old image only once the new one is whole.
for f in vmlinuz initrd.img vm.img; do mv -f "$work/$f" "$DIR/$f"; done
echo "$hash" >"$DIR/inputs.sha256"
echo "image.sh: built $DIR/vm.img ($(du -sh "$DIR/vm.img" | cut -f1) used) in $(($(date +%s) - t0)) s"
