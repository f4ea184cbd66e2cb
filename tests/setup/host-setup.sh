#!/usr/bin/env bash
# tests/setup/host-setup.sh: prepare a Debian 12 host (as root) for the
# engine's build, its test suites and its benchmarks.
#
# Idempotent: every step checks the current state first, so a rerun changes
# nothing and takes a few seconds.  Talks to nothing but the Debian mirror
# apt (and debootstrap) already use and the registry on 127.0.0.1.
#
#   1. installs the missing Debian packages (build deps, runtime helpers,
#      test and benchmark tools); apt output goes to $LOGDIR/apt.log
#   2. creates the test users:
#        $ENGINE_TEST_USER        (tester)       with /etc/subuid + /etc/subgid ranges
#        $ENGINE_TEST_USER_NOSUB  (tester-nosub) with no ranges at all
#      each with a home and /run/user/UID (0700)
#   3. host tweaks that rootless containers need on this kind of machine:
#      /dev/fuse + /dev/net/tun 0666, "/" shared, and (for crun) hugetlb
#      moved off the cgroup2 hierarchy
#   4. runs Debian's docker-registry on 127.0.0.1:5000 (no auth, delete on)
#   5. builds deterministic test images as an OCI layout and pushes them:
#        127.0.0.1:5000/busybox:latest    OCI manifest, 1 layer (busybox-static)
#        127.0.0.1:5000/busybox:v2s2      the same image, Docker schema2 manifest
#        127.0.0.1:5000/busybox:multi     OCI index: linux/amd64 + linux/arm64/v8
#        127.0.0.1:5000/layered:latest    3 layers: base, additions, whiteouts/opaque
#        127.0.0.1:5000/debian:bookworm   debootstrap --variant=minbase
#      and leaves the busybox rootfs as a plain directory for `run --rootfs`.
#   6. writes $STATE/env (shell-sourceable facts for test scripts) and prints
#      a summary.
#
# Knobs (environment):
#   ENGINE_TEST_USER=tester            ENGINE_TEST_USER_NOSUB=tester-nosub
#   ENGINE_TEST_SUBID_START=100000     ENGINE_TEST_SUBID_COUNT=65536
#   ENGINE_SETUP_APT=1       0: do not run apt at all
#   ENGINE_SETUP_DEBIAN=1    0: no debian:bookworm image (saves ~1.5 min fresh)
#   ENGINE_SETUP_CRUN_FIX=1  0: leave every cgroup hierarchy exactly as found
#
# It never touches /sys/fs/cgroup/memory or any existing cgroup hierarchy:
# on these machines PID 1 (not systemd) uses them.
set -euo pipefail
shopt -s inherit_errexit nullglob
umask 022
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

ENGINE_TEST_USER=${ENGINE_TEST_USER:-tester}
ENGINE_TEST_USER_NOSUB=${ENGINE_TEST_USER_NOSUB:-tester-nosub}
ENGINE_TEST_SUBID_START=${ENGINE_TEST_SUBID_START:-100000}
ENGINE_TEST_SUBID_COUNT=${ENGINE_TEST_SUBID_COUNT:-65536}
ENGINE_SETUP_APT=${ENGINE_SETUP_APT:-1}
ENGINE_SETUP_DEBIAN=${ENGINE_SETUP_DEBIAN:-1}
ENGINE_SETUP_CRUN_FIX=${ENGINE_SETUP_CRUN_FIX:-1}

REG=127.0.0.1:5000
STATE=/var/lib/engine-test              # everything we build or store
OCI=$STATE/oci                          # OCI image layout of the test images
ROOTFS_BB=$STATE/rootfs/busybox         # plain busybox rootfs directory
REGDATA=$STATE/registry                 # registry storage
STAMPS=$STATE/pushed                    # what we pushed, to skip it next time
DEB_TAR=$STATE/debian-bookworm-minbase.tar   # cached debootstrap result (= the layer tar)
LOGDIR=/var/log/engine-test
REGCONF=/etc/docker/registry/engine-test.yml
REGPID=/run/engine-test-registry.pid
REGLOG=$LOGDIR/registry.log
LOCK=/run/engine-test-setup.lock

# Fixed timestamps: every layer gets mtime EPOCH, every config CREATED, so the
# digests depend only on the content (and the Debian package versions).
EPOCH=1700000000
CREATED=2023-11-14T22:13:20Z
IMG_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_OCI_CONFIG=application/vnd.oci.image.config.v1+json
MT_OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip

