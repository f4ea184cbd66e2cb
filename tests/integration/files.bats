#!/usr/bin/env bats
# files.bats: moving files in and out of containers: cp both
# ways for running and stopped containers, hostile paths confined to the
# container, diff, commit, export, rename, pause.

load helpers

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

# host_tree DIR: a fingerprint of everything under DIR.
host_tree() {
	find "$1" -printf '%p %m %u %g %s %T@\n' 2>/dev/null | sort | md5sum
}

@test "cp into and out of a running container: content and owners" {
	eng run -d --name cprun "$IMG" sleep 4801 >/dev/null
	h="$BATS_TEST_TMPDIR"
	echo "from the host" >"$h/in.txt"
	mkdir -p "$h/tree/sub" && echo deep >"$h/tree/sub/f" && ln -s sub/f "$h/tree/link"
	eng cp "$h/in.txt" cprun:/tmp/
	eng cp "$h/tree" cprun:/tmp/tree
	# Out again once stopped (the root is mounted afresh for the copy).
	eng stop -t 1 cprun >/dev/null
	eng cp cprun:/tmp/in.txt "$h/back.txt"
	assert_eq "$(cat "$h/back.txt")" "from the host"
	eng cp cprun:/tmp/tree "$h/out"
	assert_eq "$(cat "$h/out/sub/f")" "deep"
	assert_eq "$(readlink "$h/out/link")" "sub/f"
	assert_eq "$(stat -c %u "$h/out/sub/f")" "$(id -u)"
	eng rm -f cprun >/dev/null
}

@test "cp into a running container: the container sees the file, owned by its root" {
	eng run -d --name cplive "$IMG" sh -c 'while [ ! -f /tmp/go ]; do sleep 0.1; done; stat -c "%u:%g %s" /tmp/go /tmp/d/x; cat /tmp/d/x'
	h="$BATS_TEST_TMPDIR"
	mkdir "$h/d" && printf 'hello' >"$h/d/x"
	eng cp "$h/d" cplive:/tmp/d
	printf 'go' >"$h/go"
	eng cp "$h/go" cplive:/tmp/go
	run eng wait cplive
	assert_eq "$output" 0
	run eng logs cplive
	assert_eq "${lines[0]}" "0:0 2"
	assert_eq "${lines[1]}" "0:0 5"
	assert_eq "${lines[2]}" "hello"
	eng rm -f cplive >/dev/null
}

@test "cp out of a running container" {
	eng run -d --name cpout "$IMG" sh -c 'echo running >/tmp/state; mkdir /tmp/x; echo 1 >/tmp/x/a; touch /tmp/ready; sleep 4802'
	for _ in $(seq 100); do eng cp cpout:/tmp/ready "$BATS_TEST_TMPDIR/ready" 2>/dev/null && break; sleep 0.1; done
	eng cp cpout:/tmp/state "$BATS_TEST_TMPDIR/state"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/state")" "running"
	mkdir "$BATS_TEST_TMPDIR/into"
	eng cp cpout:/tmp/x/. "$BATS_TEST_TMPDIR/into"
	assert_eq "$(ls "$BATS_TEST_TMPDIR/into")" "a"
	eng cp cpout:/tmp/x "$BATS_TEST_TMPDIR/into"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/into/x/a")" "1"
	eng rm -f cpout >/dev/null
}

@test "cp: Docker's rules: file onto file, -a keeps owners, missing paths" {
	eng create --name cprules "$IMG" true >/dev/null
	h="$BATS_TEST_TMPDIR"
	echo new >"$h/f"
	eng cp "$h/f" cprules:/etc/hostname-new
	eng cp "$h/f" cprules:/etc/passwd
	eng cp cprules:/etc/passwd "$h/p"
	assert_eq "$(cat "$h/p")" "new"
	run -1 eng cp cprules:/nope "$h/x"
	assert_eq "$output" "Error: Could not find the file /nope in container cprules"
	run -1 eng cp "$h/f" cprules:/no/such/dir/f
	assert_contains "$output" "Could not find the file /no/such/dir in container cprules"
	# -a: the container's owner comes out as it is.
	eng cp cprules:/home "$h/home-plain"
	assert_eq "$(stat -c %u "$h/home-plain")" "$(id -u)"
	mkdir "$h/adir"
	run eng cp "$h/adir" cprules:/etc/passwd
	[ "$status" -ne 0 ]
	assert_contains "$output" "cannot copy a directory to a file"
	eng rm cprules >/dev/null
}

