#!/usr/bin/env bats
# cp-mounts.bats: `engine cp` sees a container's files as the container
# does (bind mounts, named volumes, tmpfs, /etc/hosts), running or
# stopped, both ways; and a host destination is written the way Docker's
# cp writes it: through a symlink, into a FIFO or our own stdout, never
# by replacing a host path that is not the destination file itself.

load helpers

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

# A host directory the container's root may write (rootless: the user).
host_dir() {
	mkdir -p "$1"
	chmod 0777 "$1"
}

# ready C FILE: the running container has made FILE.
ready() {
	wait_for eng cp "$1:$2" "$BATS_TEST_TMPDIR/.ready" 2>/dev/null
}

@test "cp with a running container's bind mount, both ways" {
	h="$BATS_TEST_TMPDIR"
	host_dir "$h/bind"
	echo "on the host" >"$h/bind/file"
	chmod 0644 "$h/bind/file"
	eng run -d --name cpbind -v "$h/bind:/x" "$IMG" sh -c 'touch /tmp/ready; sleep 4810' >/dev/null
	ready cpbind /tmp/ready
	eng cp cpbind:/x/file "$h/out"
	assert_eq "$(cat "$h/out")" "on the host"
	echo "from cp" >"$h/in"
	eng cp "$h/in" cpbind:/x/
	# Through the mount: the host's directory has it, not the layer below.
	assert_eq "$(cat "$h/bind/in")" "from cp"
	# A directory too, and its contents out again.
	mkdir "$h/tree" && echo deep >"$h/tree/f"
	eng cp "$h/tree" cpbind:/x/tree
	assert_eq "$(cat "$h/bind/tree/f")" "deep"
	eng cp cpbind:/x "$h/whole"
	assert_eq "$(cat "$h/whole/tree/f")" "deep"
	# The tar streams see the same mounts.
	echo tarred >"$h/t.txt"
	tar -C "$h" -cf - t.txt | eng cp - cpbind:/x
	assert_eq "$(cat "$h/bind/t.txt")" "tarred"
	eng cp cpbind:/x/file - >"$h/file.tar"
	assert_eq "$(tar -xOf "$h/file.tar" file)" "on the host"
	eng rm -f cpbind >/dev/null
}

@test "cp with a running container's named volume, both ways" {
	eng volume create cpvol >/dev/null
	eng run -d --name cpvolrun -v cpvol:/vol "$IMG" sh -c 'echo inside >/vol/made; touch /tmp/ready; sleep 4811' >/dev/null
	ready cpvolrun /tmp/ready
	eng cp cpvolrun:/vol/made "$BATS_TEST_TMPDIR/made"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/made")" "inside"
	echo "into the volume" >"$BATS_TEST_TMPDIR/f"
	eng cp "$BATS_TEST_TMPDIR/f" cpvolrun:/vol/f
	# Another container with the volume sees it: it is in the volume.
	run --separate-stderr eng run --rm -v cpvol:/vol "$IMG" cat /vol/f
	assert_eq "$status" 0
	assert_eq "$output" "into the volume"
	eng rm -f cpvolrun >/dev/null
	eng volume rm cpvol >/dev/null
}

@test "cp with a running container's tmpfs, both ways" {
	eng run -d --name cptmpfs --tmpfs /t "$IMG" sh -c \
		'echo in-tmpfs >/t/a; touch /tmp/ready; while [ ! -f /t/go ]; do sleep 0.1; done; cat /t/go
		 test -r /proc/self/status && test -c /dev/null && test -d /sys/kernel && echo intact' >/dev/null
	ready cptmpfs /tmp/ready
	eng cp cptmpfs:/t/a "$BATS_TEST_TMPDIR/a"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/a")" "in-tmpfs"
	echo "seen in the tmpfs" >"$BATS_TEST_TMPDIR/go"
	eng cp "$BATS_TEST_TMPDIR/go" cptmpfs:/t/go
	run eng wait cptmpfs
	assert_eq "$output" 0
	# The helper's view changed nothing of the container's own mounts.
	run eng logs cptmpfs
	assert_eq "$output" "seen in the tmpfs
intact"
	eng rm -f cptmpfs >/dev/null
}

@test "cp /etc/hosts and /etc/hostname of a running and a stopped container" {
	eng run -d --name cphosts -h cphostname "$IMG" sh -c 'cat /etc/hosts; touch /tmp/ready; sleep 4812' >/dev/null
	ready cphosts /tmp/ready
	eng cp cphosts:/etc/hosts "$BATS_TEST_TMPDIR/hosts"
	[ -s "$BATS_TEST_TMPDIR/hosts" ]
	assert_eq "$(cat "$BATS_TEST_TMPDIR/hosts")" "$(eng logs cphosts)"
	eng cp cphosts:/etc/hostname "$BATS_TEST_TMPDIR/hostname"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/hostname")" "cphostname"
	eng stop -t 0 cphosts >/dev/null
	eng cp cphosts:/etc/hosts "$BATS_TEST_TMPDIR/hosts.stopped"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/hosts.stopped")" "$(cat "$BATS_TEST_TMPDIR/hosts")"
	eng rm -f cphosts >/dev/null
}

