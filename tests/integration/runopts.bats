#!/usr/bin/env bats
# runopts.bats: the run options of: --userns, --init, --ulimit,
# --sysctl, --stop-signal/--stop-timeout, --cidfile, and `engine unshare`,
# in every mode (ENGINE_TEST_MODE rootless, nosub, root), with their
# bad-input cases (one line, exit 125).

load helpers

setup_file() {
	setup_rootfs
	store_setup "$IMG"
}

teardown_file() {
	store_teardown
	cleanup_rootfs
}

setup() {
	setup_rootfs
}

exit_code_of() {
	eng inspect --format '{{.State.ExitCode}}' "$1"
}

is_exited() {
	[ "$(eng inspect --format '{{.State.Status}}' "$1")" = exited ]
}

subid_start() { # the first subordinate id of the calling user
	awk -F: -v u="$(id -un)" -v n="$(id -u)" '$1 == u || $1 == n { print $2; exit }' "$1"
}

# ---- --ulimit ---------------------------------------------------------

@test "--ulimit sets the soft and hard limits the command sees" {
	run --separate-stderr erun --ulimit nofile=100:200 --ulimit core=0 --ulimit nproc=500:1000 \
		--ulimit fsize=unlimited sh -c 'ulimit -Sn; ulimit -Hn; ulimit -c; ulimit -u; ulimit -Hu; ulimit -f'
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | tr '\n' ' ')" "100 200 0 500 1000 unlimited "
	# One value is both limits.
	run --separate-stderr erun --ulimit nofile=64 sh -c 'ulimit -Sn; ulimit -Hn'
	assert_eq "$(echo "$output" | tr '\n' ' ')" "64 64 "
}

@test "--ulimit: bad type, bad value, soft above hard: one line, 125" {
	expect_engine_error "invalid ulimit type: bogus" erun --ulimit bogus=1 true
	expect_engine_error "invalid ulimit value" erun --ulimit nofile=lots true
	expect_engine_error "invalid ulimit argument" erun --ulimit nofile true
	expect_engine_error "soft limit must be less than or equal to hard limit" \
		erun --ulimit nofile=300:200 true
}

@test "--ulimit: a hard limit above the user's own: refused with one line unless the user could raise it" {
	# From a known hard limit of 4096, ask for 8192.  Only CAP_SYS_RESOURCE
	# on the host allows it (root, where the host grants it): the
	# container gets what the same shell outside would get.
	if bash -c 'ulimit -n 4096 && ulimit -Hn 8192' 2>/dev/null; then
		[ "$ENGINE_TEST_MODE" = root ]
		run --separate-stderr bash -c 'ulimit -n 4096 && "$@"' _ "$ENGINE" run --rootfs "$ROOTFS" \
			--ulimit nofile=1024:8192 sh -c 'ulimit -Hn'
		assert_eq "$status" 0
		assert_eq "$output" 8192
		return
	fi
	set +e
	bash -c 'ulimit -n 4096 && "$@"' _ "$ENGINE" run --rootfs "$ROOTFS" --ulimit nofile=1024:8192 true \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err"
	rc=$?
	set -e
	assert_eq "$rc" 125
	grep -v '^WARN' "$BATS_TEST_TMPDIR/err" >"$BATS_TEST_TMPDIR/errline" || true
	assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/errline")" 1
	assert_contains "$(cat "$BATS_TEST_TMPDIR/errline")" "cannot raise the hard nofile limit above 4096"
}

# ---- --sysctl ---------------------------------------------------------

@test "--sysctl writes IPC, UTS and (private network) net sysctls in the container only" {
	before=$(cat /proc/sys/kernel/shmmni)
	run --separate-stderr erun --sysctl kernel.shmmni=1234 --sysctl net.ipv4.ip_forward=1 \
		--sysctl kernel.domainname=example.test --sysctl fs.mqueue.msg_max=20 \
		sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname /proc/sys/fs/mqueue/msg_max'
	assert_eq "$status" 0
	assert_eq "$(echo "$output" | tr '\n' ' ')" "1234 1 example.test 20 "
	assert_eq "$(cat /proc/sys/kernel/shmmni)" "$before" "the host's value is untouched"
}

