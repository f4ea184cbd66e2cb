#!/bin/bash
# tests/vm/cgroup.sh: the guest side of the "vm cgroup" CI step.  tests/run.sh
# copies it into the share as run.sh, next to vm-cgroup-test and engine; the
# guest's boot service runs it as root; it runs the tests as the lingering
# user tester and prints ONE TAP stream (the programs' streams renumbered),
# so that a program that dies half-way shows as failures, not as silence.
S=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8
T() {
	runuser -u tester -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/tester \
		XDG_RUNTIME_DIR=/run/user/1001 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1001/bus "$@"
}
cd /tmp || exit 1
n=0
fails=0
emit() { # emit OK|NOT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
# stream NAME CMD...: run a TAP program, renumber its lines under NAME
stream() {
	local name=$1 out plan ran
	shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	local rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) emit ok "$name: ${line#ok * - }" ;;
		"not ok "*) emit not "$name: ${line#not ok * - }" ;;
		"1.."*) ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$out"
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | tail -1)
	ran=$(grep -cE '^(not )?ok ' "$out")
	if [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
		emit not "$name: the program stopped half-way (plan '${plan}', ran $ran, exit $rc)"
	fi
	rm -f "$out"
}

# The user's manager starts at boot (linger); the boot service may win the race.
state=
for _ in $(seq 1 120); do
	state=$(T systemctl --user is-system-running 2>/dev/null)
	case $state in running | degraded) break ;; esac
	sleep 0.5
done
case $state in running | degraded) emit ok "tester's systemd manager is up ($state)" ;;
*) emit not "tester's systemd manager is up (state '$state')" ;; esac

stream systemd T "$S/vm-cgroup-test" systemd
stream auto T "$S/vm-cgroup-test" auto
# Root: the system manager, machine.slice.
stream root-systemd "$S/vm-cgroup-test" systemd
# The cgroupfs manager needs a cgroup the user owns: a Delegate=yes scope.
stream cgroupfs T systemd-run --user --quiet --scope -p Delegate=yes "$S/vm-cgroup-test" cgroupfs

if [ -x "$S/engine" ]; then
	info=$(T "$S/engine" info --format json 2>&1)
	mgr=$(printf '%s' "$info" | jq -r '.host.cgroupManager' 2>/dev/null)
	if [ "$mgr" = systemd ]; then
		emit ok "engine info: cgroupManager systemd"
	else
		emit not "engine info: cgroupManager systemd (got '$mgr')"
	fi
	ctl=$(printf '%s' "$info" | jq -r '.host.cgroupControllers | join(" ")' 2>/dev/null)
	if [[ " $ctl " == *" memory "* && " $ctl " == *" pids "* ]]; then
		emit ok "engine info: cgroupControllers '$ctl'"
	else
		emit not "engine info: cgroupControllers has memory and pids (got '$ctl')"
	fi
fi
# The engine's own tests, in the same TAP stream.
if [ -f "$S/engine.sh" ]; then
	# shellcheck source=tests/vm/engine.sh
	. "$S/engine.sh"
fi
echo "1..$n"
[ "$fails" = 0 ]