@test "cp with a stopped container's bind mount and volume, both ways; its tmpfs is refused" {
	h="$BATS_TEST_TMPDIR"
	host_dir "$h/bind"
	echo "on the host" >"$h/bind/file"
	chmod 0644 "$h/bind/file"
	eng volume create cpvol2 >/dev/null
	eng create --name cpstopped -v "$h/bind:/x" -v cpvol2:/vol --tmpfs /t "$IMG" \
		sh -c 'cat /x/in /vol/in; ls -A /t' >/dev/null
	eng cp cpstopped:/x/file "$h/out"
	assert_eq "$(cat "$h/out")" "on the host"
	echo "bind" >"$h/in"
	eng cp "$h/in" cpstopped:/x/
	assert_eq "$(cat "$h/bind/in")" "bind"
	echo "volume" >"$h/in"
	eng cp "$h/in" cpstopped:/vol/
	eng cp cpstopped:/vol/in "$h/vol-in"
	assert_eq "$(cat "$h/vol-in")" "volume"
	# A tmpfs holds nothing while the container is stopped: a copy into
	# it would be lost (or hidden below it), so it fails and says why.
	run eng cp "$h/in" cpstopped:/t/
	assert_eq "$status" 125
	assert_contains "$output" "tmpfs"
	# The container, started, sees what went into its mounts, and no
	# file appeared in its tmpfs.
	eng start cpstopped >/dev/null
	run eng wait cpstopped
	assert_eq "$output" 0
	run eng logs cpstopped
	assert_eq "$output" "bind
volume"
	eng rm -f cpstopped >/dev/null
	run --separate-stderr eng run --rm -v cpvol2:/vol "$IMG" cat /vol/in
	assert_eq "$output" "volume"
	eng volume rm cpvol2 >/dev/null
}

@test "cp C:FILE onto a symlink writes its target; the link stays" {
	h="$BATS_TEST_TMPDIR"
	eng create --name cplink "$IMG" true >/dev/null
	echo old >"$h/target"
	ln -s target "$h/link"
	eng cp cplink:/etc/group "$h/link"
	[ -L "$h/link" ]
	assert_eq "$(readlink "$h/link")" "target"
	cmp "$h/target" <(eng cp cplink:/etc/group /dev/stdout)
	# A chain of links, the last one dangling: the file it names is made.
	mkdir "$h/sub"
	ln -s sub/hop "$h/chain"
	ln -s ../made "$h/sub/hop"
	eng cp cplink:/etc/group "$h/chain"
	[ -L "$h/chain" ] && [ -L "$h/sub/hop" ]
	[ -f "$h/made" ] && [ ! -L "$h/made" ]
	cmp "$h/made" "$h/target"
	eng rm -f cplink >/dev/null
}

@test "cp C:FILE /dev/stdout prints it and leaves /dev/stdout alone; - is still a tar" {
	eng run -d --name cpstdout "$IMG" sh -c 'echo hello-stdout >/tmp/x; sleep 4813' >/dev/null
	ready cpstdout /tmp/x
	before=$(stat -c '%F %i' /dev/stdout)
	target=$(readlink /dev/stdout)
	run eng cp cpstdout:/tmp/x /dev/stdout
	assert_eq "$status" 0
	assert_eq "$output" "hello-stdout"
	assert_eq "$(stat -c '%F %i' /dev/stdout)" "$before"
	assert_eq "$(readlink /dev/stdout)" "$target"
	# Into a file the shell opened for appending: appended, not replaced.
	echo first >"$BATS_TEST_TMPDIR/log"
	eng cp cpstdout:/tmp/x /dev/stdout >>"$BATS_TEST_TMPDIR/log"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/log")" "first
hello-stdout"
	# "-" is a tar stream, as before.
	eng cp cpstdout:/tmp/x - >"$BATS_TEST_TMPDIR/x.tar"
	assert_eq "$(tar -tf "$BATS_TEST_TMPDIR/x.tar")" "x"
	assert_eq "$(tar -xOf "$BATS_TEST_TMPDIR/x.tar" x)" "hello-stdout"
	eng rm -f cpstdout >/dev/null
}

@test "cp C:FILE FIFO writes the bytes into the FIFO, which stays" {
	h="$BATS_TEST_TMPDIR"
	eng create --name cpfifo "$IMG" true >/dev/null
	mkfifo "$h/fifo"
	timeout 20 cat "$h/fifo" >"$h/got" &
	reader=$!
	eng cp cpfifo:/etc/passwd "$h/fifo"
	wait "$reader"
	[ -p "$h/fifo" ]
	eng cp cpfifo:/etc/passwd "$h/passwd"
	cmp "$h/got" "$h/passwd"
	eng rm -f cpfifo >/dev/null
}