@test "--sysctl: a sysctl that is not namespaced, or net.* with the host network: one line, 125" {
	expect_engine_error "sysctl kernel.panic is not allowed" erun --sysctl kernel.panic=1 true
	expect_engine_error "sysctl vm.swappiness is not allowed" erun --sysctl vm.swappiness=1 true
	expect_engine_error "sysctl net.ipv4.ip_forward is not allowed with the host's network" \
		erun --network host --sysctl net.ipv4.ip_forward=1 true
	expect_engine_error "expected KEY=VALUE" erun --sysctl kernel.shmmni true
	expect_engine_error "invalid key" erun --sysctl ../../kernel/panic=1 true
}

# ---- --init -----------------------------------------------------------

@test "--init: PID 1 is engine-init, the command its child; the exit code passes through" {
	run --separate-stderr erun --init sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$; exit 3'
	assert_eq "$status" 3
	[[ "${lines[0]}" =~ ^/dev/init\ --\ sh\ -c\ tr ]] || { echo "${lines[0]}"; false; }
	assert_eq "${lines[1]}" 2 "the command is PID 2"
	# Killed by a signal: 128+N, as without an init.
	run erun --init sh -c 'kill -9 $$'
	assert_eq "$status" 137
	# A missing command is still 127, found before the init starts.
	run -127 erun --init no-such-command
	assert_eq "$status" 127
	# Without --init the command is PID 1.
	run --separate-stderr erun sh -c 'echo $$'
	assert_eq "$output" 1
}

@test "--init reaps orphaned zombies; without it they stay" {
	# The orphan's parent goes away at once; PID 1 is then either the
	# init or an exec'd sleep that never waits.  The checker watches the
	# orphan's /proc entry: gone (reaped), or a zombie that stays.
	script='(sleep 0.1 & echo $! >/tmp/orphan); p=$(cat /tmp/orphan); (n=0; for i in $(seq 300); do [ -e /proc/$p ] || { echo reaped; exit; }; case "$(cat /proc/$p/stat 2>/dev/null)" in *") Z "*) n=$((n + 1)); [ $n -ge 5 ] && { echo zombie; exit; };; *) n=0;; esac; sleep 0.1; done; echo undecided) & exec sleep 4741'
	for mode in --init --init=false; do
		id=$(eng run -d $mode "$IMG" sh -c "$script")
		wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' logs $id | grep -Eq 'reaped|zombie|undecided'"
		run eng logs "$id"
		if [ "$mode" = --init ]; then
			assert_eq "$output" reaped "with --init"
		else
			assert_eq "$output" zombie "without --init"
		fi
		eng rm -f "$id" >/dev/null
	done
}

@test "--init: stop's SIGTERM reaches the command (143); without it PID 1 ignores it (137)" {
	id=$(eng run -d --init "$IMG" sleep 4721)
	eng stop -t 60 "$id" >/dev/null
	wait_for is_exited "$id"
	assert_eq "$(exit_code_of "$id")" 143
	eng rm "$id" >/dev/null
	id=$(eng run -d "$IMG" sleep 4722)
	eng stop -t 1 "$id" >/dev/null
	wait_for is_exited "$id"
	assert_eq "$(exit_code_of "$id")" 137
	eng rm "$id" >/dev/null
}

# ---- --stop-signal, --stop-timeout -----------------------------------

