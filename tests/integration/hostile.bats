#!/usr/bin/env bats
# hostile.bats: layers made to attack the unpacker.  Each image
# is [a busybox base layer, one hostile layer], crafted here with python3's
# tarfile (GNU tar will not write most of these), laid out as an OCI layout
# and pushed to the local registry with skopeo; the blob-digest cases are
# served by a tiny registry of our own, since a real one refuses a blob
# under a wrong digest.  Every pull must fail with exit 125 and one line
# naming what is wrong, write nothing outside the store (the "outside"
# sentinel directory next to it is where the entries aim), and leave the
# store exactly as it was: no image record, no staging directory, no blob
# temp file.  Control images (the same tar writer, nothing hostile) pull
# fine, so a refusal is always the hostile entry's doing.

load helpers

# One registry namespace per run (chosen in setup_file, exported to the
# tests): two runs on one machine must not pull each other's images, whose
# entries name per-run paths.
NS=${HOSTILE_NS:-engine-test-hostile}
MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_CONFIG=application/vnd.oci.image.config.v1+json
MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip

# The registry images: the base, a control, and one per hostile layer.
HOSTILE="dotdot dotdot-nested absolute symlink-abs symlink-rel symlink-dir
	hardlink-dotdot hardlink-abs hardlink-symlink hardlink-lower
	whiteout-dot whiteout-dotdot whiteout-symlink opaque-symlink
	device-char device-block xattr-trusted xattr-user xattr-fuse xattr-root
	bomb-file bomb-many bomb-trailer"
# Gzip streams the pull inflates itself (in its download thread): two
# concatenated members (valid, as gzip(1) reads them) and a damaged one.
GZIP_CASES="gzip-members gzip-corrupt"
IMAGES="base control $HOSTILE $GZIP_CASES"

# Small enough to test, far below the real default (64 GiB): the bombs
# expand to 100 MiB.
BOMB_LIMIT=$((10 << 20))

# write_layers DIR OUTSIDE: one NAME.tar.gz per layer.  Fixed mtimes and
# gzip without a timestamp, so a rerun pushes the same blobs (except where
# an entry names OUTSIDE, which differs per run).
write_layers() {
	python3 - "$1" "$2" <<'PY'
import gzip, io, sys, tarfile

out, outside = sys.argv[1], sys.argv[2]
MIB = 1 << 20
ZEROS = bytes(MIB)


class Zeros:
    """A file object of N zero bytes, without holding them."""
    def __init__(self, n):
        self.left = n

    def read(self, n=-1):
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return bytes(n)


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=None, xattrs=None, **kw):
    t = tarfile.TarInfo(name)  # kept as given: tarfile strips nothing here
    if mode is None:
        mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    t.type, t.mode, t.mtime, t.uid, t.gid = kind, mode, 1700000000, 0, 0
    for k, v in kw.items():
        setattr(t, k, v)
    if xattrs:
        t.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
    f = None
    if kind == tarfile.REGTYPE:
        if isinstance(data, int):
            t.size, f = data, Zeros(data)
        else:
            t.size, f = len(data), io.BytesIO(data)
    return t, f


