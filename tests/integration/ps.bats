#!/usr/bin/env bats
# ps.bats: what ps, rm -a, system prune and system reset print and do:
# labels and their filters, ps -s, Docker's table layout byte for byte,
# status strings, --format json.

load helpers

LAYERED="$REG/layered:latest"

# Every test starts with no container.
container_batch_suite

@test "labels: -l, --label-file (-l wins), ps {{.Labels}} {{.Label}}, --filter label, inspect Config.Labels" {
	printf '# labels\n\na=file\nb=file\n' >"$BATS_TEST_TMPDIR/labels"
	eng run -d --name lab -l a=flag --label-file "$BATS_TEST_TMPDIR/labels" --label only "$IMG" sleep 4801 >/dev/null
	eng create --name other -l b=2 "$IMG" true >/dev/null
	run eng ps -a --filter name=lab --format '{{.Labels}}|{{.Label "a"}}|{{.Label "none"}}'
	assert_eq "$output" "a=flag,b=file,only=|flag|"
	run eng ps -a --format '{{.Names}} {{.Label "a"}}' --filter name=lab
	assert_eq "$output" "lab flag"
	run eng ps -a --filter label=a --format '{{.Names}}'
	assert_eq "$output" lab
	run eng ps -a --filter label=b --format '{{.Names}}'
	assert_eq "${#lines[@]}" 2
	run eng ps -a --filter label=b=2 --format '{{.Names}}'
	assert_eq "$output" other
	run eng ps -a --filter label=b=2 --filter label=a --format '{{.Names}}'
	assert_eq "$output" ""
	run eng ps -a --filter label=nothing -q
	assert_eq "$output" ""
	run eng inspect --format '{{.Config.Labels}}|{{index .Config.Labels "b"}}|{{index .Config.Labels "x"}}' lab
	assert_eq "$output" "map[a:flag b:file only:]|file|"
	run eng inspect --format '{{json .Config.Labels}}' other
	assert_eq "$output" '{"b":"2"}'
	# A recorded container starts again with its labels.
	eng start other >/dev/null
	eng wait other >/dev/null
	run eng ps -a --filter label=b=2 -q
	assert_eq "${#lines[@]}" 1
	expect_engine_error "invalid label '=x': empty name" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d -l =x "$IMG" true
	expect_engine_error "--label-file" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" run -d --label-file /no/such "$IMG" true
	run eng ps -aq
	assert_eq "${#lines[@]}" 2
}

@test "the default table is Docker's byte for byte: header, tabwriter padding, quoted command" {
	run eng ps
	assert_eq "$output" "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"
	id=$(eng create --name pad "$IMG" echo a-rather-long-command-line)
	run eng ps -a
	assert_eq "${#lines[@]}" 2
	w=$((${#IMG} + 3))
	assert_eq "${lines[0]}" "$(printf "CONTAINER ID   %-${w}sCOMMAND                  CREATED                  STATUS    PORTS     NAMES" IMAGE)"
	assert_eq "${lines[1]}" "$(printf "%s   %-${w}s\"echo a-rather-long-…\"   Less than a second ago   Created             pad" "${id:0:12}" "$IMG")"
	run eng ps -a --format 'table {{.ID}}\t{{.Names}}\t{{.Ports}}\t{{.State}}'
	assert_eq "${lines[0]}" "CONTAINER ID   NAMES     PORTS     STATE"
	assert_eq "${lines[1]}" "${id:0:12}   pad                 created"
	run eng ps -a --no-trunc --format '{{.Command}}'
	assert_eq "$output" '"echo a-rather-long-command-line"'
	run eng images
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ {7}IMAGE\ ID\ {7}CREATED\ +SIZE$ ]] || { echo "${lines[0]}"; false; }
}

@test "Status, State, CreatedAt, RunningFor as Docker prints them; json and {{json .}}" {
	eng create --name c1 "$IMG" true >/dev/null
	eng run -d --name up1 "$IMG" sleep 4802 >/dev/null
	eng run -d --name ex3 "$IMG" sh -c 'exit 3' >/dev/null
	eng wait ex3 >/dev/null
	run eng ps -a --format '{{.Names}}|{{.State}}|{{.Status}}'
	assert_contains "$output" "c1|created|Created"
	[[ "$output" =~ up1\|running\|Up\ (Less\ than\ a\ second|[0-9]+\ seconds?) ]] || { echo "$output"; false; }
	[[ "$output" =~ ex3\|exited\|Exited\ \(3\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago ]] || { echo "$output"; false; }
	run eng ps -a --filter name=c1 --format '{{.CreatedAt}}|{{.RunningFor}}'
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ \+0000\ UTC\|.+\ ago$ ]] || { echo "$output"; false; }
	run eng ps -a --format json
	assert_eq "${#lines[@]}" 3
	for l in "${lines[@]}"; do
		echo "$l" | jq -e '.ID and .Names and .State and .Status and (.Labels|type=="string") and (has("Mounts")) and (.Networks=="bridge")' >/dev/null || { echo "$l"; false; }
	done
	run eng ps --format '{{json .}}'
	assert_eq "$(echo "$output" | jq -r .Names)" up1
	run eng ps --format '{{json .Names}}'
	assert_eq "$output" '"up1"'
	# inspect in Docker's shape
	run eng inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.Config.Cmd}} {{.HostConfig.NetworkMode}}' ex3
	assert_eq "$output" "exited 3 0 [sh -c exit 3] bridge"
	run eng inspect up1
	echo "$output" | jq -e '.[0] | .Id and .Created and .Path == "sleep" and .Args == ["4802"] and .State.Running == true and .State.Pid > 0 and (.Mounts|type=="array") and .Config.Image and (.NetworkSettings|type=="object") and .Driver != null' >/dev/null
}