@test "--stop-signal and --stop-timeout: recorded, shown by inspect, used by stop" {
	id=$(eng run -d --init --stop-signal SIGUSR1 --stop-timeout 33 "$IMG" sleep 4723)
	run eng inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}}' "$id"
	assert_eq "$output" "SIGUSR1 33"
	eng stop "$id" >/dev/null
	wait_for is_exited "$id"
	assert_eq "$(exit_code_of "$id")" 138 "SIGUSR1 killed the command"
	# stop -s overrides the recorded signal.
	eng start "$id" >/dev/null
	eng stop -s SIGINT "$id" >/dev/null
	wait_for is_exited "$id"
	assert_eq "$(exit_code_of "$id")" 130
	eng rm "$id" >/dev/null
	# The defaults.
	id=$(eng create "$IMG" true)
	run eng inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}}' "$id"
	assert_eq "$output" "SIGTERM 10"
	eng rm "$id" >/dev/null
}

@test "--stop-timeout 0: stop kills at once a command that ignores the signal" {
	id=$(eng run -d --stop-timeout 0 "$IMG" sleep 4724)
	# PID 1 ignores SIGTERM: only the recorded timeout ends it before
	# timeout(1) gives up (the default would wait 10 s).
	timeout 8 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" stop "$id" >/dev/null
	wait_for is_exited "$id"
	assert_eq "$(exit_code_of "$id")" 137
	eng rm "$id" >/dev/null
}

@test "--stop-signal: a bad signal, a bad timeout: one line, 125" {
	expect_engine_error "invalid stop signal: SIGBOGUS" erun --stop-signal SIGBOGUS true
	expect_engine_error "invalid stop signal: 0" erun --stop-signal 0 true
	expect_engine_error "\"--stop-timeout\" flag" erun --stop-timeout soon true
}

# ---- --cidfile --------------------------------------------------------

@test "--cidfile gets the ID; an existing one refuses the run and starts nothing" {
	cid="$BATS_TEST_TMPDIR/cid"
	id=$(eng run -d --cidfile "$cid" "$IMG" true)
	assert_eq "$(cat "$cid")" "$id"
	wait_for is_exited "$id"
	eng rm "$id" >/dev/null
	before=$(eng ps -aq | wc -l)
	expect_engine_error "Container ID file found, make sure the other container isn't running or delete $cid" \
		eng run -d --cidfile "$cid" "$IMG" true
	assert_eq "$(eng ps -aq | wc -l)" "$before" "no container was created"
	assert_eq "$(cat "$cid")" "$id" "the file is left as it was"
	# A foreground run writes it too; a failed one leaves none.
	rm -f "$cid"
	erun --cidfile "$cid" true
	[[ "$(cat "$cid")" =~ ^[0-9a-f]{64}$ ]]
	rm -f "$cid"
	run eng run --cidfile "$cid" --pull never "$REG/no-such-image:latest" true
	assert_eq "$status" 125
	[ ! -e "$cid" ]
}

# ---- --userns ---------------------------------------------------------

@test "--userns: a bad mode is one line, 125; host is the default mapping" {
	expect_engine_error "--userns bogus: expected host, keep-id, auto or auto:size=N" erun --userns=bogus true
	expect_engine_error "size must be a number from 1 to 65536" erun --userns=auto:size=0 true
	run --separate-stderr erun --userns=host cat /proc/self/uid_map
	assert_eq "$status" 0
	run --separate-stderr erun cat /proc/self/uid_map
	default=$output
	run --separate-stderr erun --userns=host cat /proc/self/uid_map
	assert_eq "$output" "$default"
}