T0=$(date +%s%N)
log()  { printf '[host-setup] %s\n' "$*"; }
warn() { printf '[host-setup] WARNING: %s\n' "$*" >&2; }
die()  { printf '[host-setup] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
for v in ENGINE_TEST_SUBID_START ENGINE_TEST_SUBID_COUNT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number"
done

# One run at a time (two CI jobs on one machine would race on the registry,
# the users and the OCI layout).
exec 9>"$LOCK"
flock -w 600 9 || die "another host-setup.sh holds $LOCK"

install -d -m 0755 "$STATE" "$LOGDIR"
# Scratch space on the same filesystem as $OCI so blobs can be renamed in.
TMP=$(mktemp -d "$STATE/tmp.XXXXXX")
cleanup() {
  # debootstrap mounts proc/sys inside its target; never rm -rf across a mount.
  local m
  for m in $(findmnt -rno TARGET | grep -F "$TMP/" | sort -r || true); do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT

# ===================================================================== 1. packages
PKGS=(
  # build
  gcc clang lld llvm meson ninja-build pkg-config libsubid-dev uidmap
  libcurl4-openssl-dev libjansson-dev libarchive-dev libseccomp-dev libcap-dev musl-tools
  libsystemd-dev libcmocka-dev libssl-dev zlib1g-dev
  # runtime helpers the engine execs
  fuse-overlayfs fuse3 slirp4netns
  # tests (and this script: jq, curl, skopeo, busybox-static, debootstrap)
  bats tmux jq curl attr iproute2 procps util-linux busybox-static iperf3 time python3 strace
  # completion.bats: zsh for its completion, man-db (groff) to render the pages
  zsh man-db
  docker-registry skopeo debootstrap
  # benchmarks
  hyperfine crun podman
  # login tests: a registry with htpasswd auth
  apache2-utils
  # cgroup v2 tests in a VM: tests/vm/image.sh and run.sh
  qemu-system-x86 qemu-utils
)
apt_install() {
  # Do not let maintainer scripts start services while we install: the
  # packaged docker-registry would otherwise grab :5000 with its own config.
  # Only when no policy-rc.d exists already (we never touch someone else's).
  local policy=/usr/sbin/policy-rc.d ours=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# engine host-setup.sh: no service starts during apt-get\nexit 101\n' >"$policy"
    chmod 0755 "$policy"; ours=1
  fi
  apt-get install -y -q "$@" >>"$LOGDIR/apt.log" 2>&1 || rc=$?
  if [ $ours = 1 ]; then rm -f "$policy"; fi
  return $rc
}
if [ "$ENGINE_SETUP_APT" != 0 ]; then
  mapfile -t missing < <(
    dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PKGS[@]}" 2>/dev/null |
      awk -v want="${PKGS[*]}" '$2 == "ii" { ok[$1] = 1 }
        END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!ok[w[i]]) print w[i] }'
  )
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${#missing[@]} packages: ${missing[*]} (log: $LOGDIR/apt.log)"
    # Lists may be compressed (*_Packages.lz4 here), hence the trailing glob.
    lists=(/var/lib/apt/lists/*_Packages*)
    if [ ${#lists[@]} = 0 ]; then
      apt-get update -q >>"$LOGDIR/apt.log" 2>&1 || die "apt-get update failed; see $LOGDIR/apt.log"
    fi
    if ! apt_install "${missing[@]}"; then
      # Stale lists (a package version gone from the mirror): refresh, retry once.
      apt-get update -q >>"$LOGDIR/apt.log" 2>&1 || die "apt-get update failed; see $LOGDIR/apt.log"
      apt_install "${missing[@]}" || die "apt-get install failed; see $LOGDIR/apt.log"
    fi
  fi
fi
for c in jq curl skopeo busybox docker-registry start-stop-daemon useradd usermod runuser; do
  command -v "$c" >/dev/null || die "$c is missing (run with ENGINE_SETUP_APT=1)"
done
# The image needs the static build (the dynamic "busybox" package conflicts).
[ "$(dpkg-query -W -f='${db:Status-Abbrev}' busybox-static 2>/dev/null)" = "ii " ] ||
  die "busybox-static is not installed (run with ENGINE_SETUP_APT=1)"

# ===================================================================== 2. users
# uid 1000 is already taken on these machines (cloudsdk), so never pass -u:
# useradd picks the next free uid.  useradd also allocates subordinate ranges
# on its own (SUB_UID_COUNT=65536 in login.defs) whenever /etc/subuid exists;
# switch that off with -K so that we decide every range ourselves.
ensure_user() { # ensure_user NAME
  local name=$1 gopt=()
  if ! getent passwd "$name" >/dev/null; then
    getent group "$name" >/dev/null && gopt=(-g "$name")
    useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "${gopt[@]}" "$name"
    log "created user $name (uid $(id -u "$name"))"
  fi
  local uid gid home
  uid=$(id -u "$name"); gid=$(id -g "$name")
  home=$(getent passwd "$name" | cut -d: -f6)
  [ -d "$home" ] || install -d -m 0755 -o "$uid" -g "$gid" "$home"
  # XDG_RUNTIME_DIR: there is no logind here to create it.
  install -d -m 0755 /run/user
  install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"
  chmod 0700 "/run/user/$uid"; chown "$uid:$gid" "/run/user/$uid"
}
subid_entries() { # subid_entries FILE NAME UID -> "start count" lines owned by NAME or UID
  awk -F: -v n="$2" -v u="$3" '($1 == n || $1 == u) && NF >= 3 { print $2, $3 }' "$1"
}

touch /etc/subuid /etc/subgid
chmod 0644 /etc/subuid /etc/subgid

ensure_user "$ENGINE_TEST_USER"
TUID=$(id -u "$ENGINE_TEST_USER"); TGID=$(id -g "$ENGINE_TEST_USER")
THOME=$(getent passwd "$ENGINE_TEST_USER" | cut -d: -f6)
sub_end=$((ENGINE_TEST_SUBID_START + ENGINE_TEST_SUBID_COUNT - 1))
for f in subuid subgid; do
  if [ -n "$(subid_entries /etc/$f "$ENGINE_TEST_USER" "$TUID")" ]; then
    # Already has a range (ours from an earlier run, or set up by hand): keep it.
    continue
  fi
  # Refuse to hand out ids that already belong to someone else.
  if ! awk -F: -v s="$ENGINE_TEST_SUBID_START" -v e="$sub_end" \
      'NF >= 3 && $2 <= e && $2 + $3 - 1 >= s { print "  overlaps: " $0 > "/dev/stderr"; bad = 1 }
       END { exit bad }' /etc/$f; then
    die "/etc/$f: range $ENGINE_TEST_SUBID_START-$sub_end for $ENGINE_TEST_USER overlaps an existing entry (set ENGINE_TEST_SUBID_START)"
  fi
  if [ $f = subuid ]; then
    usermod --add-subuids "$ENGINE_TEST_SUBID_START-$sub_end" "$ENGINE_TEST_USER"
  else
    usermod --add-subgids "$ENGINE_TEST_SUBID_START-$sub_end" "$ENGINE_TEST_USER"
  fi
  log "added /etc/$f range $ENGINE_TEST_SUBID_START-$sub_end for $ENGINE_TEST_USER"
done
SUBUID=$(subid_entries /etc/subuid "$ENGINE_TEST_USER" "$TUID" | head -n1)
SUBGID=$(subid_entries /etc/subgid "$ENGINE_TEST_USER" "$TUID" | head -n1)
if [ "${SUBUID#* }" -lt 65536 ] || [ "${SUBGID#* }" -lt 65536 ]; then
  warn "$ENGINE_TEST_USER has fewer than 65536 subordinate ids (subuid: $SUBUID, subgid: $SUBGID)"
fi

# The second user must have no subordinate ids at all (tests of the
# single-id-mapping fallback).  Remove any that an older useradd handed out.
ensure_user "$ENGINE_TEST_USER_NOSUB"
NUID=$(id -u "$ENGINE_TEST_USER_NOSUB")
for f in subuid subgid; do
  while read -r s c; do
    [ -n "$s" ] || continue
    if [ $f = subuid ]; then usermod --del-subuids "$s-$((s + c - 1))" "$ENGINE_TEST_USER_NOSUB"
    else usermod --del-subgids "$s-$((s + c - 1))" "$ENGINE_TEST_USER_NOSUB"; fi
    log "removed /etc/$f range $s+$c of $ENGINE_TEST_USER_NOSUB"
  done < <(subid_entries /etc/$f "$ENGINE_TEST_USER_NOSUB" "$NUID")
  [ -z "$(subid_entries /etc/$f "$ENGINE_TEST_USER_NOSUB" "$NUID")" ] ||
    die "could not remove the /etc/$f entries of $ENGINE_TEST_USER_NOSUB"
done

# ===================================================================== 3. host tweaks
# fuse-overlayfs needs /dev/fuse and slirp4netns needs /dev/net/tun usable by
# unprivileged users; on these machines they come up 0600 (a distro has 0666).
[ -e /dev/fuse ] || mknod -m 0666 /dev/fuse c 10 229
[ -e /dev/net/tun ] || { install -d -m 0755 /dev/net; mknod -m 0666 /dev/net/tun c 10 200; }
chmod 0666 /dev/fuse /dev/net/tun

# "/" is a private mount here.  Shared (or slave) propagation for volumes needs
# a shared parent; only "/" itself changes (not recursive).
if [ "$(findmnt -no PROPAGATION /)" != shared ]; then
  mount --make-shared /
  log "made / a shared mount (non-recursive)"
fi

# crun 1.8 refuses every container on a v1/v2 hybrid whose cgroup2 root still
# offers a controller ("cgroups in hybrid mode not supported, drop all
# controllers from cgroupv2").  Here that controller is hugetlb.  Binding it to
# a NEW v1 hierarchy empties cgroup2's list; no existing hierarchy is touched.
if [ "$ENGINE_SETUP_CRUN_FIX" != 0 ] && [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] &&
   [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null || true)" = cgroup2fs ]; then
  read -r -a v2ctl </sys/fs/cgroup/unified/cgroup.controllers || true
  for c in "${v2ctl[@]}"; do
    if [ "$c" != hugetlb ]; then
      warn "cgroup2 still offers '$c'; crun will refuse to run (not changing it)"
      continue
    fi
    if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.subtree_control)" ]; then
      warn "cgroup2 has subtree_control set; not moving hugetlb"; continue
    fi
    if mountpoint -q /sys/fs/cgroup/hugetlb; then
      warn "/sys/fs/cgroup/hugetlb is already a mount; not touching it"; continue
    fi
    mkdir -p /sys/fs/cgroup/hugetlb
    if mount -t cgroup -o rw,nosuid,nodev,noexec,relatime,hugetlb cgroup /sys/fs/cgroup/hugetlb; then
      log "bound hugetlb to a new v1 hierarchy (/sys/fs/cgroup/hugetlb) for crun"
    else
      rmdir /sys/fs/cgroup/hugetlb 2>/dev/null || true
      warn "could not bind hugetlb to v1; crun will fail here"
    fi
  done
fi

# ===================================================================== 4. registry
curl_reg() { curl --noproxy '*' -fsS -m 10 "$@"; }
reg_up() { curl_reg -o /dev/null "http://$REG/v2/" 2>/dev/null; }
reg_ours() { # our pidfile names a live docker-registry process
  local pid
  [ -s "$REGPID" ] && pid=$(cat "$REGPID") && [[ $pid =~ ^[0-9]+$ ]] &&
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/bin/docker-registry ]
}

# Our own config: the packaged config.yml listens on :5000 on every address
# and turns on htpasswd auth.  We want loopback only, no auth, and deletes
# (tests exercise `rmi` against the registry).
new_conf=$(cat <<EOF
# engine test registry, written by tests/setup/host-setup.sh
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $REGDATA
  delete:
    enabled: true
http:
  addr: $REG
  headers:
    X-Content-Type-Options: [nosniff]
EOF
)
conf_changed=0
if [ ! -f "$REGCONF" ] || [ "$(cat "$REGCONF")" != "$new_conf" ]; then
  install -d -m 0755 "$(dirname "$REGCONF")"
  printf '%s\n' "$new_conf" >"$REGCONF.new" && mv "$REGCONF.new" "$REGCONF"
  conf_changed=1
fi
install -d -m 0755 -o docker-registry -g docker-registry "$REGDATA"

if reg_ours && [ $conf_changed = 1 ]; then
  log "registry config changed; restarting it"
  start-stop-daemon --stop --quiet --pidfile "$REGPID" --exec /usr/bin/docker-registry --retry 10 || true
  rm -f "$REGPID"
fi
if reg_ours; then
  # Ours: give a just-started one a moment before calling it broken.
  for _ in $(seq 1 25); do reg_up && break; sleep 0.2; done
  reg_up || die "our registry (pid $(cat "$REGPID")) does not answer on $REG; see $REGLOG"
else
  rm -f "$REGPID"
  if reg_up || ss -Hltn 'sport = :5000' | grep -q .; then
    die "something we did not start listens on port 5000 ($(ss -Hltnp 'sport = :5000' | tr -s ' ' | head -n2 | tr '\n' ' ')); stop it first (e.g. the lab registry: kill \$(cat /run/lab-registry.pid))"
  fi
  touch "$REGLOG"; chown docker-registry:docker-registry "$REGLOG"
  start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$REGPID" \
    --chuid docker-registry:docker-registry --chdir / --output "$REGLOG" \
    --exec /usr/bin/docker-registry -- serve "$REGCONF"
  for _ in $(seq 1 50); do reg_up && break; sleep 0.2; done
  reg_up || die "the registry did not come up; last lines of $REGLOG: $(tail -n5 "$REGLOG")"
  log "started the registry on $REG (pid $(cat "$REGPID"))"
fi

# ===================================================================== 5. images
# Built by hand into an OCI layout: layers are tar (sorted names, fixed mtime,
# numeric owners, GNU format, member names without "./") | gzip -n; configs
# and manifests are compact jq output.  Same content => same digests.
install -d -m 0755 "$OCI" "$OCI/blobs" "$OCI/blobs/sha256" "$STAMPS" "$STATE/rootfs"
printf '{"imageLayoutVersion":"1.0.0"}' >"$TMP/oci-layout"
cmp -s "$TMP/oci-layout" "$OCI/oci-layout" || mv "$TMP/oci-layout" "$OCI/oci-layout"

sha() { sha256sum "$1" | cut -d' ' -f1; }
put_blob() { # put_blob FILE -> "digest size"; FILE is consumed
  local d s; d=$(sha "$1"); s=$(stat -c %s "$1")
  if [ -e "$OCI/blobs/sha256/$d" ]; then rm -f "$1"
  else chmod 0644 "$1"; mv "$1" "$OCI/blobs/sha256/$d"; fi
  echo "$d $s"
}
tar_dir() { # tar_dir DIR OUT: the deterministic tar of DIR's contents
  local names
  mapfile -t names < <(cd "$1" && ls -A)
  tar -C "$1" --sort=name --mtime=@$EPOCH --numeric-owner --format=gnu -cf "$2" -- "${names[@]}"
}
layer_from_tar() { # layer_from_tar TAR -> "digest size diffid"; TAR is kept
  local diffid out
  diffid=$(sha "$1")
  gzip -n -6 -c "$1" >"$TMP/layer.gz"
  out=$(put_blob "$TMP/layer.gz")
  echo "$out $diffid"
}
mk_layer() { # mk_layer DIR -> "digest size diffid"
  tar_dir "$1" "$TMP/layer.tar"
  layer_from_tar "$TMP/layer.tar"
  rm -f "$TMP/layer.tar"
}
mk_image() { # mk_image ARCH VARIANT CMD_JSON LAYER... -> "digest size" of the manifest
  local arch=$1 variant=$2 cmd=$3; shift 3
  local layers='[]' diffids='[]' d s id cfg
  for spec in "$@"; do
    read -r d s id <<<"$spec"
    layers=$(jq -c --arg d "sha256:$d" --argjson s "$s" --arg m "$MT_OCI_LAYER" \
      '. + [{mediaType: $m, digest: $d, size: $s}]' <<<"$layers")
    diffids=$(jq -c --arg id "sha256:$id" '. + [$id]' <<<"$diffids")
  done
  jq -nc --arg created "$CREATED" --arg arch "$arch" --arg variant "$variant" \
      --arg path "PATH=$IMG_PATH" --argjson cmd "$cmd" --argjson diffids "$diffids" '
    {created: $created, architecture: $arch}
    + (if $variant != "" then {variant: $variant} else {} end)
    + {os: "linux",
       config: {Env: [$path], Cmd: $cmd, WorkingDir: "/"},
       rootfs: {type: "layers", diff_ids: $diffids},
       history: [$diffids[] | {created: $created, created_by: ("engine test layer " + .[7:19])}]}' \
    >"$TMP/config.json"
  cfg=$(put_blob "$TMP/config.json")
  read -r d s <<<"$cfg"
  jq -nc --arg m "$MT_OCI_MANIFEST" --arg cm "$MT_OCI_CONFIG" --arg d "sha256:$d" \
      --argjson s "$s" --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: $m, config: {mediaType: $cm, digest: $d, size: $s}, layers: $layers}' \
    >"$TMP/manifest.json"
  put_blob "$TMP/manifest.json"
}

# ---- busybox rootfs (staged; the layer is built from it)
BB=$TMP/busybox
install -d "$BB"/{bin,dev,etc,home,proc,sys,usr,var,var/www}
install -d -m 0700 "$BB/root"
install -d -m 1777 "$BB/tmp"
install -m 0755 /bin/busybox "$BB/bin/busybox"
for a in $(/bin/busybox --list); do
  [ "$a" = busybox ] || ln -s busybox "$BB/bin/$a"
done
ln -s ../bin "$BB/usr/bin"
ln -s ../bin "$BB/usr/sbin"
ln -s bin "$BB/sbin"
cat >"$BB/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
tester:x:1000:1000:tester:/home/tester:/bin/sh
EOF
cat >"$BB/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
tester:x:1000:
extra:x:2000:tester
EOF
echo 'engine test busybox image' >"$BB/etc/motd"
echo '<h1>hello from the engine test busybox image</h1>' >"$BB/var/www/index.html"
L_BB=$(mk_layer "$BB")
M_BB=$(mk_image amd64 "" '["/bin/sh"]' "$L_BB")

# The plain directory copy for `engine run --rootfs`.  Tests copy it as the
# test user, so it must be readable by all: /root is 0755 there (0700 in the
# image).  Replaced (by rename) only when its content differs.
chmod 0755 "$BB/root"
tar_dir "$BB" "$TMP/want.tar"
if [ -d "$ROOTFS_BB" ]; then tar_dir "$ROOTFS_BB" "$TMP/have.tar"; fi
if ! { [ -f "$TMP/have.tar" ] && cmp -s "$TMP/want.tar" "$TMP/have.tar"; }; then
  chmod 0755 "$BB"
  [ ! -e "$ROOTFS_BB" ] || mv "$ROOTFS_BB" "$TMP/old-rootfs"
  mv "$BB" "$ROOTFS_BB"
  log "wrote the busybox rootfs directory $ROOTFS_BB"
fi
rm -f "$TMP/want.tar" "$TMP/have.tar"

# ---- busybox:multi: linux/amd64 (the real image) + linux/arm64/v8 (the same
# layer under an arm64 config; only for platform selection, it cannot run)
M_ARM=$(mk_image arm64 v8 '["/bin/sh"]' "$L_BB")
read -r d_amd s_amd <<<"$M_BB"
read -r d_arm s_arm <<<"$M_ARM"
jq -nc --arg m "$MT_OCI_INDEX" --arg mm "$MT_OCI_MANIFEST" \
    --arg a "sha256:$d_amd" --argjson asz "$s_amd" --arg r "sha256:$d_arm" --argjson rsz "$s_arm" \
  '{schemaVersion: 2, mediaType: $m, manifests: [
     {mediaType: $mm, digest: $a, size: $asz, platform: {architecture: "amd64", os: "linux"}},
     {mediaType: $mm, digest: $r, size: $rsz, platform: {architecture: "arm64", os: "linux", variant: "v8"}}]}' \
  >"$TMP/index.json"
M_MULTI=$(put_blob "$TMP/index.json")

# ---- layered:latest
#  layer 1: busybox
#  layer 2: /data/{a,b,c}, hardlink c-hardlink, symlink link-to-b, fifo,
#           setuid suid-file (4755), owned-1000 (1000:1000),
#           nobody-dir (65534:65534, 0750) with a file, dir/x, dir/sub/z
#  layer 3: whiteout data/a, opaque data/dir (+ dir/y), b changed to b-v2,
#           whiteout etc/motd (a file of layer 1)
#  expected view: no /data/a, /data/dir = {y}, /data/b = b-v2, no /etc/motd
L2=$TMP/layer2
L3=$TMP/layer3
install -d "$L2/data/dir/sub" "$L3/data/dir" "$L3/etc"
echo a >"$L2/data/a"
echo b-v1 >"$L2/data/b"
echo c >"$L2/data/c"
ln "$L2/data/c" "$L2/data/c-hardlink"
ln -s b "$L2/data/link-to-b"
mkfifo "$L2/data/fifo"
echo suid >"$L2/data/suid-file"; chmod 4755 "$L2/data/suid-file"
echo u1000 >"$L2/data/owned-1000"; chown 1000:1000 "$L2/data/owned-1000"
install -d -m 0750 -o 65534 -g 65534 "$L2/data/nobody-dir"
echo n >"$L2/data/nobody-dir/n"; chown 65534:65534 "$L2/data/nobody-dir/n"
echo x >"$L2/data/dir/x"
echo z >"$L2/data/dir/sub/z"
: >"$L3/data/.wh.a"
: >"$L3/data/dir/.wh..wh..opq"
echo y >"$L3/data/dir/y"
echo b-v2 >"$L3/data/b"
: >"$L3/etc/.wh.motd"
M_LAYERED=$(mk_image amd64 "" '["/bin/sh"]' "$L_BB" "$(mk_layer "$L2")" "$(mk_layer "$L3")")

# ---- debian:bookworm (debootstrap minbase), into the layout
# Entry of a ref in the current index.json, if its manifest blob is still there.
layout_ref() { # layout_ref REF -> "mediaType digest size" or nothing
  [ -f "$OCI/index.json" ] || return 0
  local l
  l=$(jq -r --arg r "$1" '.manifests[]? | select(.annotations["org.opencontainers.image.ref.name"] == $r)
        | "\(.mediaType) \(.digest | sub("^sha256:"; "")) \(.size)"' "$OCI/index.json" | head -n1)
  if [ -n "$l" ] && [ -f "$OCI/blobs/sha256/$(cut -d' ' -f2 <<<"$l")" ]; then echo "$l"; fi
}
ACCEPT=(-H "Accept: $MT_OCI_MANIFEST" -H "Accept: $MT_OCI_INDEX"
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'
        -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json')
reg_digest() { # reg_digest NAME:TAG -> "sha256:..." or nothing if absent
  curl_reg -I "${ACCEPT[@]}" "http://$REG/v2/${1%%:*}/manifests/${1#*:}" 2>/dev/null |
    awk -F': ' 'tolower($1) == "docker-content-digest" { sub(/\r$/, "", $2); print $2 }' || true
}
debian_mirror() { # the mirror apt uses here (deb822 sources first, then sources.list)
  local m f
  for f in /etc/apt/sources.list.d/*.sources; do
    m=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$f")
    [ -z "$m" ] || { echo "$m"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    m=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
    [ -z "$m" ] || { echo "$m"; return; }
  done
  echo http://deb.debian.org/debian
}
M_DEBIAN=""
D_MT=$MT_OCI_MANIFEST
prev=$(layout_ref debian:bookworm)
if [ -n "$prev" ]; then
  # Already in the layout (kept even with ENGINE_SETUP_DEBIAN=0: never throw
  # away a minute of debootstrap).
  D_MT=${prev%% *}
  M_DEBIAN=${prev#* }
elif [ "$ENGINE_SETUP_DEBIAN" != 0 ]; then
  if [ -n "$(reg_digest debian:bookworm)" ]; then
    # The registry has it but the layout does not: copy it over (local, fast).
    log "copying debian:bookworm from the registry into the OCI layout"
    curl_reg "${ACCEPT[@]}" -o "$TMP/manifest.json" "http://$REG/v2/debian/manifests/bookworm"
    for d in $(jq -r '.config.digest, .layers[].digest' "$TMP/manifest.json"); do
      curl_reg -o "$TMP/blob" "http://$REG/v2/debian/blobs/$d"
      [ "sha256:$(sha "$TMP/blob")" = "$d" ] || die "registry blob $d of debian:bookworm is corrupt"
      put_blob "$TMP/blob" >/dev/null
    done
    D_MT=$(jq -r '.mediaType // empty' "$TMP/manifest.json")
    [ -n "$D_MT" ] || D_MT=$MT_OCI_MANIFEST
    M_DEBIAN=$(put_blob "$TMP/manifest.json")
  else
    if [ ! -s "$DEB_TAR" ]; then
      R=$TMP/debian
      mirror=$(debian_mirror)
      log "debootstrap --variant=minbase bookworm from $mirror (about 1-1.5 min; log: $LOGDIR/debootstrap.log)"
      t=$(date +%s)
      debootstrap --variant=minbase bookworm "$R" "$mirror" >"$LOGDIR/debootstrap.log" 2>&1 ||
        die "debootstrap failed; see $LOGDIR/debootstrap.log"
      log "debootstrap took $(($(date +%s) - t)) s"
      ! findmnt -rno TARGET | grep -qF "$R/" || die "debootstrap left mounts under $R"
      # No caches, lists or device nodes in an image; resolv.conf and hostname
      # are the host's (copied by debootstrap) and the engine provides its own.
      rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* \
             "$R"/etc/resolv.conf "$R"/etc/hostname
      find "$R/dev" -mindepth 1 -delete
      # The cache is the uncompressed layer itself (deterministic tar).
      tar_dir "$R" "$TMP/debian.tar"
      mv "$TMP/debian.tar" "$DEB_TAR"
      rm -rf --one-file-system "$R"
    fi
    log "building debian:bookworm from $DEB_TAR"
    M_DEBIAN=$(mk_image amd64 "" '["/bin/bash"]' "$(layer_from_tar "$DEB_TAR")")
  fi
fi

# ---- the layout's index.json: one entry per ref, fixed order
{
  printf '%s %s %s\n' busybox:latest "$MT_OCI_MANIFEST" "$M_BB"
  printf '%s %s %s\n' busybox:multi "$MT_OCI_INDEX" "$M_MULTI"
  printf '%s %s %s\n' layered:latest "$MT_OCI_MANIFEST" "$M_LAYERED"
  if [ -n "$M_DEBIAN" ]; then
    printf '%s %s %s\n' debian:bookworm "$D_MT" "$M_DEBIAN"
  fi
} | jq -R -s -c '{schemaVersion: 2, manifests: [split("\n")[] | select(. != "") | split(" ") |
      {mediaType: .[1], digest: ("sha256:" + .[2]), size: (.[3] | tonumber),
       annotations: {"org.opencontainers.image.ref.name": .[0]}}]}' >"$TMP/oci-index.json"
if ! cmp -s "$TMP/oci-index.json" "$OCI/index.json"; then
  chmod 0644 "$TMP/oci-index.json"
  mv "$TMP/oci-index.json" "$OCI/index.json"
fi

# Drop blobs nothing refers to any more (e.g. after a busybox-static upgrade).
blob_refs() { # blob_refs DIGEST: the digest and everything it references
  local f=$OCI/blobs/sha256/${1#sha256:}
  echo "${1#sha256:}"
  [ -f "$f" ] || return 0
  local d
  for d in $(jq -r '(.config.digest // empty), (.layers[]?.digest), (.manifests[]?.digest)' "$f" 2>/dev/null); do
    blob_refs "$d"
  done
}
declare -A keep=()
for d in $(jq -r '.manifests[].digest' "$OCI/index.json"); do
  for k in $(blob_refs "$d"); do keep[$k]=1; done
done
for f in "$OCI"/blobs/sha256/*; do
  [ -n "${keep[${f##*/}]:-}" ] || rm -f "$f"
