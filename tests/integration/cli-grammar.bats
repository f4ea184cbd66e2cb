#!/usr/bin/env bats
# cli-grammar.bats: Docker's argument grammar.  Flags may follow
# the arguments (`engine inspect IMAGE --format X`, `engine rm C -f`) in
# every command except where the first argument ends them: after the image
# of run and create, the container of exec and top, unshare's command and
# the top level.  "--" ends the flags; short flags bundle.  The commands
# once parsed by hand say Docker's words for an unknown flag, and info and
# version take templates.

load helpers

setup_file() {
	store_setup "$IMG"
	# One running container with two lines of output, for the read-only
	# commands.
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --name g1 "$IMG" \
		sh -c 'echo one; echo two; sleep 4801' >/dev/null
}

teardown_file() {
	store_teardown
}

@test "flags after the arguments: the same output as before them (read-only commands)" {
	wait_for sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' logs g1 | grep -q two"
	local n=0
	# COMMAND|FLAGS|ARGUMENTS: `COMMAND ARGUMENTS FLAGS` must print what
	# `COMMAND FLAGS ARGUMENTS` prints (and succeed); each flag changes
	# the output, so a flag read as an argument, or ignored, shows.
	while IFS='|' read -r cmd flags args; do
		[ -n "$cmd" ] || continue
		# shellcheck disable=SC2086 # the table's words, split on purpose
		run --separate-stderr eng $cmd $flags $args
		assert_eq "$status" 0 "$cmd $flags $args"
		want=$output
		[ -n "$want" ]
		# shellcheck disable=SC2086
		run --separate-stderr eng $cmd $args $flags
		assert_eq "$status" 0 "$cmd $args $flags: $stderr"
		assert_eq "$output" "$want" "$cmd $args $flags"
		n=$((n + 1))
	done <<-EOF
		inspect|--format {{.Id}}|$IMG
		inspect|-f {{.Name}}|g1
		inspect|--type=container -f {{.State.Running}}|g1
		image inspect|-f {{.Id}}|$IMG
		container inspect|--format={{.Name}}|g1
		logs|--tail 1|g1
		logs|-n 1|g1
		container logs|-n1|g1
		images|-q|$IMG
		images|--format {{.Repository}}:{{.Tag}}|$IMG
		image ls|--no-trunc -q|$IMG
		history|-q|$IMG
		image history|--format {{.ID}} --no-trunc|$IMG
		port|--help|g1
		diff|--help|g1
	EOF
	assert_eq "$n" 15 "rows run"
}