@test "cp: a symlink to / in the container stays in the container" {
	h="$BATS_TEST_TMPDIR"
	mkdir "$h/victim" && echo precious >"$h/victim/file"
	chmod -R a+rwX "$h/victim"
	# /tmp/t/x points at the host's victim file by its host path.
	eng run --name evil "$IMG" sh -c "ln -s / /evil; ln -s ../../../../../.. /up; mkdir -p /tmp/t; ln -s $h/victim/file /tmp/t/x; mkdir -p $h/victim"
	before=$(host_tree "$h/victim")
	echo payload >"$h/payload"
	# As destination: lands in the container's root.
	eng cp "$h/payload" evil:/evil/payload
	eng cp "$h/payload" evil:/up/tmp/payload2
	eng cp "$h/payload" "evil:/tmp/../../../../payload3"
	eng cp evil:/payload "$h/p1"
	eng cp evil:/tmp/payload2 "$h/p2"
	eng cp evil:/payload3 "$h/p3"
	assert_eq "$(cat "$h/p1" "$h/p2" "$h/p3")" "payload
payload
payload"
	[ ! -e /payload ] && [ ! -e /tmp/payload2 ] && [ ! -e /payload3 ]
	# As source: the container's /etc/hostname, not the host's.
	eng cp -L evil:/evil/etc/passwd "$h/pw"
	eng cp evil:/up/etc/passwd "$h/pw2"
	run cmp -s "$h/pw" /etc/passwd
	[ "$status" -ne 0 ]
	grep -q '^root:x:0:0' "$h/pw"
	cmp "$h/pw" "$h/pw2"
	run -1 eng cp "evil:/../../../../$h/victim/file" "$h/stolen"
	assert_contains "$output" "Could not find the file"
	# A symlink in the destination directory is replaced, not written through.
	eng cp "$h/payload" evil:/tmp/t/x
	eng cp -L evil:/tmp/t/x "$h/p4"
	assert_eq "$(cat "$h/p4")" "payload"
	eng cp "$h/payload" evil:/tmp/t/
	# A directory copied out with a symlink inside: copied as a symlink.
	eng cp evil:/tmp/t "$h/tcopy"
	[ -L "$h/tcopy/x" ] || [ "$(cat "$h/tcopy/x")" = payload ]
	assert_eq "$(host_tree "$h/victim")" "$before"
	eng rm evil >/dev/null
}

@test "cp: a container name with / or .. is refused" {
	h="$BATS_TEST_TMPDIR"
	run eng cp "a/b:/etc/passwd" "$h/x"
	[ "$status" -ne 0 ]
	[ ! -e "$h/x" ]
	# Docker reads a name starting with "." as a local path.
	run -125 eng cp "..x:/etc/passwd" "$h/x"
	assert_eq "$output" "Error: must specify at least one container source"
	[ ! -e "$h/x" ]
	run -1 eng cp "$h" "x/..:/tmp"
	assert_contains "$output" "No such container"
}

@test "rename: ps shows the new name, the old one is free" {
	eng create --name oldname "$IMG" true >/dev/null
	eng rename oldname newname
	run eng ps -a --format '{{.Names}}'
	assert_contains "$output" "newname"
	[[ "$output" != *oldname* ]]
	eng create --name oldname "$IMG" true >/dev/null
	run -1 eng rename newname oldname
	assert_contains "$output" 'Conflict. The container name "/oldname" is already in use'
	run -125 eng rename newname 'bad/name'
	assert_eq "$output" "Error: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
	run -1 eng rename nosuch x
	assert_eq "$output" "Error: No such container: nosuch"
	eng rm oldname newname >/dev/null
	# A --rm container renamed while it runs: its monitor frees the new name.
	eng run -d --rm --name rmold "$IMG" sleep 4806 >/dev/null
	eng rename rmold rmnew
	eng stop -t 0 rmnew >/dev/null
	for _ in $(seq 100); do eng create --name rmnew "$IMG" true >/dev/null 2>&1 && break; sleep 0.1; done
	run eng ps -a --format '{{.Names}} {{.Status}}'
	assert_contains "$output" "rmnew Created"
	eng create --name rmold "$IMG" true >/dev/null
	eng rm rmnew rmold >/dev/null
}