def layer(name, entries, trailing_mib=0):
    with open(f"{out}/{name}.tar.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for t, f in entries:
                tar.addfile(t, f)
        # After the tar's end: the unpacker reads the stream to its end
        # (the diff_id covers every byte), so this counts too.
        for _ in range(trailing_mib):
            gz.write(ZEROS)


D, L, H = tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
esc = "../../../../outside"  # from STORE/layers/.tmp-X/diff to OUTSIDE

layer("control", [
    entry("data", D), entry("data/file", data=b"hello\n"),
    entry("data/link", L, linkname="/etc/passwd"),
    entry("data/hard", H, linkname="data/file"),
    entry("data/fifo", tarfile.FIFOTYPE),
    entry("etc/.wh.motd"), entry("usr/.wh..wh..opq"),
    entry("data/ro", D, mode=0o555), entry("data/ro/inside", data=b"x"),
])
layer("dotdot", [entry(esc + "/dotdot", data=b"escaped\n")])
layer("dotdot-nested", [entry("bin", D), entry("bin/../" + esc + "/dotdot-nested", data=b"escaped\n")])
layer("absolute", [entry(outside + "/absolute", data=b"escaped\n")])
layer("symlink-abs", [entry("escape", L, linkname=outside),
                      entry("escape/through-symlink", data=b"escaped\n")])
layer("symlink-rel", [entry("escape", L, linkname=esc),
                      entry("escape/through-relative", data=b"escaped\n")])
layer("symlink-dir", [entry("escape", L, linkname=outside), entry("escape/newdir", D)])
layer("hardlink-dotdot", [entry("hl", H, linkname=esc + "/target")])
layer("hardlink-abs", [entry("hl", H, linkname=outside + "/target")])
layer("hardlink-symlink", [entry("escape", L, linkname=outside),
                           entry("hl", H, linkname="escape/target")])
# bin/busybox is the base layer's: a link to it would share an inode
# between two layers' directories.
layer("hardlink-lower", [entry("hl", H, linkname="bin/busybox")])
layer("whiteout-dot", [entry("etc/.wh..")])
layer("whiteout-dotdot", [entry("etc/.wh...")])
layer("whiteout-symlink", [entry("escape", L, linkname=outside), entry("escape/.wh.target")])
layer("opaque-symlink", [entry("escape", L, linkname=outside), entry("escape/.wh..wh..opq")])
layer("device-char", [entry("dev", D), entry("dev/evil-mem", tarfile.CHRTYPE, devmajor=1, devminor=1)])
layer("device-block", [entry("dev", D), entry("dev/evil-sda", tarfile.BLKTYPE, devmajor=8, devminor=0)])
layer("xattr-trusted", [entry("data", D, xattrs={"trusted.overlay.opaque": "y"})])
layer("xattr-user", [entry("data", D, xattrs={"user.overlay.redirect": "/etc"})])
layer("xattr-fuse", [entry("file", data=b"x", xattrs={"user.fuseoverlayfs.opaque": "y"})])
layer("xattr-root", [entry("./", D, xattrs={"trusted.overlay.metacopy": "x"})])
# Three ways past the bound: one file's declared size (100 MiB, ~100 kB
# compressed); files that only add up to too much (the last header is read
# well before the tar stream itself reaches the bound, so the files' sum
# is what trips); zeros after the tar's end (100 MiB).
layer("bomb-file", [entry("zeros", data=100 * MIB)])
layer("bomb-many", [entry(f"zeros-{i:02}", data=MIB) for i in range(1, 10)] +
      [entry("zeros-10", data=2 * MIB)])
layer("bomb-trailer", [entry("small", data=b"x")], trailing_mib=100)
# For the registry of our own.
# data/ro is read-only: a staged layer holding one must still be removable.
layer("payload", [entry("data", D), entry("data/file", data=b"payload\n"),
                  entry("data/ro", D, mode=0o555), entry("data/ro/inside", data=b"x")])
PY
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# put_blob LAYOUT FILE -> "digest size"
put_blob() {
	local d s
	d=$(sha "$2")
	s=$(stat -c %s "$2")
	cp "$2" "$1/blobs/sha256/$d"
	echo "$d $s"
}

# make_image LAYOUT LAYER.tar.gz... -> "digest size" of the manifest (blobs
# written into LAYOUT).  The config is the least a pull needs.
make_image() {
	local layout=$1 layers='[]' diffids='[]' d s id f arch
	shift
	for f in "$@"; do
		read -r d s <<<"$(put_blob "$layout" "$f")"
		id=$(gzip -dc "$f" | sha256sum | cut -d' ' -f1)
		layers=$(jq -c --arg d "sha256:$d" --argjson s "$s" --arg m "$MT_LAYER" \
			'. + [{mediaType: $m, digest: $d, size: $s}]' <<<"$layers")
		diffids=$(jq -c --arg id "sha256:$id" '. + [$id]' <<<"$diffids")
	done
	case $(uname -m) in aarch64) arch=arm64 ;; *) arch=amd64 ;; esac
	jq -nc --arg arch "$arch" --argjson diffids "$diffids" \
		'{architecture: $arch, os: "linux", config: {Cmd: ["sh"]},
		  rootfs: {type: "layers", diff_ids: $diffids}}' >"$BATS_FILE_TMPDIR/build/config.json"
	read -r d s <<<"$(put_blob "$layout" "$BATS_FILE_TMPDIR/build/config.json")"
	jq -nc --arg m "$MT_MANIFEST" --arg cm "$MT_CONFIG" --arg d "sha256:$d" --argjson s "$s" \
		--argjson layers "$layers" \
		'{schemaVersion: 2, mediaType: $m, config: {mediaType: $cm, digest: $d, size: $s},
		  layers: $layers}' >"$BATS_FILE_TMPDIR/build/manifest.json"
	put_blob "$layout" "$BATS_FILE_TMPDIR/build/manifest.json"
}

