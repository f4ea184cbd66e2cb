#!/usr/bin/env bats
# network.bats:: slirp4netns by default, published
# ports (-p, -P, engine port, ps, inspect), the network modes (none, host,
# container:NAME, ns:PATH), the /etc files and their options, and that
# nothing is left behind.  Traffic goes only to loopback and to namespaces
# the tests create; every host port is a free one found at run time.

load helpers

DEB="$REG/debian:bookworm"
BUSYBOX=${ROOTFS_SRC}/bin/busybox

setup_file() {
	store_setup --runroot "$IMG" "$DEB"
}

teardown_file() {
	store_teardown
}

teardown() {
	[ -z "${HOST_PID:-}" ] || kill "$HOST_PID" 2>/dev/null || true
	remove_containers eng
}

# A TCP (or, with "udp", UDP) port free on the host now.
free_port() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "${1:-tcp}"
}

# httpd serving "hello NAME" on port 80 of a detached container.
web_cmd='mkdir -p /var/www && echo "hello $0" > /var/www/index.html && exec httpd -f -p 80 -h /var/www'

fetch() {
	curl -s --max-time 5 "$@"
}

# Our slirp4netns processes (their API sockets are under our run root).
our_slirp() {
	# [s]: the pattern must not match a shell whose command line holds it.
	pgrep -f "[s]lirp4netns .*$ENGINE_RUNROOT/" || true
}

no_slirp() {
	[ -z "$(our_slirp)" ]
}

@test "run -d -p: the page through the published port; engine port, ps, inspect show it" {
	port=$(free_port)
	run eng run -d -p "$port:80" --name web "$IMG" sh -c "$web_cmd" web
	assert_eq "$status" 0
	wait_for fetch "http://127.0.0.1:$port/"
	assert_eq "$(fetch "http://127.0.0.1:$port/")" "hello web"
	assert_eq "$(eng port web)" "80/tcp -> 0.0.0.0:$port"
	assert_eq "$(eng port web 80)" "0.0.0.0:$port"
	assert_eq "$(eng port web 80/tcp)" "0.0.0.0:$port"
	run eng port web 81
	assert_eq "$status" 1
	assert_contains "$output" "No public port '81/tcp' published for web"
	assert_eq "$(eng ps --format '{{.Ports}}')" "0.0.0.0:$port->80/tcp"
	run eng inspect -f '{{json .NetworkSettings.Ports}}' web
	assert_eq "$output" "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$port\"}]}"
	run eng inspect -f '{{json .HostConfig.PortBindings}}' web
	assert_eq "$output" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$port\"}]}"
}

@test "a foreground run --rm -p serves too" {
	port=$(free_port)
	eng run --rm -p "$port:80" "$IMG" sh -c 'mkdir -p /w && echo fg > /w/index.html && httpd -p 80 -h /w && sleep 5' &
	bg=$!
	wait_for fetch "http://127.0.0.1:$port/"
	assert_eq "$(fetch "http://127.0.0.1:$port/")" "fg"
	wait "$bg" || true
}

@test "UDP through a published port (the relay)" {
	port=$(free_port udp)
	eng run -d -p "$port:81/udp" --name udp "$DEB" perl -MIO::Socket::INET -e \
		'$s = IO::Socket::INET->new(LocalPort => 81, Proto => "udp") or die; while ($s->recv($m, 1000)) { $s->send("echo:$m") }'
	got=
	for _ in $(seq 50); do
		got=$(exec 3<>"/dev/udp/127.0.0.1/$port"; echo ping >&3; timeout 0.5 dd bs=1000 count=1 <&3 2>/dev/null) || true
		[ -n "$got" ] && break
		sleep 0.1
	done
	assert_eq "$got" "echo:ping"
	assert_eq "$(eng port udp)" "81/udp -> 0.0.0.0:$port"
}

@test "-P publishes the image's EXPOSEd ports on free host ports" {
	eng run --name base "$IMG" true
	eng commit -c 'EXPOSE 80' base exposed:latest >/dev/null
	eng run -d -P --name pub exposed:latest sh -c "$web_cmd" pub
	run eng port pub
	[[ "$output" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:([0-9]+)$ ]] || { echo "port: $output"; false; }
	port=${BASH_REMATCH[1]}
	wait_for fetch "http://127.0.0.1:$port/"
	assert_eq "$(fetch "http://127.0.0.1:$port/")" "hello pub"
	eng rm -f pub base >/dev/null
	eng rmi exposed:latest >/dev/null
}