@test "pause: without a delegated cgroup v2, one clear line and 125" {
	eng run -d --name paused "$IMG" sleep 4803 >/dev/null
	run -125 eng pause paused
	assert_eq "${#lines[@]}" 1
	assert_eq "$output" "Error: pause paused: no cgroup v2 freezer: cgroups are not delegated (see engine info)"
	run -125 eng unpause paused
	eng rm -f paused >/dev/null
	run -1 eng pause paused
	assert_eq "$output" "Error: No such container: paused"
}

@test "diff: Docker's A/C/D lines, sorted, for a small change set" {
	eng run --name difftest "$IMG" sh -c 'echo x >/etc/x; rm /bin/ls; echo m >>/etc/passwd; mkdir -p /new/sub; touch /new/sub/f'
	run eng diff difftest
	assert_eq "$status" 0
	assert_eq "$output" "C /bin
D /bin/ls
C /etc
C /etc/passwd
A /etc/x
A /new
A /new/sub
A /new/sub/f"
	run -1 eng diff nosuch
	assert_eq "$output" "Error: No such container: nosuch"
	eng rm difftest >/dev/null
}

@test "cp -a keeps the owners, plain cp gives them to root" {
	eng run --name cpown "$IMG" sh -c 'mkdir /data; echo a >/data/f; chown 1234:4321 /data/f'
	h="$BATS_TEST_TMPDIR"
	eng cp cpown:/data/f "$h/plain"
	assert_eq "$(stat -c %u:%g "$h/plain")" "$(id -u):$(id -g)"
	echo b >"$h/in"
	eng cp "$h/in" cpown:/data/plain-in
	# -a out of the container: its owner, which is a subordinate id on
	# the host when rootless (container 1234 = the range's start + 1233).
	eng cp -a cpown:/data/f "$h/a-out"
	if [ "$ENGINE_TEST_MODE" = root ]; then
		assert_eq "$(stat -c %u:%g "$h/a-out")" "1234:4321"
	else
		subuid=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
		subgid=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subgid)
		assert_eq "$(stat -c %u:%g "$h/a-out")" "$((subuid + 1233)):$((subgid + 4320))"
	fi
	# -a into the container: the owner the copying side sees (root in
	# the container for the user's own file, as Docker's rootless).
	eng cp -a "$h/in" cpown:/data/a-in
	id=$(eng commit cpown)
	run eng run --rm "$id" stat -c '%n %u:%g' /data/f /data/plain-in /data/a-in
	assert_eq "${lines[0]}" "/data/f 1234:4321"
	assert_eq "${lines[1]}" "/data/plain-in 0:0"
	assert_eq "${lines[2]}" "/data/a-in 0:0"
	eng rm cpown >/dev/null
	eng rmi "$id" >/dev/null
}

@test "commit: run of the new image sees added, changed and deleted files" {
	eng run --name committed "$IMG" sh -c 'echo added >/added; echo changed >>/etc/hostname-x; echo m >>/etc/passwd; rm /bin/ls; rm -rf /home; mkdir /home; touch /home/only'
	run eng commit -m "a message" -a "Ann Author <ann@example.com>" committed files-test:v1
	assert_eq "$status" 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "$output"; false; }
	id=$output
	run eng images -q --no-trunc files-test:v1
	assert_eq "$output" "$id"
	run eng run --rm files-test:v1 sh -c 'cat /added; tail -1 /etc/passwd; [ -e /bin/ls ] && echo ls-still-there; ls -A /home'
	assert_eq "$output" "added
m
only"
	# -m and -a land in the history and the config.
	run eng history files-test:v1
	assert_contains "${lines[1]}" "a message"
	run eng image inspect --format '{{.Author}}' files-test:v1
	assert_eq "$output" "Ann Author <ann@example.com>"
	# The default command is the container's (whose rm fails now, the
	# file being gone), unless -c CMD says otherwise.
	run eng run --rm files-test:v1
	assert_contains "$output" "rm: can't remove '/bin/ls'"
	eng commit -c 'CMD ["echo","from","cmd"]' -c 'ENV FOO=bar' committed files-test:v2 >/dev/null
	run eng run --rm files-test:v2
	assert_eq "$output" "from cmd"
	run eng run --rm files-test:v2 sh -c 'echo $FOO'
	assert_eq "$output" "bar"
	run -125 eng commit -c 'FROM x' committed files-test:v3
	assert_contains "$output" "FROM"
	run -1 eng commit nosuch
	assert_eq "$output" "Error: No such container: nosuch"
	eng rm committed >/dev/null
	eng rmi files-test:v1 files-test:v2 >/dev/null
}