@test "ps -s: the writable layer and the virtual size; a format with .Size asks for it" {
	eng run -d --name sized "$IMG" sh -c 'head -c 12 /dev/zero >/twelve; sleep 4803' >/dev/null
	img_size=$(eng images --format '{{.Size}}' "$IMG")
	wait_for sh -c "'$ENGINE' ${engine_args[*]} --root '$ENGINE_ROOT' --runroot '$ENGINE_RUNROOT' ps -s --format '{{.Size}}' | grep -q '^12B '"
	run eng ps -s --format '{{.Names}} {{.Size}}'
	assert_eq "$output" "sized 12B (virtual $img_size)"
	run eng ps --format '{{.Size}}'
	assert_eq "$output" "12B (virtual $img_size)"
	run eng ps -s
	[[ "${lines[0]}" =~ NAMES\ +SIZE$ ]] || { echo "${lines[0]}"; false; }
	[[ "${lines[1]}" =~ sized\ +12B\ \(virtual\ $img_size\)$ ]] || { echo "${lines[1]}"; false; }
	# Without -s the size is not measured.
	run eng ps --format json
	assert_eq "$(echo "$output" | jq -r .Size)" 0B
}

@test "rm -a: stopped ones go, running ones need -f" {
	up=$(eng run -d "$IMG" sleep 4804)
	stopped=$(eng create "$IMG" true)
	run eng rm -a
	assert_eq "$status" 1
	assert_contains "$output" "$stopped"
	assert_contains "$output" "container is running"
	run eng ps -aq --no-trunc
	assert_eq "$output" "$up"
	run eng rm -af
	assert_eq "$status" 0
	assert_eq "$output" "$up"
	run eng ps -aq
	assert_eq "$output" ""
	[ -z "$(ls -A "$ENGINE_ROOT/containers")" ]
	wait_for sh -c "! pgrep -f '^sleep 4804' >/dev/null"
	expect_engine_error "mutually exclusive" \
		"$ENGINE" "${engine_args[@]}" --root "$ENGINE_ROOT" rm -a "$up"
}

@test "system prune: asks first; stopped containers and dangling images; -a every unused image" {
	up=$(eng run -d "$IMG" sleep 4805)
	done1=$(eng run -d "$IMG" sh -c 'echo x >/file')
	eng wait "$done1" >/dev/null
	eng pull -q "$LAYERED" >/dev/null
	run eng system df --format '{{.Type}} {{.TotalCount}} {{.Active}}'
	assert_contains "$output" "Containers 2 1"
	# Active images: the one the two containers use, not the other.
	assert_contains "$output" "Images 2 1"
	run eng system prune <<<"n"
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "WARNING! This will remove:"
	assert_eq "${lines[1]}" "  - all stopped containers"
	assert_eq "${lines[2]}" "  - all dangling images"
	run eng ps -aq
	assert_eq "${#lines[@]}" 2
	run eng system prune -f
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "Deleted Containers:"
	assert_eq "${lines[1]}" "$done1"
	[[ "${lines[2]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+k?B$ ]] || { echo "$output"; false; }
	run eng ps -aq --no-trunc
	assert_eq "$output" "$up"
	# Both images have names: nothing dangling.
	run eng images -q
	assert_eq "${#lines[@]}" 2
	run eng system prune -a <<<"y"
	assert_contains "$output" "  - all images without at least one container associated to them"
	assert_contains "$output" "Deleted Images:"
	assert_contains "$output" "untagged: $LAYERED"
	run eng images --format '{{.Repository}}:{{.Tag}}'
	assert_eq "$output" "$IMG"
	eng rm -f "$up" >/dev/null
}

@test "system reset: asks first; then every container, image, the store and the run root go" {
	root="$BATS_TEST_TMPDIR/reset-store" runroot="$BATS_TEST_TMPDIR/reset-run"
	e() { "$ENGINE" "${engine_args[@]}" --root "$root" --runroot "$runroot" "$@"; }
	e pull -q "$IMG" >/dev/null
	e run -d "$IMG" sleep 4806 >/dev/null
	# Files of a subordinate id, in a directory only that id may enter.
	id=$(e run -d "$IMG" sh -c 'mkdir -p /d/e; echo x >/d/e/f; chown -R 1000:1000 /d; chmod 700 /d/e')
	e wait "$id" >/dev/null
	run e system reset <<<"n"
	assert_eq "${lines[0]}" "WARNING! This will remove:"
	assert_contains "$output" "the graphRoot directory: \"$root\""
	assert_contains "$output" "the runRoot directory: \"$runroot\""
	[ -d "$root/containers" ]
	run e system reset -f
	assert_eq "$status" 0
	[ ! -e "$root" ]
	[ ! -e "$runroot" ]
	wait_for sh -c "! pgrep -f '^sleep 4806' >/dev/null"
	! grep -q "$root" /proc/self/mountinfo
	# The engine works on the empty store again.
	run e ps -a
	assert_eq "$status" 0
	assert_eq "${#lines[@]}" 1
	rm -rf "$root" "$runroot"
}