@test "--userns=keep-id: your own ids inside, a passwd entry, files owned by you" {
	if [ "$ENGINE_TEST_MODE" = root ]; then
		expect_engine_error "keep-id is only supported in rootless mode" erun --userns=keep-id true
		return
	fi
	uid=$(id -u) gid=$(id -g)
	run --separate-stderr erun --userns=keep-id sh -c 'id -u; id -g; id -un; echo $HOME; touch /tmp/keep-id-file; ls -ln /tmp/keep-id-file'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "$uid"
	assert_eq "${lines[1]}" "$gid"
	assert_eq "${lines[2]}" "$(id -un)"
	assert_eq "${lines[3]}" "$HOME"
	[[ "${lines[4]}" =~ ^-[rw-]+\ +1\ +$uid\ +$gid\  ]] || { echo "${lines[4]}"; false; }
	# Owned by the user on the host, in the --rootfs directory...
	assert_eq "$(stat -c '%u %g' "$ROOTFS/tmp/keep-id-file")" "$uid $gid"
	rm -f "$ROOTFS/tmp/keep-id-file"
	# ...whose own files (the user's) appear as the user's inside.
	run --separate-stderr erun --userns=keep-id stat -c %u /bin/busybox
	assert_eq "$output" "$uid"
	# The rootfs's /etc/passwd itself was not changed.
	! grep -q ":$uid:" "$ROOTFS/etc/passwd"
	# -u still picks another user; root inside is a subordinate id.
	if [ "$ENGINE_TEST_MODE" = rootless ]; then
		run --separate-stderr erun --userns=keep-id -u 0 id -u
		assert_eq "$output" 0
		run --separate-stderr erun --userns=keep-id cat /proc/self/uid_map
		maps=$(echo "$output" | awk '{ print $1, $2, $3 }' | tr '\n' ';')
		sub=$(subid_start /etc/subuid)
		assert_eq "$maps" "$uid $uid 1;0 $sub $uid;$((uid + 1)) $((sub + uid)) $((65536 - uid));"
	else
		run --separate-stderr erun --userns=keep-id cat /proc/self/uid_map
		assert_eq "$(echo "$output" | awk '{ print $1, $2, $3 }')" "$uid $uid 1"
	fi
}

@test "--userns=keep-id with an image: recorded, and runs as you" {
	if [ "$ENGINE_TEST_MODE" = root ]; then
		expect_engine_error "keep-id is only supported in rootless mode" eng run --userns=keep-id "$IMG" true
		return
	fi
	id=$(eng create --userns=keep-id "$IMG" sh -c 'id -u; grep ":$(id -u):" /etc/passwd')
	eng start "$id" >/dev/null
	wait_for is_exited "$id"
	run eng logs "$id"
	assert_eq "${lines[0]}" "$(id -u)"
	assert_contains "${lines[1]}" ":$(id -u):$(id -g):"
	eng rm "$id" >/dev/null
}

@test "--userns=keep-id -v HOME: files in a bind-mounted home owned by you on both sides" {
	if [ "$ENGINE_TEST_MODE" = root ]; then
		expect_engine_error "keep-id is only supported in rootless mode" eng run --userns=keep-id -v "$BATS_TEST_TMPDIR:/h" "$IMG" true
		return
	fi
	home="$BATS_TEST_TMPDIR/home"
	mkdir -p "$home"
	echo mine >"$home/existing"
	uid=$(id -u) gid=$(id -g)
	run --separate-stderr eng run --rm --userns=keep-id -v "$home:$home" -w "$home" "$IMG" \
		sh -c 'id -u; stat -c "%u %g" existing; echo made >new; mkdir dir; stat -c "%u %g" new dir'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "$uid"
	assert_eq "${lines[1]}" "$uid $gid"
	assert_eq "${lines[2]}" "$uid $gid"
	assert_eq "${lines[3]}" "$uid $gid"
	# On the host: the user's, and writable by the user (no subordinate id).
	assert_eq "$(stat -c '%u %g' "$home/new" "$home/dir" | sort -u)" "$uid $gid"
	rm -r "$home/new" "$home/dir"
}