@test "commit a running container" {
	eng run -d --name commitlive "$IMG" sh -c 'echo live >/live; touch /ready; sleep 4804' >/dev/null
	for _ in $(seq 100); do eng cp commitlive:/ready "$BATS_TEST_TMPDIR/r" 2>/dev/null && break; sleep 0.1; done
	id=$(eng commit commitlive)
	run eng run --rm "$id" cat /live
	assert_eq "$output" "live"
	eng rm -f commitlive >/dev/null
	eng rmi "$id" >/dev/null
}

@test "export: a tar of the container's files, to stdout or -o, never to a terminal" {
	eng run --name exported "$IMG" sh -c 'echo hi >/exported-file; rm /bin/ls'
	eng export exported >"$BATS_TEST_TMPDIR/out.tar"
	run tar -tf "$BATS_TEST_TMPDIR/out.tar"
	assert_contains "$output" "exported-file"
	assert_contains "$output" "bin/sh"
	assert_contains "$output" "etc/passwd"
	[[ "$output" != *bin/ls$'\n'* ]]
	eng export -o "$BATS_TEST_TMPDIR/o.tar" exported
	cmp <(tar -tf "$BATS_TEST_TMPDIR/o.tar" | sort) <(tar -tf "$BATS_TEST_TMPDIR/out.tar" | sort)
	assert_eq "$(tar -xOf "$BATS_TEST_TMPDIR/o.tar" exported-file)" "hi"
	ls "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/listing"
	run ! grep -q 'tmp-' "$BATS_TEST_TMPDIR/listing"
	run script -qec "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' export exported" /dev/null
	assert_eq "$status" 1
	assert_contains "$output" "cowardly refusing to save to a terminal. Use the -o flag or redirect"
	eng rm exported >/dev/null
}

@test "export a running container: its files, not /proc" {
	eng run -d --name exportlive "$IMG" sh -c 'echo live >/live; touch /ready; sleep 4805' >/dev/null
	for _ in $(seq 100); do eng cp exportlive:/ready "$BATS_TEST_TMPDIR/r" 2>/dev/null && break; sleep 0.1; done
	eng export exportlive >"$BATS_TEST_TMPDIR/live.tar"
	run tar -tf "$BATS_TEST_TMPDIR/live.tar"
	assert_contains "$output" "live"
	[[ "$output" != *proc/self* ]]
	[[ "$output" != *proc/1/* ]]
	eng rm -f exportlive >/dev/null
}

@test "the container management spelling: container cp, diff, rename, export" {
	eng run --name mgmt "$IMG" sh -c 'echo m >/m'
	run eng container diff mgmt
	assert_eq "$output" "A /m"
	eng container cp mgmt:/m "$BATS_TEST_TMPDIR/m"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/m")" "m"
	eng container rename mgmt mgmt2
	eng container export mgmt2 | tar -t | grep -qx m
	eng rm mgmt2 >/dev/null
}

@test "cp with -: a tar to stdout, a tar from stdin, nothing leaves the destination" {
	eng run --name cptar "$IMG" sh -c 'mkdir -p /d/s; echo a >/d/s/f; ln -s /etc /d/l'
	run sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' cp cptar:/d - | tar -t"
	assert_eq "$output" "d/
d/l
d/s/
d/s/f"
	run sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' cp cptar:/d/. - | tar -t"
	assert_eq "$output" "l
s/
s/f"
	h="$BATS_TEST_TMPDIR"
	mkdir -p "$h/src/x" && echo in >"$h/src/x/g"
	tar -C "$h/src" -c x | eng cp - cptar:/d
	eng cp cptar:/d/x/g "$h/g"
	assert_eq "$(cat "$h/g")" "in"
	# Through the container's /d/l -> /etc symlink: refused, not the host's /etc.
	python3 -c "
import tarfile, io
t = tarfile.open('$h/bad.tar', 'w')
for name in ('../../escape', 'l/escape'):
    i = tarfile.TarInfo(name); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
t.close()"
	run -125 eng cp - cptar:/d <"$h/bad.tar"
	assert_contains "$output" "escapes the layer"
	[ ! -e /etc/escape ] && [ ! -e /escape ] && [ ! -e "$h/escape" ]
	run -1 eng cp - cptar:/nonexistent <"$h/bad.tar"
	assert_eq "$output" "Error: Could not find the file /nonexistent in container cptar"
	eng rm cptar >/dev/null
}
