#!/usr/bin/env bash
# tests/vm/run.sh DIR SHARE: boot the test VM built by tests/vm/image.sh in
# DIR, share the directory SHARE read-only into it (9p, at /mnt/share), let
# the guest run SHARE/run.sh as root, stream what it prints, power off, and
# exit with run.sh's exit code.  125: the VM did not get that far (no
# image, qemu failed, the hard timeout hit, no exit line).
#
# KVM when it can work: /dev/kvm usable and the CPU has vmx/svm.  Hosts
# like the CI machines expose a /dev/kvm backed by PVM (a paravirtual KVM
# for nested guests without VMX) that only boots PVM-built guest kernels:
# qemu starts and the Debian kernel never prints a line.  Else TCG.
# Networking is qemu's user mode with restrict=on: the guest has an address
# and qemu's DHCP, and nothing it sends leaves qemu (no host, no internet).
# A later suite that needs the host's registry adds a guestfwd for it.
# Knobs: ENGINE_VM_ACCEL (auto|kvm|tcg), ENGINE_VM_TIMEOUT (seconds, 600),
#        ENGINE_VM_MEM (MiB, 2048), ENGINE_VM_SMP (2).
set -uo pipefail
DIR=${1:-}
SHARE=${2:-}
if [ -z "$DIR" ] || [ -z "$SHARE" ]; then
	echo "usage: $0 DIR SHARE" >&2
	exit 2
fi
for f in vm.img vmlinuz initrd.img; do
	[ -f "$DIR/$f" ] || { echo "run.sh: no $DIR/$f; build it with tests/vm/image.sh $DIR" >&2; exit 125; }
done
[ -x "$SHARE/run.sh" ] || { echo "run.sh: $SHARE/run.sh is not an executable file" >&2; exit 125; }
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2; exit 125; }

accel=${ENGINE_VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	fi
fi
# shellcheck disable=SC2054  # the commas are qemu's option syntax
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
tcg) accel_args=(-accel tcg,thread=multi -cpu max) ;;
*) echo "run.sh: ENGINE_VM_ACCEL=$accel: expected auto, kvm or tcg" >&2; exit 2 ;;
esac

# The image is written by the guest: boot a throw-away overlay of it, so
# every run starts from the same disk and two runs may share DIR.
work=$(mktemp -d "${TMPDIR:-/tmp}/engine-vm.XXXXXX")
qpid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 125' INT TERM
if command -v qemu-img >/dev/null; then
	qemu-img create -q -f qcow2 -F raw -b "$(realpath "$DIR/vm.img")" "$work/disk.qcow2"
	disk=(-drive "file=$work/disk.qcow2,format=qcow2,if=virtio")
else
	disk=(-drive "file=$DIR/vm.img,format=raw,if=virtio,snapshot=on")
fi
: >"$work/results.log"

t0=$(date +%s.%N)
# ttyS0: the kernel's console (kept in DIR/console.log); ttyS1: the
# guest's test output, which we follow.
timeout "${ENGINE_VM_TIMEOUT:-600}" qemu-system-x86_64 "${accel_args[@]}" \
	-smp "${ENGINE_VM_SMP:-2}" -m "${ENGINE_VM_MEM:-2048}" \
	-display none -nodefaults -no-reboot -monitor none \
	-kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet systemd.unified_cgroup_hierarchy=1 engine.share" \
	"${disk[@]}" \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
	-virtfs "local,path=$(realpath "$SHARE"),mount_tag=share,security_model=none,readonly=on" \
	-serial "file:$work/console.log" -serial "file:$work/results.log" &
qpid=$!
tail -n +1 -f --pid="$qpid" "$work/results.log" 2>/dev/null | tr -d '\r' &
wait "$qpid"
qrc=$?
qpid=
wait
cp "$work/console.log" "$DIR/console.log" 2>/dev/null
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rc=$(tr -d '\r' <"$work/results.log" | sed -n 's/^ENGINE-VM-EXIT rc=\([0-9]*\).*/\1/p' | tail -1)
if [ -z "$rc" ]; then
	if [ "$qrc" = 124 ]; then
		echo "run.sh: the VM did not finish in ${ENGINE_VM_TIMEOUT:-600} s ($accel); console: $DIR/console.log" >&2
	else
		echo "run.sh: qemu exited $qrc before the guest's exit line ($accel); console: $DIR/console.log" >&2
	fi
	tail -15 "$DIR/console.log" >&2
	exit 125
fi
echo "# vm: $accel, ${wall} s wall, guest exit $rc"
exit "$rc"