@test "--userns=auto: a slice of subordinate ids per container, its own copy of the image" {
	case "$ENGINE_TEST_MODE" in
	root)
		expect_engine_error "--userns=auto is only supported in rootless mode" \
			eng run --userns=auto "$IMG" true
		return
		;;
	nosub)
		expect_engine_error "--userns=auto needs subordinate ids" eng run --userns=auto "$IMG" true
		return
		;;
	esac
	expect_engine_error "--userns=auto needs an image, not --rootfs" erun --userns=auto true
	sub=$(subid_start /etc/subuid)
	a=$(eng run -d --userns=auto "$IMG" sh -c 'cat /proc/self/uid_map; id -u; touch /etc/written && echo wrote; sleep 4731')
	b=$(eng run -d --userns=auto:size=2000 "$IMG" sh -c 'cat /proc/self/uid_map; sleep 4732')
	wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' logs $a | grep -q wrote"
	wait_for sh -c "'$ENGINE' --root '$ENGINE_ROOT' logs $b | grep -q ' 2000\$'"
	run eng logs "$a"
	maps_a=$(echo "${lines[0]}" | awk '{ print $1, $2, $3 }')
	assert_eq "$maps_a" "0 $sub 1024" "the first slice: 1024 ids, not the user"
	assert_eq "${lines[1]}" 0 "root inside"
	assert_eq "${lines[2]}" wrote "the container's root owns its copy of the image"
	run eng logs "$b"
	maps_b=$(echo "${lines[0]}" | awk '{ print $1, $2, $3 }')
	assert_eq "$maps_b" "0 $((sub + 1024)) 2000" "the next slice does not overlap"
	# The image's files are the slice's on the host, and the layers are
	# untouched (a default container still sees them as root's).
	assert_eq "$(stat -c %u "$ENGINE_ROOT/containers/$a/rootfs/etc/written")" "$sub"
	run --separate-stderr eng run --rm "$IMG" sh -c 'stat -c %u /etc/passwd; ls /etc/written 2>&1'
	assert_eq "${lines[0]}" 0
	assert_contains "${lines[1]}" "No such file"
	eng rm -f "$a" "$b" >/dev/null
	[ ! -e "$ENGINE_ROOT/containers/$a" ]
	# Removed containers give their slices back.
	run --separate-stderr eng run --rm --userns=auto "$IMG" cat /proc/self/uid_map
	assert_eq "$(echo "$output" | awk '{ print $1, $2, $3 }')" "0 $sub 1024"
}

# ---- unshare ----------------------------------------------------------

@test "unshare: the containers' mapping, uid 0, the store's location, the exit code" {
	if [ "$ENGINE_TEST_MODE" = root ]; then
		expect_engine_error "please use unshare with rootless" eng unshare true
		return
	fi
	run --separate-stderr eng unshare cat /proc/self/uid_map
	assert_eq "$status" 0
	maps=$(echo "$output" | awk '{ print $1, $2, $3 }' | tr '\n' ';')
	if [ "$ENGINE_TEST_MODE" = rootless ]; then
		assert_eq "$maps" "0 $(id -u) 1;1 $(subid_start /etc/subuid) 65536;"
	else
		assert_eq "$maps" "0 $(id -u) 1;"
	fi
	run --separate-stderr eng unshare id -u
	assert_eq "$output" 0
	run --separate-stderr eng unshare sh -c 'echo "$ENGINE_STORAGE_ROOT"; exit 7'
	assert_eq "$status" 7
	assert_eq "$output" "$ENGINE_ROOT"
	run -127 eng unshare no-such-command
	assert_eq "$status" 127
}

@test "unshare: files of subordinate ids can be removed inside, not outside" {
	if [ "$ENGINE_TEST_MODE" != rootless ]; then
		# Root needs no unshare; without ranges no subordinate id exists.
		run eng unshare true
		[ "$ENGINE_TEST_MODE" = nosub ] && assert_eq "$status" 0 || assert_eq "$status" 125
		return
	fi
	d="$BATS_TEST_TMPDIR/scratch"
	mkdir "$d"
	eng unshare sh -c "mkdir $d/sub && touch $d/sub/file && chown -R 1000:1000 $d/sub"
	assert_eq "$(stat -c %u "$d/sub/file")" "$(( $(subid_start /etc/subuid) + 999 ))"
	run rm -rf "$d/sub"
	[ "$status" -ne 0 ]
	[ -e "$d/sub/file" ]
	eng unshare rm -rf "$d/sub"
	[ ! -e "$d/sub" ]
}
