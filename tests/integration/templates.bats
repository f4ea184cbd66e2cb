#!/usr/bin/env bats
# templates.bats: --format as Docker users type it, end to end: Go's
# text/template (range, if/else, variables, pipelines, Docker's functions)
# through inspect, ps, images and volume ls, and the errors Docker gives
# for an unknown field and a template that does not parse.

load helpers

setup_file() {
	store_setup --runroot "$IMG"
	# one running container and one only created, with labels, an
	# environment and a volume to walk through
	eng run -d --name web -l app=web -l tier=front -e FOO=bar -v tdata:/data "$IMG" sleep 4802 >/dev/null
	eng create --name idle "$IMG" true >/dev/null
}

teardown_file() {
	store_teardown
}

@test "inspect -f: range over Networks, Mounts and Config.Env, with variables" {
	run -0 eng inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' web
	# what the map holds, address by address, and nothing else
	want=$(eng inspect -f '{{json .NetworkSettings.Networks}}' web | grep -o '"IPAddress":"[^"]*"' | cut -d'"' -f4 | tr -d '\n')
	assert_eq "$output" "$want"
	run -0 eng inspect -f '{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}' web
	assert_eq "$output" "tdata:/data "
	run -0 eng inspect -f '{{range $i, $e := .Config.Env}}{{if eq $e "FOO=bar"}}{{$i}}:{{$e}}{{end}}{{end}}' web
	assert_contains "$output" ":FOO=bar"
	run -0 eng inspect -f '{{range .Config.Env}}{{println .}}{{end}}' web
	assert_contains "$output" $'FOO=bar\n'
}

@test "inspect -f: if .State.Running, else if, with, and/not" {
	run -0 eng inspect -f '{{if .State.Running}}up{{else}}down{{end}}' web idle
	assert_eq "$output" $'up\ndown'
	run -0 eng inspect -f '{{if .State.Paused}}paused{{else if .State.Running}}running{{else}}{{.State.Status}}{{end}}' web idle
	assert_eq "$output" $'running\ncreated'
	run -0 eng inspect -f '{{with .State}}{{if and .Running (not .Paused)}}serving {{.Status}}{{end}}{{end}}' web
	assert_eq "$output" "serving running"
	run -0 eng inspect -f '{{if gt .State.Pid 0}}has pid{{end}} {{printf "%.4s|%-6s|" .Name .State.Status}}' web
	assert_eq "$output" "has pid /web|running|"
}

@test "inspect -f: json of labels, range over a map in key order, index, len, Go's printing" {
	run -0 eng inspect -f '{{json .Config.Labels}}|{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' web
	assert_eq "$output" '{"app":"web","tier":"front"}|app=web;tier=front;'
	run -0 eng inspect -f '{{len .Config.Labels}} {{index .Config.Labels "tier"}} {{.Config.Labels}} {{.Config.Cmd}}' web
	assert_eq "$output" "2 front map[app:web tier:front] [sleep 4802]"
	run -0 eng inspect -f '{{.Name | upper}} {{join .Config.Cmd ","}} {{index (split .Config.Image "/") 1}}' web
	assert_eq "$output" "/WEB sleep,4802 busybox:latest"
}

@test "ps --format: a pipeline, \\t, .Label, a table with a pipeline" {
	run -0 eng ps --filter name=web --format '{{.Names}}\t{{.Status | upper}}'
	assert_contains "$output" $'web\tUP '
	run -0 eng ps -a --filter name=web --format '{{.Names}}/{{.Label "tier"}}/{{if eq .State "running"}}on{{end}}'
	assert_eq "$output" "web/front/on"
	run -0 eng ps -a --format 'table {{.Names}}\t{{.State | upper}}' --filter name=idle
	assert_eq "$output" $'NAMES     STATE\nidle      CREATED'
}

@test "images NAME --format and NAME -q apply to the filtered listing" {
	run -0 eng images "$IMG" --format '{{.Repository}}:{{.Tag}}'
	assert_eq "$output" "$IMG"
	run -0 eng images "$IMG" -q
	assert_eq "$output" "$(eng images -q "$IMG")"
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	run -0 eng images "$REG/none:such" --format '{{.Repository}}'
	assert_eq "$output" ""
}

@test "volume ls --format with a function" {
	run -0 eng volume ls --format '{{.Name | upper}} {{len .Name}}'
	assert_eq "$output" "TDATA 5"
}

@test "an unknown field is Docker's error, exit 125, nothing on stdout" {
	expect_engine_error 'template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"' \
		eng inspect -f '{{.Foo}}' web
	assert_eq "$(cat "$BATS_TEST_TMPDIR/stdout")" ""
	expect_engine_error 'at <.Nope>: map has no entry for key "Nope"' \
		eng ps -a --format '{{.Names}} {{.Nope}}'
	assert_eq "$(cat "$BATS_TEST_TMPDIR/stdout")" ""
	# a key missing from a map (labels) is Go's <no value>, not an error
	run -0 eng inspect -f '{{.Config.Labels.nothere}}' web
	assert_eq "$output" "<no value>"
}

@test "a template that does not parse: Go's message, exit 125, before anything runs" {
	expect_engine_error 'Error: template parsing error: template: :1: unexpected "}" in operand$' \
		eng ps --format '{{.Names}'
	expect_engine_error 'template parsing error: template: :1: function "nosuch" not defined' \
		eng inspect -f '{{nosuch .Name}}' web
	expect_engine_error 'template parsing error: template: :1: unexpected {{end}}' \
		eng images --format '{{end}}'
	expect_engine_error 'template parsing error: template: :1: unclosed action' \
		eng volume ls --format '{{.Name'
}