@test "inside: 10.0.2.100, DNS 10.0.2.3, /etc/hosts and /etc/hostname of the container's own" {
	run eng run --rm --hostname box "$IMG" sh -c 'ip -o -4 addr show tap0; cat /etc/resolv.conf; cat /etc/hosts; cat /etc/hostname'
	assert_eq "$status" 0
	assert_contains "$output" "inet 10.0.2.100/24"
	assert_contains "$output" "nameserver 10.0.2.3"
	assert_contains "$output" "10.0.2.100	box"
	[ "$(echo "$output" | tail -1)" = box ]
	# Editable inside, nothing goes back to the host's files.
	before=$(md5sum /etc/hosts /etc/resolv.conf)
	run eng run --rm "$IMG" sh -c 'echo "1.2.3.4 extra" >> /etc/hosts && echo "search x" >> /etc/resolv.conf && grep -c extra /etc/hosts'
	assert_eq "$status" 0
	assert_eq "$output" 1
	assert_eq "$(md5sum /etc/hosts /etc/resolv.conf)" "$before" "host files"
}

@test "--add-host, --dns, --dns-search, --dns-option" {
	run eng run --rm --add-host db:192.0.2.7 --add-host gw:host-gateway --dns 192.0.2.53 \
		--dns-search example.test --dns-option ndots:2 "$IMG" sh -c 'cat /etc/hosts /etc/resolv.conf'
	assert_eq "$status" 0
	assert_contains "$output" "192.0.2.7	db"
	assert_contains "$output" "10.0.2.2	gw"
	assert_contains "$output" "nameserver 192.0.2.53"
	assert_contains "$output" "search example.test"
	assert_contains "$output" "options ndots:2"
	! grep -q "nameserver 10.0.2.3" <<<"$output"
	expect_engine_error "--dns nope" eng run --rm --dns nope "$IMG" true
	expect_engine_error "add-host" eng run --rm --add-host nocolon "$IMG" true
}

@test "the host's 127.0.0.1: unreachable by default, 10.0.2.2 with allow_host_loopback=true" {
	port=$(free_port)
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo "from the host" >"$BATS_TEST_TMPDIR/www/index.html"
	"$BUSYBOX" httpd -f -p "127.0.0.1:$port" -h "$BATS_TEST_TMPDIR/www" &
	HOST_PID=$!
	wait_for fetch "http://127.0.0.1:$port/"
	run eng run --rm "$IMG" sh -c "timeout 5 wget -qO- http://10.0.2.2:$port/"
	[ "$status" -ne 0 ]
	run eng run --rm --network slirp4netns:allow_host_loopback=true "$IMG" \
		sh -c "timeout 5 wget -qO- http://10.0.2.2:$port/ && grep host.containers.internal /etc/hosts"
	assert_eq "$status" 0
	assert_contains "$output" "from the host"
	assert_contains "$output" "10.0.2.2	host.containers.internal"
	run eng run --rm "$IMG" cat /etc/hosts
	! grep -q host.containers.internal <<<"$output"
}

@test "--network none has only lo and no nameserver; --network host sees the host's interfaces" {
	run eng run --rm --network none "$IMG" sh -c 'ls /sys/class/net; grep -c nameserver /etc/resolv.conf || true'
	assert_eq "$status" 0
	assert_eq "$output" "lo
0"
	want=$(ls /sys/class/net | sort | tr '\n' ' ')
	run eng run --rm --network host "$IMG" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	assert_eq "$status" 0
	assert_eq "$output" "$want"
	# bridge is slirp4netns, as Podman's rootless default.
	run eng run --rm --network bridge "$IMG" ip -o -4 addr show tap0
	assert_contains "$output" "10.0.2.100"
}

@test "--network container:NAME shares the network (localhost between them), ns:PATH too" {
	eng run -d --name srv "$IMG" sh -c 'mkdir -p /w && echo shared > /w/index.html && exec httpd -f -p 8000 -h /w'
	run wait_for eng run --rm --network container:srv "$IMG" sh -c 'timeout 5 wget -qO- http://127.0.0.1:8000/'
	assert_eq "$status" 0
	assert_eq "$output" "shared"
	cid=$(eng run -d --network container:srv "$IMG" sleep 600)
	assert_eq "$(eng inspect -f '{{.HostConfig.NetworkMode}}' "$cid")" "container:$(eng inspect -f '{{.Id}}' srv)"
	eng rm -f "$cid" >/dev/null
	pid=$(eng inspect -f '{{.State.Pid}}' srv)
	run eng run --rm --network "ns:/proc/$pid/ns/net" "$IMG" sh -c 'timeout 5 wget -qO- http://127.0.0.1:8000/'
	assert_eq "$status" 0
	assert_eq "$output" "shared"
	expect_engine_error "No such container: nosuch" eng run --rm --network container:nosuch "$IMG" true
	eng stop -t 0 srv >/dev/null
	expect_engine_error "not running" eng run --rm --network container:srv "$IMG" true
}