@test "flags after the arguments: commands that change things" {
	dir=$BATS_TEST_TMPDIR
	# pull, tag, rmi
	run --separate-stderr eng pull "$IMG" -q
	assert_eq "$status" 0 "$stderr"
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	eng tag "$IMG" grammar:tagged
	run --separate-stderr eng rmi grammar:tagged -f
	assert_eq "$status" 0 "$stderr"
	run eng image inspect grammar:tagged
	assert_eq "$status" 1
	# save and load
	run --separate-stderr eng save "$IMG" -o "$dir/img.tar"
	assert_eq "$status" 0 "$stderr"
	[ -s "$dir/img.tar" ]
	run --separate-stderr eng load -i "$dir/img.tar" -q
	assert_eq "$status" 0 "$stderr"
	# cp, export, commit from a running container
	run --separate-stderr eng cp g1:/etc/passwd "$dir/passwd" -L
	assert_eq "$status" 0 "$stderr"
	grep -q '^root:' "$dir/passwd"
	run --separate-stderr eng export g1 -o "$dir/g1.tar"
	assert_eq "$status" 0 "$stderr"
	tar -tf "$dir/g1.tar" | grep -q 'etc/passwd'
	run --separate-stderr eng commit g1 grammar:committed -a grammar-author
	assert_eq "$status" 0 "$stderr"
	assert_eq "$(eng image inspect grammar:committed -f '{{.Author}}')" grammar-author
	eng rmi grammar:committed >/dev/null
	# volumes
	run --separate-stderr eng volume create gvol -d local
	assert_eq "$status" 0 "$stderr"
	assert_eq "$(eng volume inspect gvol -f '{{.Name}}')" gvol
	run --separate-stderr eng volume rm gvol -f
	assert_eq "$status" 0 "$stderr"
	# update a created container
	eng create --name gu "$IMG" true >/dev/null
	run --separate-stderr eng update gu --memory 64m
	assert_eq "$status" 0 "$stderr"
	assert_eq "$(eng inspect gu -f '{{.HostConfig.Memory}}')" 67108864
	eng rm gu >/dev/null
	# stop, restart, kill, wait, rm
	eng run -d --name g2 "$IMG" sleep 4802 >/dev/null
	run --separate-stderr eng stop g2 -t 0
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" g2
	run --separate-stderr eng restart g2 -t 0
	assert_eq "$status" 0 "$stderr"
	run --separate-stderr eng kill g2 -s KILL
	assert_eq "$status" 0 "$stderr"
	run --separate-stderr eng wait g2
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" 137
	run --separate-stderr eng rm g2 -v
	assert_eq "$status" 0 "$stderr"
	# logs -f after the name of a container that exits
	eng run -d --name g3 "$IMG" echo done-g3 >/dev/null
	run --separate-stderr timeout 20 "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" logs g3 -f
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" done-g3
	# A script's POSIXLY_CORRECT changes nothing.
	run --separate-stderr env POSIXLY_CORRECT=1 "$ENGINE" "${engine_args[@]}" \
		--root "$ENGINE_ROOT" rm g3 -f
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" g3
}

@test "-- ends the flags; short flags bundle, after the arguments too" {
	run --separate-stderr eng inspect g1 -f '{{.Name}}' -- -notaflag
	assert_eq "$status" 1
	assert_eq "$output" /g1
	assert_eq "$stderr" "Error: No such object: -notaflag"
	run --separate-stderr eng rm -- -notaflag
	assert_eq "$status" 1
	assert_contains "$stderr" "-notaflag"
	# -fv after the names removes two running containers.
	eng run -d --name gb1 "$IMG" sleep 4803 >/dev/null
	eng run -d --name gb2 "$IMG" sleep 4804 >/dev/null
	run --separate-stderr eng rm gb1 gb2 -fv
	assert_eq "$status" 0 "$stderr"
	assert_eq "$(echo $output)" "gb1 gb2"
	run eng ps -aq --filter name=gb
	assert_eq "$output" ""
	# -tn1: timestamps and the last line, bundled after the name.
	run --separate-stderr eng logs g1 -tn1
	assert_eq "$status" 0 "$stderr"
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\ ]+\ two$ ]]
	# A bundle with an unknown letter after an argument: Docker's words.
	expect_exact_error "unknown shorthand flag: 't' in -t0" eng rm x -t0
	expect_exact_error "unknown shorthand flag: 'Z' in -fZ" eng rm x -fZ
	expect_exact_error "unknown flag: --bogus" eng logs g1 --bogus
	expect_exact_error "flag needs an argument: -n" eng logs g1 -n
}

@test "the first argument ends the flags: run, create, exec, top, and the top level" {
	run --separate-stderr eng run --rm "$IMG" echo -n x
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" x
	run --separate-stderr eng run --rm "$IMG" sh -c 'echo "$@"' sh -f --rm -- -x
	assert_eq "$output" "-f --rm -- -x"
	# create keeps "-n" for echo; start's -a comes after the name.
	eng create --name gc "$IMG" echo -n created >/dev/null
	run --separate-stderr eng start gc -a
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" created
	eng rm gc >/dev/null
	run --separate-stderr eng exec g1 echo -n y
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" y
	run --separate-stderr eng exec g1 ls -l -d /etc
	assert_eq "$status" 0 "$stderr"
	[[ "$output" =~ ^d.*/etc$ ]]
	# top: what follows the name is ps's; before it, a flag is ours.
	run --separate-stderr eng top g1 -ef
	assert_eq "$status" 0 "$stderr"
	assert_contains "$output" "sleep 4801"
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng top -x g1
	# The top level: global flags go before the command, as in Docker.
	expect_exact_error "unknown flag: --root" "$ENGINE" ps --root "$ENGINE_ROOT"
}

