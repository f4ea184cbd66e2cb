#!/usr/bin/env bats
# escape-exe.bats: no engine code is re-executable or writable from inside a
# container (the CVE-2019-5736 class).  The engine is installed the way HPC
# users do, in a directory the user owns (so the container's root, which is
# the user, may write it), and a hostile container tries to overwrite it:
#  - exec: the container's bash is `#!/proc/self/exe`, so `engine exec C
#    bash` would make the kernel run the binary that execs it inside the
#    container;
#  - run: an entrypoint that is `#!/proc/self/exe`, exec'd by the
#    container's PID 1;
#  - --init --privileged: engine-init, PID 1, which could be a host file the
#    container remounts read-write.
# The attacker's code (escape-exe/evil.c) is preloaded into the container's
# processes; it keeps the engine binary open, stops running it and writes it
# once nothing runs it.  Each test asserts that the host binaries are
# unchanged and that the container never held a host file of ours.

load helpers

DEB="$REG/debian:bookworm"

setup_file() {
	store_setup "$DEB"
	# The attacker's kit, in a volume: the preloaded code, and the
	# engine's libraries (the image has none of them) so that a host
	# engine run in the container gets as far as the preloaded code.
	export KIT="$BATS_FILE_TMPDIR/kit"
	mkdir -p "$KIT/lib"
	cc -shared -fPIC -O2 -o "$KIT/evil.so" "$BATS_TEST_DIRNAME/escape-exe/evil.c"
	ldd "$ENGINE" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
		grep -vE '/(libc|ld-linux[^/]*)\.so' | xargs -r cp -L -t "$KIT/lib"
	printf '#!/proc/self/exe\n' >"$KIT/entry"
	printf 'garbage\n' >"$KIT/bad-format"
	printf '#!/no/such/interpreter\n' >"$KIT/no-interpreter"
	chmod 0755 "$KIT/entry" "$KIT/bad-format" "$KIT/no-interpreter"
	chmod -R a+rX "$KIT"
}

teardown_file() {
	store_teardown
}

setup() {
	# The binaries under attack: a user-owned copy, as in ~/bin (one per
	# test: an attack that succeeds leaves it rewritten).
	BIN="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$BIN"
	local f
	for f in engine engine-image engine-init engine-monitor; do
		[ ! -e "$(dirname "$ENGINE")/$f" ] || cp "$(dirname "$ENGINE")/$f" "$BIN/"
	done
	rm -f "$KIT/result"
	touch "$KIT/result"
	chmod 0666 "$KIT/result"
	sums_before=$(sha256sum "$BIN"/engine*)
	# The container's environment: the attacker's code in every process.
	hostile=(-e LD_PRELOAD=/x/evil.so -e LD_LIBRARY_PATH=/x/lib -v "$KIT:/x")
}

beng() {
	"$BIN/engine" "${engine_args[@]}" --root "$ENGINE_ROOT" "$@"
}


# The attack is over once the writer reported, or when nothing caught the
# engine at all.
attack_done() {
	grep -qE '^(WROTE|WRITEFAIL|OPENFAIL)' "$KIT/result" || ! grep -q '^OPENED' "$KIT/result"
}

assert_not_escaped() {
	wait_for attack_done || true
	echo "attacker's notes:" >&2
	cat "$KIT/result" >&2
	assert_eq "$(sha256sum "$BIN"/engine*)" "$sums_before" "the host binaries' sha256"
	! grep -q '^WROTE' "$KIT/result"
	# What the container could open, if anything, was no host file of ours.
	! grep '^OPENED' "$KIT/result" | grep -v '^OPENED /memfd:'
}

@test "exec: a '#!/proc/self/exe' command cannot reach or rewrite the engine binary" {
	eng run -d --name hx "${hostile[@]}" "$DEB" \
		sh -c 'printf "#!/proc/self/exe\n" >/usr/bin/bash && exec sleep 1000' >/dev/null
	wait_for eng exec hx grep -q proc/self/exe /usr/bin/bash
	run beng exec hx bash
	echo "exec: $status $output" >&2
	sleep 1
	assert_not_escaped
	eng rm -f hx >/dev/null
}

@test "run: a '#!/proc/self/exe' entrypoint cannot reach or rewrite the engine binary" {
	run beng run -d --name hr "${hostile[@]}" --entrypoint /x/entry "$DEB"
	echo "run: $status $output" >&2
	sleep 2
	assert_not_escaped
	eng rm -f hr >/dev/null 2>&1 || true
}

init_done() {
	eng logs hi 2>&1 | grep -q DONE
}

@test "run --init --privileged: engine-init is no host file the container can remount or write" {
	beng run -d --name hi --init --privileged -v "$KIT:/x" "$DEB" sh -c '
		mount -o remount,rw,bind /dev/init && echo REMOUNTED
		printf "PWNED" 1<>/proc/1/exe && echo WROTE-PID1
		printf "PWNED" 1<>/dev/init && echo WROTE-DEVINIT
		echo "PID1 $(readlink /proc/1/exe)"
		grep " /dev/init " /proc/self/mountinfo | sed "s/^/MOUNT /"
		echo DONE
		exec sleep 1000' >"$KIT/init.out"
	wait_for init_done
	run eng logs hi
	echo "$output" >&2
	eng rm -f hi >/dev/null
	assert_eq "$(sha256sum "$BIN"/engine*)" "$sums_before" "the host binaries' sha256"
	# PID 1 runs a sealed copy, and /dev/init is the container's own file.
	assert_contains "$output" "PID1 /memfd:engine-init"
	[[ "$output" != *WROTE-PID1* ]]
	[[ "$output" != *"MOUNT "* ]]
	[[ "$output" != *REMOUNTED* ]]
}

# Not the attack: the contract the stub keeps.  Only the kernel's execve
# finds these (the lookup before it sees executable files), so the stub
# reports them, worded and numbered as the engine's own execve did.
@test "the stub reports the command's failed execve as before: 126, 127, the errno" {
	run -126 beng run --rm --network none -v "$KIT:/x" "$DEB" /x/bad-format
	assert_eq "$status" 126
	assert_contains "$output" "Error: exec /x/bad-format: Exec format error"
	run -127 beng run --rm --network none -v "$KIT:/x" "$DEB" /x/no-interpreter
	assert_eq "$status" 127
	assert_contains "$output" "Error: exec /x/no-interpreter: No such file or directory"
	eng run -d --name he --network none -v "$KIT:/x" "$DEB" sleep 1000 >/dev/null
	run -126 beng exec he /x/bad-format
	assert_eq "$status" 126
	assert_contains "$output" "Error: exec /x/bad-format: Exec format error"
	run -127 beng exec he /x/no-interpreter
	assert_eq "$status" 127
	assert_contains "$output" "Error: exec /x/no-interpreter: No such file or directory"
	eng rm -f he >/dev/null
}