done

# ---- push what the registry does not have yet
# For OCI pushes the registry digest must equal the layout's.  The v2s2 copy is
# converted by skopeo, so we remember "source-digest registry-digest" in
# $STAMPS and skip while both still match.
push() { # push LAYOUT_REF NAME:TAG [skopeo args...]
  local src=$1 dst=$2; shift 2
  local want cur stamp=$STAMPS/${dst//[:\/]/_}
  want=sha256:$(layout_ref "$src" | cut -d' ' -f2)
  cur=$(reg_digest "$dst")
  if [ -n "$cur" ] && { [ "$cur" = "$want" ] || [ "$(cat "$stamp" 2>/dev/null)" = "$want $cur" ]; }; then
    return 0
  fi
  skopeo copy -q --dest-tls-verify=false "$@" "oci:$OCI:$src" "docker://$REG/$dst" ||
    die "skopeo copy oci:$OCI:$src docker://$REG/$dst failed"
  cur=$(reg_digest "$dst")
  [ -n "$cur" ] || die "$REG/$dst is missing right after the push"
  echo "$want $cur" >"$stamp"
  log "pushed $REG/$dst ($cur)"
}
push busybox:latest busybox:latest --preserve-digests
push busybox:latest busybox:v2s2 --format v2s2
push busybox:multi busybox:multi --all --preserve-digests
push layered:latest layered:latest --preserve-digests
# debian:bookworm: whenever the registry has that tag at all, leave it alone.
if [ "$ENGINE_SETUP_DEBIAN" != 0 ] && [ -n "$M_DEBIAN" ] && [ -z "$(reg_digest debian:bookworm)" ]; then
  push debian:bookworm debian:bookworm --preserve-digests
fi

# Everything under $STATE is readable by the test users (the layout is used
# directly by tests); the registry's storage stays the registry's.
chmod 0755 "$STATE" "$STATE/rootfs"
find "$OCI" \( -type d ! -perm 0755 -exec chmod 0755 {} + \) -o \( -type f ! -perm 0644 -exec chmod 0644 {} + \)

# ===================================================================== 6. env + summary
# A file test scripts can source instead of re-deriving all of this.
IMAGES=(busybox:latest busybox:v2s2 busybox:multi layered:latest)
[ -z "$(reg_digest debian:bookworm)" ] || IMAGES+=(debian:bookworm)
{
  echo "# written by tests/setup/host-setup.sh; source it"
  echo "ENGINE_TEST_REGISTRY=$REG"
  echo "ENGINE_TEST_USER=$ENGINE_TEST_USER"
  echo "ENGINE_TEST_UID=$TUID"
  echo "ENGINE_TEST_GID=$TGID"
  echo "ENGINE_TEST_HOME=$THOME"
  echo "ENGINE_TEST_SUBUID='$SUBUID'"
  echo "ENGINE_TEST_SUBGID='$SUBGID'"
  echo "ENGINE_TEST_USER_NOSUB=$ENGINE_TEST_USER_NOSUB"
  echo "ENGINE_TEST_NOSUB_UID=$NUID"
  echo "ENGINE_TEST_OCI=$OCI"
  echo "ENGINE_TEST_ROOTFS_BUSYBOX=$ROOTFS_BB"
  echo "ENGINE_TEST_IMAGES='${IMAGES[*]}'"
  for i in "${IMAGES[@]}"; do
    v=${i//[:.-]/_}
    echo "ENGINE_TEST_DIGEST_${v^^}=$(reg_digest "$i")"
  done
} >"$TMP/env"
chmod 0644 "$TMP/env"
cmp -s "$TMP/env" "$STATE/env" || mv "$TMP/env" "$STATE/env"

log "user $ENGINE_TEST_USER uid $TUID gid $TGID home $THOME, XDG_RUNTIME_DIR /run/user/$TUID"
log "  subuid $SUBUID, subgid $SUBGID (start count)"
log "user $ENGINE_TEST_USER_NOSUB uid $NUID, no subordinate ids"
log "registry http://$REG pid $(cat "$REGPID"), log $REGLOG, storage $REGDATA"
for i in "${IMAGES[@]}"; do log "  $REG/$i $(reg_digest "$i")"; done
log "OCI layout $OCI (refs: $(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(" ")' "$OCI/index.json"))"
log "busybox rootfs dir $ROOTFS_BB; facts for scripts: $STATE/env"
ms=$((($(date +%s%N) - T0) / 1000000))
log "done in $((ms / 1000)).$((ms % 1000 / 100)) s"