@test "the commands once parsed by hand: Docker's words for an unknown flag, flags after the arguments" {
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng version -x
	expect_exact_error "unknown flag: --bogus" eng version --bogus
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng info -x
	expect_exact_error "unknown flag: --bogus" eng info --bogus
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng logout -x
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng tag -x a b
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng wait -x g1
	expect_exact_error "unknown shorthand flag: 'x' in -x" eng wait g1 -x
	expect_exact_error '"engine version" accepts no arguments' eng version extra
	expect_exact_error '"engine info" accepts no arguments' eng info extra
	expect_exact_error '"engine tag" requires exactly 2 arguments' eng tag "$IMG"
	expect_exact_error '"engine logout" requires at most 1 argument' eng logout a b
	# -- and --help where a hand parser took a word at its place.
	run --separate-stderr eng tag -- "$IMG" grammar:dashdash
	assert_eq "$status" 0 "$stderr"
	eng rmi grammar:dashdash >/dev/null
	run --separate-stderr eng logout --help
	assert_eq "$status" 0
	assert_contains "$output" "Usage: engine logout"
	run --separate-stderr eng wait --help
	assert_eq "$status" 0
	assert_contains "$output" "Usage: engine wait"
}

@test "info --format and version --format take Go templates" {
	run --separate-stderr eng version --format '{{.Client.Version}}'
	assert_eq "$status" 0 "$stderr"
	want=$(eng version --format json | jq -r .Client.Version)
	[ -n "$want" ]
	assert_eq "$output" "$want"
	assert_eq "$(eng version -f '{{.Server.Version}}')" "$want"
	assert_eq "$(eng version -f '{{.Client.Os}}/{{.Client.Arch}}')" "linux/$(uname -m)"
	assert_eq "$(eng version -f '{{json .}}' | jq -r .Client.Version)" "$want"

	run --separate-stderr eng info --format '{{.ServerVersion}}'
	assert_eq "$status" 0 "$stderr"
	assert_eq "$output" "$want"
	json=$(eng info --format json)
	assert_eq "$(eng info -f '{{.Driver}}')" "$(echo "$json" | jq -r .store.driver)"
	assert_eq "$(eng info -f '{{.DockerRootDir}}')" "$ENGINE_ROOT"
	assert_eq "$(eng info -f '{{.host.arch}} {{.Architecture}} {{.OSType}}')" \
		"$(uname -m) $(uname -m) linux"
	assert_eq "$(eng info -f '{{.NCPU}}')" "$(getconf _NPROCESSORS_ONLN)"
	assert_eq "$(eng info -f '{{.KernelVersion}}')" "$(uname -r)"
	assert_eq "$(eng info -f '{{.store.graphRoot}}')" "$ENGINE_ROOT"
	assert_eq "$(eng info --format '{{json .}}' | jq -r .idmap.mode)" \
		"$(echo "$json" | jq -r .idmap.mode)"
	case "$(echo "$json" | jq -r .host.cgroupVersion)" in
	v1) assert_eq "$(eng info -f '{{.CgroupVersion}}')" 1 ;;
	v2) assert_eq "$(eng info -f '{{.CgroupVersion}}')" 2 ;;
	*) false ;;
	esac
	# Docker users tell rootless by its security option.
	opts=$(eng info -f '{{json .SecurityOptions}}')
	if [ "$ENGINE_TEST_MODE" = root ]; then
		[[ "$opts" != *name=rootless* ]]
	else
		assert_contains "$opts" '"name=rootless"'
	fi
	# A broken template is refused before anything is printed.
	run --separate-stderr eng info --format '{{.ServerVersion'
	assert_eq "$status" 125
	assert_eq "$output" ""
}
