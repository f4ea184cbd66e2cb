#!/bin/bash
# bench/keep-id.sh: run --userns=keep-id's ways (fuse-overlayfs with a
# uidmapping, the per-container copy of vfs) against the default mapping
# and main's keep-id, for busybox and debian:bookworm, then the cost of
# reading every file of /usr through fuse-overlayfs.  As the rootless user:
#   E=build/dev/cmd/engine M=/path/to/main/engine W=/scratch bench/keep-id.sh
set -e
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
# E: the engine under test, M: main's; the stores are scratch directories.
E=${E:?} M=${M:?}
W=${W:?}
OV=$W/store-ov VFS=$W/store-vfs MS=$W/store-main
B=127.0.0.1:5000/busybox:latest D=127.0.0.1:5000/debian:bookworm
for i in $B $D; do $E --root $OV pull -q $i >/dev/null; $E --root $VFS --storage-driver vfs pull -q $i >/dev/null; $M --root $MS pull -q $i > /dev/null; done
cd "$W"
for img in $B $D; do
  n=$([ $img = $B ] && echo 10 || echo 3)
  cb=$($E --root $VFS --storage-driver vfs create --network none --userns=keep-id $img true)
  hyperfine -N -w 1 -r $n --export-markdown $W/bench-$(basename "${img%:*}").md \
    -n "main, overlay, default" "$M --root $MS run --rm --network none $img true" \
    -n "main, overlay, keep-id (wrong owners)" "$M --root $MS run --rm --network none --userns=keep-id $img true" \
    -n "overlay, default" "$E --root $OV run --rm --network none $img true" \
    -n "fuse-overlayfs, default" "$E --root $OV --storage-driver fuse-overlayfs run --rm --network none $img true" \
    -n "keep-id, overlay store (fuse-overlayfs + uidmapping)" "$E --root $OV run --rm --network none --userns=keep-id $img true" \
    -n "keep-id, vfs store: run --rm (copy + chown each container)" "$E --root $VFS --storage-driver vfs run --rm --network none --userns=keep-id $img true" \
    -n "keep-id, vfs store: start -a of a created one (later runs)" "$E --root $VFS --storage-driver vfs start -a $cb" 2>&1 | grep -E "Benchmark|Time" 
  $E --root $VFS --storage-driver vfs rm $cb >/dev/null
done
# reading every file of /usr: the daemon's cost
hyperfine -N -w 1 -r 3 --export-markdown $W/bench-read.md \
  -n "overlay, default: tar /usr" "$E --root $OV run --rm --network none $D sh -c 'tar cf - /usr | wc -c'" \
  -n "keep-id (fuse-overlayfs + uidmapping): tar /usr" "$E --root $OV run --rm --network none --userns=keep-id $D sh -c 'tar cf - /usr | wc -c'" 2>&1 | grep -E "Benchmark|Time"
