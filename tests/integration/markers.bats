#!/usr/bin/env bats
# markers.bats: what tells a process it runs in a container, as Docker and
# Podman provide it: /.dockerenv (empty) and /run/.containerenv (Podman's
# key="value" lines), kept out of diff, commit and export, never written
# into a --rootfs directory; and the root directory's mode, which follows
# the image's root entry.

load helpers

setup_file() {
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
}

# import_image NAME ROOT_MODE: a one-layer image of busybox whose ./ entry
# has ROOT_MODE, and no /run (/dev, /proc and /sys: the engine makes them) (python3's tarfile: GNU tar would take the
# mode of a directory on disk).
import_image() {
	python3 - "$BATS_TEST_TMPDIR/img.tar" "$2" <<'EOF'
import io, sys, tarfile
out, mode = sys.argv[1], int(sys.argv[2], 8)
with tarfile.open(out, "w") as t:
    def entry(name, kind, mode, data=b"", link=""):
        i = tarfile.TarInfo(name)
        i.type, i.mode, i.linkname, i.size = kind, mode, link, len(data)
        t.addfile(i, io.BytesIO(data) if data else None)
    entry("./", tarfile.DIRTYPE, mode)
    for d in ("./bin", "./dev", "./etc", "./proc", "./sys", "./tmp"):
        entry(d, tarfile.DIRTYPE, 0o1777 if d == "./tmp" else 0o755)
    entry("./bin/busybox", tarfile.REGTYPE, 0o755, open("/bin/busybox", "rb").read())
    for tool in ("sh", "cat", "stat", "ls", "echo"):
        entry("./bin/" + tool, tarfile.SYMTYPE, 0o777, link="busybox")
EOF
	eng import "$BATS_TEST_TMPDIR/img.tar" "$1" >/dev/null
}

@test "markers: /.dockerenv is an empty file, /run/.containerenv names the container" {
	run --separate-stderr eng run --name mk1 "$IMG" sh -c 'stat -c "%F %s %a" /.dockerenv; cat /run/.containerenv'
	assert_eq "$status" 0
	id=$(eng inspect --format '{{.Id}}' mk1)
	image_id=$(eng inspect --format '{{.Id}}' "$IMG")
	rootless=1
	[ "$ENGINE_TEST_MODE" != root ] || rootless=0
	assert_eq "${lines[0]}" "regular empty file 0 644"
	[[ "${lines[1]}" =~ ^engine=\"engine-[0-9][^\"]*\"$ ]] || assert_eq "${lines[1]}" 'engine="engine-VERSION"'
	assert_eq "${lines[2]}" 'name="mk1"'
	assert_eq "${lines[3]}" "id=\"$id\""
	assert_eq "${lines[4]}" "image=\"$IMG\""
	assert_eq "${lines[5]}" "imageid=\"${image_id#sha256:}\""
	assert_eq "${lines[6]}" "rootless=$rootless"
	assert_eq "${#lines[@]}" 7
	eng rm mk1 >/dev/null
}

@test "markers: also with --read-only (a tmpfs on /run), with a generated name, under exec" {
	run --separate-stderr eng run --rm --read-only "$IMG" sh -c 'cat /run/.containerenv; test -f /.dockerenv && echo docker'
	assert_eq "$status" 0
	assert_contains "$output" 'image="'"$IMG"'"'
	assert_eq "${lines[-1]}" docker
	# A generated name is the one recorded.
	id=$(eng run -d "$IMG" sleep 4801)
	name=$(eng inspect --format '{{.Name}}' "$id")
	run --separate-stderr eng exec "$id" sh -c 'grep ^name= /run/.containerenv; test -f /.dockerenv && echo docker'
	assert_eq "$output" "name=\"${name#/}\""$'\ndocker'
	eng rm -f "$id" >/dev/null
}

@test "markers: not in diff, commit or export" {
	eng run --name mk3 "$IMG" sh -c 'echo x >/tmp/f; echo changed >/run/.containerenv' >/dev/null
	run eng diff mk3
	assert_eq "$status" 0
	assert_eq "$output" $'C /tmp\nA /tmp/f'
	run eng export -o "$BATS_TEST_TMPDIR/mk3.tar" mk3
	assert_eq "$status" 0
	run tar -tf "$BATS_TEST_TMPDIR/mk3.tar"
	[[ "$output" != *dockerenv* && "$output" != *containerenv* ]] || assert_eq "$output" "(no markers)"
	eng commit mk3 mk3img >/dev/null
	run eng save -o "$BATS_TEST_TMPDIR/mk3img.tar" mk3img
	mkdir "$BATS_TEST_TMPDIR/saved"
	tar -xf "$BATS_TEST_TMPDIR/mk3img.tar" -C "$BATS_TEST_TMPDIR/saved"
	run sh -c "for l in \$(find '$BATS_TEST_TMPDIR/saved' -type f -size +1k); do tar -tf \"\$l\" 2>/dev/null; done"
	assert_contains "$output" tmp/f
	[[ "$output" != *dockerenv* && "$output" != *containerenv* ]] || assert_eq "$output" "(no markers)"
	eng rm mk3 >/dev/null
	eng rmi mk3img >/dev/null
}

@test "markers: an image without /run gets one, and diff shows neither" {
	import_image norun:1 0755
	run --separate-stderr eng run --name mk4 norun:1 sh -c 'stat -c %a /run; cat /run/.containerenv | grep -c ='
	assert_eq "$status" 0
	assert_eq "$output" $'755\n6'
	run eng diff mk4
	assert_eq "$status" 0
	assert_eq "$output" ""
	eng rm mk4 >/dev/null
}

@test "markers: a --rootfs directory is not written to" {
	setup_rootfs
	rm -f "$ROOTFS/.dockerenv" "$ROOTFS/run/.containerenv"
	run --separate-stderr erun sh -c 'test -e /.dockerenv || echo none'
	assert_eq "$output" none
	[ ! -e "$ROOTFS/.dockerenv" ] && [ ! -e "$ROOTFS/run/.containerenv" ]
	# One the user put there is bound over (the user's file unchanged).
	touch "$ROOTFS/.dockerenv"
	mkdir -p "$ROOTFS/run" && touch "$ROOTFS/run/.containerenv"
	run --separate-stderr erun sh -c 'grep -c = /run/.containerenv'
	assert_eq "$output" 6
	assert_eq "$(stat -c %s "$ROOTFS/run/.containerenv")" 0
}

@test "root mode: a 555 image root stays 555 (under a layer without ./ too), 700 and 755 stay" {
	import_image root555:1 0555
	run --separate-stderr eng run --rm root555:1 stat -c %a /
	assert_eq "$status" 0
	assert_eq "$output" 555
	# A layer without a ./ entry above it (commit's) keeps the mode.
	eng run --name mk5 root555:1 sh -c 'echo x >/tmp/f' >/dev/null
	eng commit mk5 root555:2 >/dev/null
	eng rm mk5 >/dev/null
	run --separate-stderr eng run --rm root555:2 stat -c %a /
	assert_eq "$output" 555
	import_image root700:1 0700
	run --separate-stderr eng run --rm root700:1 stat -c %a /
	assert_eq "$output" 700
	run --separate-stderr eng run --rm "$IMG" stat -c %a /
	assert_eq "$output" 755
}