# The registry of our own: the distribution API's read side, just enough
# for a pull (GET /v2/, manifests by any reference, blobs by digest), from
# SERVE/REPO/{manifest,blobs/HEX}.  It serves what is on disk, whatever the
# names say: that is the point.
SERVER_PY='
import hashlib, http.server, json, os, re, sys

root, portfile = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/v2/", "/v2"):
            return self.reply(200, b"{}")
        m = re.fullmatch(r"/v2/(?:[a-z0-9._-]+/)*([a-z0-9._-]+)/(manifests|blobs)/([A-Za-z0-9._:-]+)", path)
        if m:
            repo, kind, ref = m.groups()
            if kind == "manifests":
                f = os.path.join(root, repo, "manifest")
            else:
                f = os.path.join(root, repo, "blobs", ref.split(":")[-1])
            if os.path.isfile(f):
                body = open(f, "rb").read()
                if kind == "blobs":
                    return self.reply(200, body, "application/octet-stream")
                digest = "sha256:" + hashlib.sha256(body).hexdigest()
                return self.reply(200, body, json.loads(body)["mediaType"],
                                  [("Docker-Content-Digest", digest)])
        self.reply(404, b"{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not here\"}]}")

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
'

# serve_repo NAME CONFIG_SED LAYER_FILE...: an image for our registry in
# SERVE/NAME; CONFIG_SED (a sed expression, or "") is applied to the
# config's bytes as served, after its digest went into the manifest.
serve_repo() {
	local name=$1 config_sed=$2 dir="$BATS_FILE_TMPDIR/serve/$1" m cfg
	shift 2
	mkdir -p "$dir/blobs/sha256"
	read -r m _ <<<"$(make_image "$dir" "$@")"
	mv "$dir/blobs/sha256/$m" "$dir/manifest"
	mv "$dir/blobs/sha256/"* "$dir/blobs/"
	rmdir "$dir/blobs/sha256"
	if [ -n "$config_sed" ]; then
		cfg=$(jq -r '.config.digest' "$dir/manifest")
		sed -i "$config_sed" "$dir/blobs/${cfg#sha256:}"
	fi
}

