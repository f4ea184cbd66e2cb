#!/usr/bin/env bats
# completion.bats: what the command table generates.  `engine completion
# bash` is sourced in bash and its function driven as bash drives it
# (COMP_WORDS, COMP_CWORD): commands, flags, and the names of containers,
# images and volumes from a real store; the zsh script is loaded by zsh's
# compinit; `engine __man DIR` writes man pages that man renders, with
# every flag of run.

load helpers
bats_require_minimum_version 1.5.0

REG=${ENGINE_TEST_REGISTRY:-127.0.0.1:5000}
IMG="$REG/busybox:latest"

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	"$ENGINE" completion bash >"$BATS_FILE_TMPDIR/engine.bash"
	"$ENGINE" completion zsh >"$BATS_FILE_TMPDIR/_engine"
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" pull -q "$IMG" >/dev/null
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" create --name c-made "$IMG" true >/dev/null
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --name c-up "$IMG" sleep 4802 >/dev/null
	"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" volume create v-named >/dev/null
}

teardown_file() {
	store_teardown
}

# The words bash offers for the command line "$@", whose last word is the
# one being completed, one per line, sorted.
complete_bash() {
	bash -c 'source "$1"; shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_engine
		printf "%s\n" "${COMPREPLY[@]}" | sort' \
		complete "$BATS_FILE_TMPDIR/engine.bash" "$@"
}

# As complete_bash, on this file's store.
complete_store() {
	complete_bash "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" "$@"
}

@test "completion bash: sourced, it completes engine" {
	run -0 bash -c 'source "$1"; complete -p engine' sh "$BATS_FILE_TMPDIR/engine.bash"
	assert_eq "$output" "complete -F _engine engine"
}

@test "completion bash: the commands that start with r" {
	run -0 complete_bash "$ENGINE" r
	assert_eq "$(echo $output)" "rename restart rm rmi run"
	run -0 complete_bash "$ENGINE" --root /x vol
	assert_eq "$output" "volume"
}

@test "completion bash: flags of run, of a subcommand, and the global ones" {
	run -0 complete_bash "$ENGINE" run --
	for f in --detach --name --rm --volume --publish --memory --network --help; do
		assert_contains "$output" "$f"
	done
	run -0 complete_bash "$ENGINE" run --det
	assert_eq "$(echo $output)" "--detach --detach-keys"
	run -0 complete_bash "$ENGINE" volume prune --
	assert_eq "$(echo $output)" "--all --filter --force --help"
	run -0 complete_bash "$ENGINE" --stor
	assert_eq "$output" "--storage-driver"
	run -0 complete_bash "$ENGINE" image ''
	assert_eq "$(echo $output)" "history import inspect list load ls prune pull push remove rm save tag"
}

@test "completion bash: container, image and volume names from the store" {
	run -0 complete_store rm ''
	assert_eq "$(echo $output)" "c-made c-up"
	run -0 complete_store container rm c-m
	assert_eq "$output" "c-made"
	# stop offers the running ones only.
	run -0 complete_store stop ''
	assert_eq "$output" "c-up"
	# After a flag and its value, the next argument is still a name.
	run -0 complete_store logs --tail 5 ''
	assert_eq "$(echo $output)" "c-made c-up"
	run -0 complete_store rmi ''
	assert_eq "$output" "$IMG"
	# run: the image, then the container's own command line (files).
	run -0 complete_store run -d --name x ''
	assert_eq "$output" "$IMG"
	run -0 complete_store volume rm ''
	assert_eq "$output" "v-named"
}

# The words zsh offers for the command line "$@", the last word the one
# being completed: the script's _engine runs with zsh's completion
# builtins replaced by ones that print what they are given (what zsh
# itself does with it, the menu, is zsh's).
complete_zsh() {
	# shellcheck disable=SC2016
	zsh -f -c 'source "$1"; shift
		_describe() { print -rl -- ${(M)${(@)${(@P)argv[-1]}%%:*}:#${words[CURRENT]}*} }
		compadd() { [[ $1 == -a ]] && print -rl -- ${(M)${(@P)2}:#${words[CURRENT]}*} }
		_files() { print -r -- "(files)" }
		words=("$@")
		CURRENT=$#
		_engine | sort' zsh "$BATS_FILE_TMPDIR/_engine" "$@"
}

@test "completion zsh: compinit finds it for engine; commands, flags and names" {
	command -v zsh >/dev/null || skip "zsh is not installed (tests/setup/host-setup.sh installs it)"
	mkdir -p "$BATS_TEST_TMPDIR/fpath"
	cp "$BATS_FILE_TMPDIR/_engine" "$BATS_TEST_TMPDIR/fpath/"
	run -0 zsh -n "$BATS_FILE_TMPDIR/_engine"
	# shellcheck disable=SC2016
	run -0 env HOME="$BATS_TEST_TMPDIR" zsh -f -c 'fpath=("$1" $fpath)
		autoload -Uz compinit && compinit -u -D
		print -r -- "$_comps[engine]"' zsh "$BATS_TEST_TMPDIR/fpath"
	assert_eq "$output" "_engine"
	run -0 complete_zsh "$ENGINE" r
	assert_eq "$(echo $output)" "rename restart rm rmi run"
	run -0 complete_zsh "$ENGINE" run --det
	assert_eq "$(echo $output)" "--detach --detach-keys"
	run -0 complete_zsh "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" container rm ''
	assert_eq "$(echo $output)" "c-made c-up"
	run -0 complete_zsh "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" stop ''
	assert_eq "$output" "c-up"
	run -0 complete_zsh "$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" volume inspect ''
	assert_eq "$output" "v-named"
	run -0 complete_zsh "$ENGINE" run --rm "$IMG" ''
	assert_eq "$output" "(files)"
}

@test "man pages: engine(1) and engine-run(1) render, with every flag run takes" {
	dir=$BATS_TEST_TMPDIR/man
	mkdir -p "$dir"
	run -0 "$ENGINE" __man "$dir"
	[ -f "$dir/engine.1" ]
	[ -f "$dir/engine-volume-ls.1" ]
	run -0 env MANWIDTH=200 man -l "$dir/engine.1"
	assert_contains "$output" "engine-run(1)"
	assert_contains "$output" "--storage-driver"
	run -0 env MANWIDTH=200 man -l "$dir/engine-run.1"
	page=$output
	assert_contains "$page" "SYNOPSIS"
	assert_contains "$page" "EXIT STATUS"
	assert_contains "$page" "125"
	# Every flag run's help shows (the help is the table's), in the page.
	flags=$("$ENGINE" run --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ "$(echo "$flags" | wc -l)" -gt 50 ]
	for f in $flags; do
		assert_contains "$page" "$f"
	done
}
