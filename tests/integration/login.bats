#!/usr/bin/env bats
# login.bats: login and logout against a registry that wants a password: a
# second docker-registry on 127.0.0.1:5001 with htpasswd (basic) auth, run
# by this file as the test user; then push and pull through it with the
# stored credentials.

load helpers

AUTH_REG=127.0.0.1:5001

setup_file() {
	export ENGINE_ROOT="$BATS_FILE_TMPDIR/store"
	# Our own auth.json: the user's real one is not ours to change.
	export REGISTRY_AUTH_FILE="$BATS_FILE_TMPDIR/auth.json"
	local dir="$BATS_FILE_TMPDIR/authreg"
	mkdir -p "$dir/data"
	htpasswd -Bbn tester s3cret >"$dir/htpasswd"
	cat >"$dir/config.yml" <<EOC
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $AUTH_REG
auth:
  htpasswd:
    realm: engine-test
    path: $dir/htpasswd
EOC
	# The registry reads REGISTRY_* variables as configuration: not ours.
	env -u REGISTRY_AUTH_FILE docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	for _ in $(seq 1 50); do
		code=$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "http://$AUTH_REG/v2/" || true)
		[ "$code" = 401 ] && return 0
		sleep 0.1
	done
	echo "the auth registry did not come up: $(cat "$dir/log")" >&3
	return 1
}

teardown_file() {
	local pidfile="$BATS_FILE_TMPDIR/authreg/pid"
	if [ -s "$pidfile" ]; then
		kill "$(cat "$pidfile")" 2>/dev/null || true
	fi
	remove_images "$ENGINE_ROOT"
}

eng() {
	"$ENGINE" --root "$ENGINE_ROOT" "$@"
}

@test "login with a wrong password fails, stores nothing" {
	run eng login -u tester -p wrong "$AUTH_REG"
	assert_eq "$status" 1
	assert_contains "$output" "unauthorized"
	[ ! -e "$REGISTRY_AUTH_FILE" ] || ! grep -q "$AUTH_REG" "$REGISTRY_AUTH_FILE"
}

@test "login --password-stdin: Login Succeeded, auth.json 0600" {
	run sh -c "echo s3cret | $ENGINE --root $ENGINE_ROOT login -u tester --password-stdin $AUTH_REG"
	assert_eq "$status" 0
	assert_eq "$output" "Login Succeeded"
	assert_eq "$(stat -c %a "$REGISTRY_AUTH_FILE")" 600
	jq -e --arg r "$AUTH_REG" '.auths[$r].auth == ("tester:s3cret" | @base64)' "$REGISTRY_AUTH_FILE"
}

@test "-p works and warns; push and pull use the stored credentials" {
	run eng login -u tester -p s3cret "http://$AUTH_REG/"
	assert_eq "$status" 0
	assert_contains "$output" "Login Succeeded"
	assert_contains "$output" "insecure"
	eng pull -q "$REG/busybox:latest" >/dev/null
	run eng push "$REG/busybox:latest" "$AUTH_REG/private/busybox:v1"
	assert_eq "$status" 0
	assert_contains "$output" "v1: digest: sha256:"
	digest=$(echo "$output" | sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p')
	eng rmi -f "$REG/busybox:latest" >/dev/null
	run eng pull -q "$AUTH_REG/private/busybox@$digest"
	assert_eq "$status" 0
	assert_eq "$output" 1bdef5d4e5f70968b5ddbf4a4e61ff22a746f63fb501f91751875a27d71dd2c3
}

@test "logout removes the credentials; pulling then needs a login" {
	run eng logout "$AUTH_REG"
	assert_eq "$status" 0
	assert_eq "$output" "Removing login credentials for $AUTH_REG"
	run jq -e --arg r "$AUTH_REG" '.auths[$r]' "$REGISTRY_AUTH_FILE"
	[ "$status" != 0 ]
	run eng logout "$AUTH_REG"
	assert_eq "$status" 0
	assert_eq "$output" "Not logged in to $AUTH_REG"
	expect_engine_error "401\|log in\|no credentials" "$ENGINE" --root "$ENGINE_ROOT" pull "$AUTH_REG/private/busybox:v1"
}

@test "login flag errors: one line, 125; no TTY: 1" {
	expect_engine_error "mutually exclusive" "$ENGINE" login -u tester -p x --password-stdin "$AUTH_REG"
	expect_engine_error "Must provide --username" "$ENGINE" login --password-stdin "$AUTH_REG"
	expect_engine_error "unknown flag" "$ENGINE" login --bogus "$AUTH_REG"
	run sh -c "$ENGINE login -u tester $AUTH_REG </dev/null"
	assert_eq "$status" 1
	assert_contains "$output" "non TTY"
}