setup_file() {
	export HOSTILE_NS="engine-test-hostile-$$-$RANDOM"
	NS=$HOSTILE_NS
	export STORE="$BATS_FILE_TMPDIR/store"
	export OUTSIDE="$BATS_FILE_TMPDIR/outside"
	local build="$BATS_FILE_TMPDIR/build" layout="$BATS_FILE_TMPDIR/oci" name m s
	mkdir -p "$build/layers" "$layout/blobs/sha256" "$OUTSIDE/dir"
	# What the entries aim at: a file to link to, overwrite or white out.
	echo sentinel >"$OUTSIDE/target"
	echo sentinel >"$OUTSIDE/dir/file"

	# tmp/ may hold other suites' leftovers, not ours to read.
	tar -C "$ROOTFS_SRC" --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner \
		--exclude='./tmp/*' -cf - . | gzip -n >"$build/layers/base.tar.gz"
	write_layers "$build/layers" "$OUTSIDE"
	# The control layer again, as two gzip members, and with its deflate
	# data damaged (the digest is of the damaged bytes: only inflating
	# can tell).
	gzip -dc "$build/layers/control.tar.gz" >"$build/control.tar"
	local half=$(($(stat -c %s "$build/control.tar") / 2))
	{ head -c "$half" "$build/control.tar" | gzip -n; tail -c +"$((half + 1))" "$build/control.tar" | gzip -n; } \
		>"$build/layers/gzip-members.tar.gz"
	cp "$build/layers/control.tar.gz" "$build/layers/gzip-corrupt.tar.gz"
	local gz_size=$(stat -c %s "$build/layers/gzip-corrupt.tar.gz")
	head -c 64 /dev/zero | dd of="$build/layers/gzip-corrupt.tar.gz" bs=1 seek=$((gz_size / 2)) \
		conv=notrunc status=none

	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	local index='[]'
	for name in $IMAGES; do
		if [ "$name" = base ]; then
			read -r m s <<<"$(make_image "$layout" "$build/layers/base.tar.gz")"
		else
			read -r m s <<<"$(make_image "$layout" "$build/layers/base.tar.gz" \
				"$build/layers/$name.tar.gz")"
		fi
		index=$(jq -c --arg mt "$MT_MANIFEST" --arg d "sha256:$m" --argjson s "$s" --arg n "$name" \
			'. + [{mediaType: $mt, digest: $d, size: $s,
			       annotations: {"org.opencontainers.image.ref.name": $n}}]' <<<"$index")
	done
	jq -nc --argjson m "$index" '{schemaVersion: 2, manifests: $m}' >"$layout/index.json"
	for name in $IMAGES; do
		skopeo copy -q --dest-tls-verify=false "oci:$layout:$name" "docker://$REG/$NS/$name:latest" ||
			{ echo "skopeo copy $name failed" >&3; return 1; }
	done

	# Our registry's images: the payload layer intact; its blob with other
	# bytes (the gzip header's mtime field: same length, same tar, same
	# diff_id, so only the digest check can tell); the config with other
	# bytes of the same length.
	local payload="$build/layers/payload.tar.gz" tampered="$build/tampered.tar.gz"
	serve_repo intact "" "$build/layers/base.tar.gz" "$payload"
	serve_repo tampered-layer "" "$build/layers/base.tar.gz" "$payload"
	cp "$payload" "$tampered"
	printf '\x01\x02\x03\x04' | dd of="$tampered" bs=1 seek=4 conv=notrunc status=none
	cmp -s <(gzip -dc "$payload") <(gzip -dc "$tampered") ||
		{ echo "the tampered blob should hold the same tar" >&3; return 1; }
	cp "$tampered" "$BATS_FILE_TMPDIR/serve/tampered-layer/blobs/$(sha "$payload")"
	serve_repo tampered-config 's/"sh"/"ls"/' "$build/layers/base.tar.gz" "$payload"

	python3 -c "$SERVER_PY" "$BATS_FILE_TMPDIR/serve" "$BATS_FILE_TMPDIR/port" \
		>"$BATS_FILE_TMPDIR/server.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/server.pid"
	for _ in $(seq 1 50); do
		[ -s "$BATS_FILE_TMPDIR/port" ] && break
		sleep 0.1
	done
	[ -s "$BATS_FILE_TMPDIR/port" ] ||
		{ echo "our registry did not start: $(cat "$BATS_FILE_TMPDIR/server.log")" >&3; return 1; }

	# The base first: every later pull finds its layer and skips it, so a
	# refused pull must leave the store exactly as it found it.
	"$ENGINE" "${engine_args[@]}" --root "$STORE" pull -q "$REG/$NS/base" >/dev/null
}

# Take the tags back (the registry has deletes on): each manifest and its
# blob links in its repository.  Some layers name this run's directory, so
# the next run pushes other blobs anyway.
teardown_file() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/server.pid" 2>/dev/null || true)
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	remove_images "$STORE"
	local name
	for name in $IMAGES; do
		registry_untag "$NS/$name" latest
	done
}

eng() {
	"$ENGINE" "${engine_args[@]}" --root "$STORE" "$@"
}