@test "bad -p, a taken port, a privileged port, no slirp4netns, pasta: one line, 125, nothing running" {
	port=$(free_port)
	eng run -d -p "$port:80" --name web "$IMG" sleep 600
	before=$(eng ps -q | wc -l)
	expect_engine_error "invalid hostPort: 8x" eng run -d -p 8x:80 "$IMG" true
	expect_engine_error "Address already in use" eng run -d -p "$port:80" "$IMG" true
	expect_engine_error "Address already in use" eng run --rm -p "$port:80" "$IMG" true
	if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]; then
		expect_engine_error "ip_unprivileged_port_start" eng run --rm -p 80:80 "$IMG" true
	fi
	expect_engine_error "published ports need the slirp4netns network" eng run --rm --network none -p 1234:80 "$IMG" true
	nopath=$BATS_TEST_TMPDIR/nopath
	mkdir -p "$nopath"
	expect_engine_error "slirp4netns not found" env PATH="$nopath" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run --rm "$IMG" true
	expect_engine_error "pasta" eng run --rm --network pasta "$IMG" true
	expect_engine_error "unknown network mode" eng run --rm --network bogus "$IMG" true
	assert_eq "$(eng ps -q | wc -l)" "$before" "running containers"
	wait_for bash -c "[ \"\$(pgrep -f '[s]lirp4netns .*$ENGINE_RUNROOT/' | wc -l)\" = 1 ]"
	assert_eq "$(our_slirp | wc -l)" 1 "slirp4netns processes"
}

@test "start of a stopped container publishes its ports again" {
	port=$(free_port)
	eng run -d -p "$port:80" --name web "$IMG" sh -c "$web_cmd" web
	wait_for fetch "http://127.0.0.1:$port/"
	eng stop -t 0 web >/dev/null
	! fetch "http://127.0.0.1:$port/"
	eng start web >/dev/null
	wait_for fetch "http://127.0.0.1:$port/"
	assert_eq "$(fetch "http://127.0.0.1:$port/")" "hello web"
}

@test "slirp4netns ends with the container, also when its monitor is killed" {
	port=$(free_port)
	eng run -d -p "$port:80" --name web "$IMG" sleep 600
	[ -n "$(our_slirp)" ]
	mon=$(eng inspect -f '{{.State.Pid}}' web)
	mon=$(ps -o ppid= -p "$mon" | tr -d ' ')
	kill -9 "$mon"
	wait_for no_slirp
	eng rm -f web >/dev/null
	assert_eq "$(ls -A "$ENGINE_RUNROOT/slirp")" "" "API sockets left"
}

@test "50 run --rm -p cycles leave no slirp4netns process, socket or file" {
	for i in $(seq 50); do
		port=$(free_port)
		eng run --rm -p "$port:80" "$IMG" true
	done
	port=$(free_port)
	id=$(eng run -d -p "$port:80" "$IMG" true)
	eng wait "$id" >/dev/null
	eng rm "$id" >/dev/null
	# slirp4netns exits by itself (~30 ms) once its exit pipe closes.
	wait_for no_slirp
	assert_eq "$(our_slirp)" "" "slirp4netns processes"
	assert_eq "$(ls -A "$ENGINE_RUNROOT/slirp")" "" "API sockets"
	assert_eq "$(ls -A "$ENGINE_ROOT/containers" 2>/dev/null | wc -l)" 0 "container directories"
}

# slirp4netns 1.2's sandbox detaches its old root with only "/" made
# private: as root, shared mounts under it were unmounted in their peers,
# the host's included (a VM lost /sys/fs/cgroup).  The engine gives it a
# private mount namespace first.  Root: inside a mount namespace of the
# test's own, with "/" shared and shared tmpfs mounts on it, as a systemd
# host has them, they outlive a run.  Rootless: the caller's mount table
# is the same after a run (slirp4netns is in the container's namespaces).
@test "slirp4netns's sandbox unmounts nothing of the caller's mounts" {
	before=$(awk '{ print $5 }' /proc/self/mountinfo | sort | md5sum)
	run eng run --rm "$IMG" true
	assert_eq "$status" 0
	assert_eq "$(awk '{ print $5 }' /proc/self/mountinfo | sort | md5sum)" "$before"
	if [ "$ENGINE_TEST_MODE" = root ]; then
		probe="$BATS_TEST_TMPDIR/probe"
		mkdir -p "$probe"
		# The mount that went is one whose parent is shared: probe/inner.
		run unshare -m sh -c 'mount --make-rshared / && mount -t tmpfs probe "$1" &&
			mount --make-shared "$1" && mkdir "$1/inner" && mount -t tmpfs inner "$1/inner" &&
			shift && "$@" >/dev/null &&
			grep -q " $0/inner " /proc/self/mountinfo && echo still-mounted' \
			"$probe" "$probe" "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" \
			--runroot "$ENGINE_RUNROOT" run --rm "$IMG" true
		assert_eq "$output" "still-mounted"
	fi
}
