#!/usr/bin/env bats
# cli-errors.bats: what the command line says when it is wrong, in Docker's
# words, and the command list of --help.

load helpers

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
}

teardown_file() {
	store_teardown
}

@test "unknown shorthand flag: the letter and the word that holds it" {
	# Docker: unknown shorthand flag: 't' in -t0 (main named "rm").
	expect_exact_error "unknown shorthand flag: 't' in -t0" eng rm -t0 -f x
	expect_exact_error "unknown shorthand flag: 't' in -ft0" eng rm -ft0 x
	# The letter ending its word, and a word after a valid long flag.
	expect_exact_error "unknown shorthand flag: 'Z' in -fZ" eng rm -fZ x
	expect_exact_error "unknown shorthand flag: 'Z' in -Z" eng rm --force -Z x
	expect_exact_error "unknown shorthand flag: 'Z' in -Z0" eng ps -Z0
	expect_exact_error "unknown shorthand flag: 'Z' in -Z0" eng run -Z0 --rootfs / true
	expect_exact_error "unknown shorthand flag: 'Z' in -Z0" eng exec -Z0 x true
	expect_exact_error "unknown shorthand flag: 'Z' in -Z0" eng rmi -Z0 x
	# Unchanged by the shared helper: long flags, a flag without its value.
	expect_exact_error "unknown flag: --bogus" eng rm --bogus x
	expect_exact_error "unknown flag: --bogus" eng exec --bogus x true
	expect_exact_error "flag needs an argument: --time" eng stop --time
}

@test "engine --help lists each command once" {
	run --separate-stderr "$ENGINE" --help
	assert_eq "$status" 0
	# The lines of the Commands: section, "  NAME  what it does".
	names=$(echo "$output" | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
	[ "$(echo "$names" | wc -l)" -gt 20 ]
	assert_eq "$(echo "$names" | sort | uniq -d)" ""
	assert_contains "$names" system
}