# What a refused pull must leave as it was: the image list, every path in
# the store (with its type), and everything next to the store (with mode,
# link count, size and mtime: a hardlink to OUTSIDE/target would raise
# its count, a write through a symlink its size or mtime).
snapshot() {
	echo "== images"
	eng images -q
	echo "== store"
	(cd "$STORE" && find . -printf '%p %y\n' | sort)
	echo "== next to the store"
	(cd "$BATS_FILE_TMPDIR" && find . \( -path ./store -o -path ./build -o -path ./oci -o \
		-path ./serve \) -prune -o -printf '%p %y %m %n %s %T@\n' | sort)
}

# expect_refused PATTERN REFERENCE [VAR=VALUE...]: the pull exits 125 with
# one error line matching PATTERN (a WARN line about the id mapping may
# come first) and changes nothing.
expect_refused() {
	local pattern=$1 ref=$2 before after rc errors
	shift 2
	before=$(snapshot)
	set +e
	env "$@" "$ENGINE" "${engine_args[@]}" --root "$STORE" pull -q "$ref" \
		>"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
	rc=$?
	set -e
	errors=$(grep -v '^WARN: ' "$BATS_TEST_TMPDIR/stderr" || true)
	if [ "$rc" != 125 ] || [ "$(echo "$errors" | wc -l)" != 1 ] || [[ "$errors" != "Error: "* ]] ||
		! grep -q -- "$pattern" <<<"$errors"; then
		echo "pull $ref: rc=$rc (want 125), want one error line matching '$pattern', got:" >&2
		cat "$BATS_TEST_TMPDIR/stderr" >&2
		return 1
	fi
	assert_eq "$(cat "$BATS_TEST_TMPDIR/stdout")" "" "stdout of a refused pull"
	local glob
	for glob in 'layers/.tmp-*' 'blobs/*/.tmp-*' 'blobs/*/*.tmp-*'; do
		assert_eq "$(cd "$STORE" && compgen -G "$glob" || true)" "" "$glob left by $ref"
	done
	after=$(snapshot)
	if [ "$before" != "$after" ]; then
		echo "pull $ref changed something:" >&2
		diff <(echo "$before") <(echo "$after") >&2
		return 1
	fi
}

refused() { # refused PATTERN NAME [VAR=VALUE...]
	local pattern=$1 name=$2
	shift 2
	expect_refused "$pattern" "$REG/$NS/$name" "$@"
}

@test "control: the same tar writer without anything hostile pulls" {
	run --separate-stderr eng pull -q "$REG/$NS/control"
	assert_eq "$status" 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	eng rmi "$REG/$NS/control" >/dev/null
}

@test "../ in a path escapes the layer" {
	refused 'entry \.\./\.\./\.\./\.\./outside/dotdot escapes the layer' dotdot
	refused 'entry bin/\.\./\.\./\.\./\.\./\.\./outside/dotdot-nested escapes the layer' dotdot-nested
}

@test "an absolute path escapes the layer" {
	refused "entry $OUTSIDE/absolute escapes the layer" absolute
}

@test "a symlink, then a file or a directory through it" {
	refused 'entry escape/through-symlink goes through a symlink' symlink-abs
	refused 'entry escape/through-relative goes through a symlink' symlink-rel
	refused 'entry escape/newdir/ goes through a symlink' symlink-dir
}

@test "hardlinks out of the layer: ../, absolute, through a symlink, into a lower layer" {
	refused 'entry hl: hardlink target \.\./\.\./\.\./\.\./outside/target escapes the layer' hardlink-dotdot
	refused "entry hl: hardlink target $OUTSIDE/target escapes the layer" hardlink-abs
	refused 'entry hl: hardlink target escape/target is not in this layer' hardlink-symlink
	refused 'entry hl: hardlink target bin/busybox is not in this layer' hardlink-lower
}

@test "whiteouts of . and .., and whiteouts through a symlink" {
	refused 'entry etc/\.wh\.\. is an invalid whiteout' whiteout-dot
	refused 'entry etc/\.wh\.\.\. is an invalid whiteout' whiteout-dotdot
	refused 'entry escape/\.wh\.target goes through a symlink' whiteout-symlink
	refused 'entry escape/\.wh\.\.wh\.\.opq goes through a symlink' opaque-symlink
}

# Rootless, a user namespace cannot mknod a device (the kernel says EPERM)
# and the unpacker refuses it by name first.  Real root may: with
# opts.rootless false storage/unpack.c mknods it with the entry's numbers,
# as Docker and Podman do for root (a container's /dev is a tmpfs of its
# own, so an image's nodes only matter to a process that opens them).
@test "device nodes: refused rootless, created as root" {
	if [ "$ENGINE_TEST_MODE" != root ]; then
		refused 'entry dev/evil-mem is a device node' device-char
		refused 'entry dev/evil-sda is a device node' device-block
		return 0
	fi
	local name node type
	for name in device-char:evil-mem:c device-block:evil-sda:b; do
		IFS=: read -r name node type <<<"$name"
		run --separate-stderr eng pull -q "$REG/$NS/$name"
		assert_eq "$status" 0
		[ -n "$(find "$STORE/layers" -path "*/diff/dev/$node" -type "$type")" ]
		eng rmi "$REG/$NS/$name" >/dev/null
	done
}

@test "overlay and fuse-overlayfs control xattrs are refused" {
	refused 'entry data/: xattr trusted\.overlay\.opaque controls the overlay' xattr-trusted
	refused 'entry data/: xattr user\.overlay\.redirect controls the overlay' xattr-user
	refused 'entry file: xattr user\.fuseoverlayfs\.opaque controls the overlay' xattr-fuse
	refused 'entry \./: xattr trusted\.overlay\.metacopy controls the overlay' xattr-root
}

@test "gzip bombs over ENGINE_MAX_LAYER_SIZE: one big file, many files, zeros after the tar" {
	refused "entry zeros: files add up to more than $BOMB_LIMIT bytes" bomb-file \
		ENGINE_MAX_LAYER_SIZE=$BOMB_LIMIT
	refused "entry zeros-10: files add up to more than $BOMB_LIMIT bytes" bomb-many \
		ENGINE_MAX_LAYER_SIZE=$BOMB_LIMIT
	refused "uncompressed size exceeds $BOMB_LIMIT bytes" bomb-trailer \
		ENGINE_MAX_LAYER_SIZE=$BOMB_LIMIT
}

@test "ENGINE_MAX_LAYER_SIZE is what bounds: under a higher one the layer unpacks; bad values fail" {
	local v
	for v in 10M 0 -1 " 5" 0x10 18446744073709551616; do
		refused "ENGINE_MAX_LAYER_SIZE=$v: expected a number of bytes" bomb-many \
			"ENGINE_MAX_LAYER_SIZE=$v"
	done
	ENGINE_MAX_LAYER_SIZE=$((64 << 20)) run --separate-stderr eng pull -q "$REG/$NS/bomb-many"
	assert_eq "$status" 0
	eng rmi "$REG/$NS/bomb-many" >/dev/null
}

@test "blobs whose bytes do not match their digest, from a registry of our own" {
	local port
	port=$(cat "$BATS_FILE_TMPDIR/port")
	# The control: our registry serves an intact image that pulls.
	run --separate-stderr eng pull -q "127.0.0.1:$port/$NS/intact"
	assert_eq "$status" 0
	eng rmi "127.0.0.1:$port/$NS/intact" >/dev/null
	# The layer unpacks to the very same tar (and diff_id): only the blob
	# digest tells, after the unpacker finished (a read-only directory
	# included), and nothing of it may stay.
	expect_refused "blob sha256:[0-9a-f]*: digest mismatch" "127.0.0.1:$port/$NS/tampered-layer"
	expect_refused "blob sha256:[0-9a-f]*: digest mismatch" "127.0.0.1:$port/$NS/tampered-config"
	# A manifest pulled by a digest it does not have.
	expect_refused "manifest sha256:0*1: digest mismatch" \
		"127.0.0.1:$port/$NS/intact@sha256:$(printf '%063d1' 0)"
}

@test "gzip layers: concatenated members pull; damaged deflate data is refused" {
	run --separate-stderr eng pull -q "$REG/$NS/gzip-members"
	assert_eq "$status" 0
	eng rmi "$REG/$NS/gzip-members" >/dev/null
	refused 'gzip stream incomplete or corrupt\|corrupt gzip data' gzip-corrupt
}
