/* commands.c: the table of every command, subcommand and flag (see
 * commands.h), and what reads it at run time: dispatch, --help and the
 * argument counts of the commands that take no flag of their own.  The
 * unit test test-commands checks each flag list here against the flags
 * the command's parser takes, so the two cannot drift. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "cmd/attach.h"
#include "cmd/commit.h"
#include "cmd/completion.h"
#include "cmd/container.h"
#include "cmd/cp.h"
#include "cmd/diff.h"
#include "cmd/exec.h"
#include "cmd/export.h"
#include "cmd/history.h"
#include "cmd/image.h"
#include "cmd/images.h"
#include "cmd/import.h"
#include "cmd/info.h"
#include "cmd/inspect.h"
#include "cmd/load.h"
#include "cmd/login.h"
#include "cmd/logs.h"
#include "cmd/manpage.h"
#include "cmd/pause.h"
#include "cmd/port.h"
#include "cmd/prune.h"
#include "cmd/ps.h"
#include "cmd/pull.h"
#include "cmd/push.h"
#include "cmd/rename.h"
#include "cmd/rm.h"
#include "cmd/rmi.h"
#include "cmd/run.h"
#include "cmd/save.h"
#include "cmd/start.h"
#include "cmd/stats.h"
#include "cmd/stop.h"
#include "cmd/system.h"
#include "cmd/tag.h"
#include "cmd/top.h"
#include "cmd/unshare.h"
#include "cmd/update.h"
#include "cmd/version.h"
#include "cmd/volume.h"
#include "cmd/wait.h"

/* ---- the flags, one list per parser ---------------------------------- */

static const struct cmd_flag no_flags[] = { { NULL } };

static const struct cmd_flag global_flags[] = {
	{ "log-level", 0, "LEVEL", "error, warn, info or debug (default warn)" },
	{ "root", 0, "DIR", "storage root (default: storage.conf's root, else per user)" },
	{ "runroot", 0, "DIR", "run state directory (default: storage.conf's runroot, else per user)" },
	{ "storage-driver", 0, "DRIVER",
	  "overlay, fuse-overlayfs or vfs (default: $STORAGE_DRIVER, storage.conf, the store's own, else detected)" },
	{ "cgroup-manager", 0, "MANAGER",
	  "systemd or cgroupfs (default: $ENGINE_CGROUP_MANAGER, else detected; see engine info)" },
	{ "version", 'v', NULL, "print the version" },
	{ NULL },
};

/* run and create: cmd/run-args.c parses them. */
static const struct cmd_flag run_flags[] = {
	{ "rootfs", 0, "DIR", "use DIR as the container's root filesystem" },
	{ "detach", 'd', NULL, "run in the background, print the container ID" },
	{ "name", 0, "NAME", "name the container" },
	{ "rm", 0, NULL, "remove the container when it exits" },
	{ "entrypoint", 0, "CMD", "override the image's entrypoint (\"\" clears it)" },
	{ "pull", 0, "POLICY", "always | missing (default) | never" },
	{ "platform", 0, "OS/ARCH[/V]", "pull this platform of a multi-arch image" },
	{ "tls-verify", 0, "[=BOOL]", "false: allow plain HTTP and unverified TLS" },
	{ "interactive", 'i', NULL, "keep STDIN open" },
	{ "tty", 't', NULL, "allocate a pseudo-TTY" },
	{ "attach", 'a', "STREAM",
	  "relay only STREAM (stdin, stdout, stderr) to the terminal; the others still reach the log" },
	{ "sig-proxy", 0, "[=BOOL]", "forward the signals the CLI gets (default true)" },
	{ "detach-keys", 0, "KEYS",
	  "with -i, detach with KEYS (default ctrl-p,ctrl-q), leaving the container running" },
	{ "env", 'e', "KEY=VALUE", "set an environment variable" },
	{ "env-file", 0, "FILE", "read environment variables from FILE" },
	{ "workdir", 'w', "DIR", "working directory inside the container" },
	{ "user", 'u', "USER[:GROUP]", "user name or uid, group name or gid" },
	{ "group-add", 0, "GROUP",
	  "add a supplementary group: a name from the image's /etc/group or a gid (keep-groups: keep your own)" },
	{ "hostname", 'h', "NAME", "container host name" },
	{ "network", 0, "MODE",
	  "slirp4netns[:OPTS] (default; also bridge) | none | host (OPTS: allow_host_loopback=true, mtu=N, cidr=)" },
	{ "net", 0, "MODE", NULL },
	{ "cap-add", 0, "CAP", "add a capability (or ALL)" },
	{ "cap-drop", 0, "CAP", "drop a capability (or ALL)" },
	{ "privileged", 0, NULL, "all capabilities, no seccomp, no masked paths" },
	{ "read-only", 0, NULL, "mount the root filesystem read-only" },
	{ "security-opt", 0, "OPT", "seccomp=unconfined|PROFILE.json, no-new-privileges" },
	{ "restart", 0, "POLICY", "no | on-failure[:N] | always | unless-stopped" },
	{ "log-driver", 0, "DRIVER", "k8s-file (default) | json-file | none" },
	{ "log-opt", 0, "KEY=VALUE", "max-size=SIZE (10k, 1m), max-file=N" },
	{ "userns", 0, "MODE",
	  "host (default) | keep-id: your uid and gid inside | auto[:size=N]: ids of its own (an image's copy)" },
	{ "init", 0, NULL, "run an init as PID 1 that forwards signals and reaps" },
	{ "ulimit", 0, "TYPE=SOFT[:HARD]", "set a resource limit (nofile, nproc, core, ...)" },
	{ "sysctl", 0, "KEY=VALUE", "set a namespaced sysctl" },
	{ "stop-signal", 0, "SIG", "signal `stop` sends (default: the image's, SIGTERM)" },
	{ "stop-timeout", 0, "N", "seconds `stop` waits before SIGKILL (default 10)" },
	{ "cidfile", 0, "FILE", "write the container ID to FILE" },
	{ "volume", 'v', "SRC:DST[:OPTS]",
	  "bind a host path or mount a named volume (SRC absent: an anonymous volume); OPTS ro,rw,z,Z,U, nocopy, [r]private|[r]shared|[r]slave" },
	{ "mount", 0, "type=bind|volume|tmpfs,source=...,target=...[,readonly,...]", "mount a bind, a volume or a tmpfs" },
	{ "tmpfs", 0, "DST[:OPTS]", "a tmpfs at DST (size=,mode=,[no]exec,[no]suid,[no]dev)" },
	{ "device", 0, "HOST[:CTR][:PERMS]", "make a host device node available" },
	{ "shm-size", 0, "SIZE", "size of /dev/shm (default 64m)" },
	{ "read-only-tmpfs", 0, "[=BOOL]", "false: with --read-only, no tmpfs on /tmp, /var/tmp, /run" },
	{ "label", 'l', "KEY=VALUE", "set a label on the container" },
	{ "label-file", 0, "FILE", "read labels from FILE (KEY=VALUE lines)" },
	{ "memory", 'm', "SIZE", "memory limit (6m and up; b, k, m, g)" },
	{ "memory-swap", 0, "SIZE", "memory plus swap (-1: unlimited swap; default twice --memory)" },
	{ "memory-reservation", 0, "SIZE", "soft memory limit (memory.low)" },
	{ "cpus", 0, "N", "CPUs the container may use (0.5: half of one)" },
	{ "cpu-shares", 0, "N", "relative CPU weight (default 1024)" },
	{ "cpu-period", 0, "US", "CFS period in microseconds (1000..1000000)" },
	{ "cpu-quota", 0, "US", "CFS quota in microseconds per period" },
	{ "cpuset-cpus", 0, "LIST", "CPUs the container may run on (0-2,4)" },
	{ "pids-limit", 0, "N",
	  "most processes (default 2048 where the pids controller is delegated; -1: unlimited)" },
	{ "cgroups", 0, "MODE", "enabled (default) | disabled | split" },
	{ "cgroup-parent", 0, "PARENT",
	  "the container's cgroup goes below PARENT: a slice (systemd: my.slice) or a path in the delegated cgroup" },
	{ "publish", 'p', "[IP:][HPORT:]CPORT[/PROTO]", "publish a container port on the host" },
	{ "publish-all", 'P', NULL, "publish every EXPOSEd port on a free host port" },
	{ "add-host", 0, "NAME:IP", "add a line to /etc/hosts (IP host-gateway: the host)" },
	{ "dns", 0, "IP", "a nameserver for /etc/resolv.conf" },
	{ "dns-search", 0, "DOMAIN", "a search domain for /etc/resolv.conf" },
	{ "dns-option", 0, "OPT", "an option for /etc/resolv.conf" },
	{ NULL },
};

static const struct cmd_flag ps_flags[] = {
	{ "all", 'a', NULL, "show all containers (default: running ones)" },
	{ "filter", 'f', "KEY=V", "name, id, status, ancestor, exited, label=KEY[=VALUE]" },
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ "last", 'n', "N", "the N newest containers" },
	{ "latest", 'l', NULL, "the newest container" },
	{ "no-trunc", 0, NULL, "full IDs and commands" },
	{ "quiet", 'q', NULL, "IDs only" },
	{ "size", 's', NULL, "the writable layer's size (and the image's)" },
	{ NULL },
};

static const struct cmd_flag start_flags[] = {
	{ "attach", 'a', NULL, "attach to the container's output" },
	{ "interactive", 'i', NULL, "attach its stdin" },
	{ "detach-keys", 0, "KEYS", "detach with KEYS (default \"ctrl-p,ctrl-q\")" },
	{ NULL },
};

static const struct cmd_flag stop_flags[] = {
	{ "time", 't', "N", "seconds to wait before SIGKILL (-1: a day)" },
	{ "timeout", 0, "N", NULL },
	{ "signal", 's', "SIG", "the signal to send first (default: the container's stop signal)" },
	{ NULL },
};

/* kill shares stop's parser: --time is accepted there and has no effect. */
static const struct cmd_flag kill_flags[] = {
	{ "signal", 's', "SIG", "the signal to send (default SIGKILL)" },
	{ "time", 0, "N", NULL },
	{ "timeout", 0, "N", NULL },
	{ NULL },
};

static const struct cmd_flag restart_flags[] = {
	{ "time", 't', "N", "seconds to wait before SIGKILL" },
	{ "timeout", 0, "N", NULL },
	{ NULL },
};

static const struct cmd_flag rm_flags[] = {
	{ "all", 'a', NULL, "remove every container (running ones too with -f)" },
	{ "force", 'f', NULL, "kill a running container first" },
	{ "volumes", 'v', NULL, "remove the container's anonymous volumes too" },
	{ NULL },
};

static const struct cmd_flag force_flags[] = {
	{ "force", 'f', NULL, "do not prompt for confirmation" },
	{ NULL },
};

static const struct cmd_flag logs_flags[] = {
	{ "follow", 'f', NULL, "follow the output" },
	{ "since", 0, "TIME", "from TIME (RFC 3339, Unix time, or a duration: 10m)" },
	{ "until", 0, "TIME", "up to TIME (same forms)" },
	{ "tail", 'n', "N", "the last N lines (\"all\")" },
	{ "timestamps", 't', NULL, "show each line's time" },
	{ NULL },
};

static const struct cmd_flag attach_flags[] = {
	{ "detach-keys", 0, "KEYS", "detach with KEYS (default \"ctrl-p,ctrl-q\")" },
	{ "no-stdin", 0, NULL, "do not attach stdin" },
	{ "sig-proxy", 0, "[=BOOL]", "proxy received signals to the container (default true)" },
	{ NULL },
};

/* Its switches take "=false" too (--tty=false), as Docker's. */
static const struct cmd_flag exec_flags[] = {
	{ "detach", 'd', "[=BOOL]", "run the command in the background" },
	{ "env", 'e', "KEY=VALUE", "set an environment variable" },
	{ "env-file", 0, "FILE", "read environment variables from FILE" },
	{ "interactive", 'i', "[=BOOL]", "keep STDIN open" },
	{ "privileged", 0, "[=BOOL]", "give the command every capability" },
	{ "tty", 't', "[=BOOL]", "allocate a pseudo-TTY" },
	{ "user", 'u', "USER[:GROUP]", "user name or uid, group name or gid" },
	{ "workdir", 'w', "DIR", "working directory inside the container" },
	{ NULL },
};

static const struct cmd_flag cp_flags[] = {
	{ "archive", 'a', NULL, "keep uid/gid" },
	{ "follow-link", 'L', NULL, "follow a symlink given as SRC_PATH" },
	{ "quiet", 'q', NULL, "print no progress (we never do)" },
	{ NULL },
};

static const struct cmd_flag commit_flags[] = {
	{ "author", 'a', "AUTHOR", "the image's author" },
	{ "change", 'c', "INSTR",
	  "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)" },
	{ "message", 'm', "MSG", "the commit message (history comment)" },
	{ "pause", 'p', "[=BOOL]", "freeze the container while committing (default true)" },
	{ NULL },
};

static const struct cmd_flag output_flags[] = {
	{ "output", 'o', "FILE", "write to FILE instead of stdout" },
	{ NULL },
};

static const struct cmd_flag pull_flags[] = {
	{ "platform", 0, "OS/ARCH[/V]", "pull this platform of a multi-arch image" },
	{ "quiet", 'q', NULL, "print only the image ID" },
	{ "tls-verify", 0, "[=BOOL]", "false: allow plain HTTP and unverified TLS" },
	{ NULL },
};

static const struct cmd_flag push_flags[] = {
	{ "quiet", 'q', NULL, "print no progress" },
	{ "tls-verify", 0, "[=BOOL]", "false: allow plain HTTP and unverified TLS" },
	{ NULL },
};

static const struct cmd_flag images_flags[] = {
	{ "all", 'a', NULL, "all images (the default: we keep no intermediate ones)" },
	{ "digests", 0, NULL, "show digests" },
	{ "filter", 'f', "KEY=V", "dangling=true|false, reference=PATTERN, label=KEY[=VALUE]" },
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ "no-trunc", 0, NULL, "full IDs" },
	{ "quiet", 'q', NULL, "IDs only" },
	{ NULL },
};

static const struct cmd_flag rmi_flags[] = {
	{ "force", 'f', NULL, "remove the image even if containers use it, and every name of it" },
	{ NULL },
};

static const struct cmd_flag inspect_flags[] = {
	{ "format", 'f', "FORMAT", "a Go template" },
	{ "type", 0, "TYPE", "container or image: look only for that" },
	{ NULL },
};

static const struct cmd_flag save_flags[] = {
	{ "output", 'o', "FILE", "write to FILE instead of stdout" },
	{ "format", 0, "FORMAT", "docker-archive (default) or oci-archive" },
	{ NULL },
};

static const struct cmd_flag load_flags[] = {
	{ "input", 'i', "FILE", "read from FILE instead of stdin" },
	{ "quiet", 'q', NULL, "suppress the load output" },
	{ NULL },
};

static const struct cmd_flag import_flags[] = {
	{ "change", 'c', "INSTR", "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, ...)" },
	{ "message", 'm', "MSG", "the commit message (history comment)" },
	{ NULL },
};

static const struct cmd_flag history_flags[] = {
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ "human", 'H', "[=BOOL]", "sizes and dates for people (default true)" },
	{ "no-trunc", 0, NULL, "full IDs and commands" },
	{ "quiet", 'q', NULL, "IDs only" },
	{ NULL },
};

static const struct cmd_flag login_flags[] = {
	{ "username", 'u', "USER", "user name" },
	{ "password", 'p', "PASS", "password" },
	{ "password-stdin", 0, NULL, "take the password from stdin" },
	{ "tls-verify", 0, "[=BOOL]", "false: allow plain HTTP and unverified TLS" },
	{ NULL },
};

static const struct cmd_flag image_prune_flags[] = {
	{ "all", 'a', NULL, "remove all unused images, not just dangling ones" },
	{ "force", 'f', NULL, "do not prompt for confirmation" },
	{ NULL },
};

static const struct cmd_flag info_flags[] = {
	{ "format", 'f', "FORMAT", "json, or a Go template: '{{.ServerVersion}}'" },
	{ NULL },
};

static const struct cmd_flag version_flags[] = {
	{ "format", 'f', "FORMAT", "json, or a Go template: '{{.Client.Version}}'" },
	{ NULL },
};

static const struct cmd_flag volume_inspect_flags[] = {
	{ "format", 'f', "FORMAT", "a Go template" },
	{ NULL },
};

static const struct cmd_flag stats_flags[] = {
	{ "all", 'a', NULL, "all containers (default: running ones)" },
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ "no-stream", 0, NULL, "print once and exit" },
	{ "no-trunc", 0, NULL, "full IDs" },
	{ NULL },
};

static const struct cmd_flag update_flags[] = {
	{ "memory", 'm', "SIZE", "memory limit" },
	{ "memory-swap", 0, "SIZE", "memory plus swap (-1: unlimited swap)" },
	{ "memory-reservation", 0, "SIZE", "soft memory limit" },
	{ "cpus", 0, "N", "CPUs the container may use" },
	{ "cpu-shares", 0, "N", "relative CPU weight" },
	{ "cpu-period", 0, "US", "CFS period in microseconds" },
	{ "cpu-quota", 0, "US", "CFS quota in microseconds" },
	{ "cpuset-cpus", 0, "LIST", "CPUs the container may run on" },
	{ "pids-limit", 0, "N", "most processes (-1: unlimited)" },
	{ NULL },
};

static const struct cmd_flag volume_create_flags[] = {
	{ "driver", 'd', "DRIVER", "the volume driver (only local)" },
	{ "label", 0, "KEY=VALUE", "set a label on the volume" },
	{ "opt", 'o', "KEY=VALUE",
	  "the local driver's options: type=tmpfs,device=tmpfs,o=size=64m (a tmpfs at each mount), or type=none,o=bind,device=/host/dir" },
	{ NULL },
};

static const struct cmd_flag volume_ls_flags[] = {
	{ "filter", 'f', "KEY=V", "name, label=KEY[=VALUE], dangling=true|false" },
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ "quiet", 'q', NULL, "names only" },
	{ NULL },
};

static const struct cmd_flag volume_rm_flags[] = {
	{ "force", 'f', NULL, "no error for a volume that does not exist" },
	{ NULL },
};

static const struct cmd_flag volume_prune_flags[] = {
	{ "all", 'a', NULL, "every unused volume (the default here too)" },
	{ "filter", 0, "KEY=V", "name, label=KEY[=VALUE], dangling=true|false" },
	{ "force", 'f', NULL, "do not prompt for confirmation" },
	{ NULL },
};

static const struct cmd_flag system_df_flags[] = {
	{ "format", 0, "FORMAT", "a Go template, \"table ...\" or \"json\"" },
	{ NULL },
};

static const struct cmd_flag system_prune_flags[] = {
	{ "all", 'a', NULL, "remove every image no container uses, not just dangling ones" },
	{ "force", 'f', NULL, "do not prompt for confirmation" },
	{ NULL },
};

/* ---- the commands ---------------------------------------------------- */

#define FLAGS_ANYWHERE .order = CMD_FLAGS_ANYWHERE
#define SIMPLE .args_checked = true, .flags = no_flags

static const struct cmd_command container_commands[] = {
	{ "attach", {}, "attach to a running container's input and output", "container attach [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_RUNNING, .flags = attach_flags, .fn = cmd_attach },
	{ "commit", {}, "make an image of a container's changes", "container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", 1, 2,
	  CMD_COMPLETE_CONTAINER, .flags = commit_flags, .fn = cmd_commit },
	{ "cp", {}, "copy files between a container and the host",
	  "container cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\ncontainer cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH", 2, 2,
	  CMD_COMPLETE_CONTAINER, .flags = cp_flags, .fn = cmd_cp,
	  .description = "Copy files between a container and the host. \"-\" as SRC_PATH reads a tar from stdin into the "
			 "directory DEST_PATH; as DEST_PATH it writes SRC_PATH as a tar to stdout." },
	{ "create", {}, "create a container without starting it", "container create [OPTIONS] IMAGE [COMMAND] [ARG...]", 1, -1,
	  CMD_COMPLETE_IMAGE, CMD_FLAGS_FIRST, .flags = run_flags, .fn = cmd_create },
	{ "diff", {}, "show a container's changes to its image", "container diff CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_diff },
	{ "exec", {}, "run a command in a running container", "container exec [OPTIONS] CONTAINER COMMAND [ARG...]", 2, -1,
	  CMD_COMPLETE_RUNNING, CMD_FLAGS_FIRST, .flags = exec_flags, .fn = cmd_exec },
	{ "export", {}, "write a container's file system as a tar archive", "container export [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, .flags = output_flags, .fn = cmd_export },
	{ "inspect", {}, "show containers as JSON", "container inspect [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = inspect_flags, .fn = cmd_container_inspect },
	{ "kill", {}, "send a signal to running containers", "container kill [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, .flags = kill_flags, .fn = cmd_kill },
	{ "logs", {}, "show a container's output", "container logs [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, .flags = logs_flags, .fn = cmd_logs },
	{ "ls", { "list", "ps" }, "list containers", "container ls [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = ps_flags, .fn = cmd_ps },
	{ "pause", {}, "pause all processes in containers", "container pause CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, SIMPLE, .fn = cmd_pause },
	{ "port", {}, "list a container's published ports", "container port CONTAINER [PRIVATE_PORT[/PROTO]]", 1, 2,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_port },
	{ "prune", {}, "remove all stopped containers", "container prune [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = force_flags, .fn = cmd_container_prune },
	{ "rename", {}, "rename a container", "container rename CONTAINER NEW_NAME", 2, 2,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_rename },
	{ "restart", {}, "stop, then start containers", "container restart [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = restart_flags, .fn = cmd_restart },
	{ "rm", { "remove" }, "remove containers", "container rm [OPTIONS] CONTAINER [CONTAINER...]", 0, -1,
	  CMD_COMPLETE_CONTAINER, .flags = rm_flags, .fn = cmd_rm },
	{ "run", {}, "run a command in a new container", "container run [OPTIONS] IMAGE [COMMAND] [ARG...]", 1, -1,
	  CMD_COMPLETE_IMAGE, CMD_FLAGS_FIRST, .flags = run_flags, .fn = cmd_run },
	{ "start", {}, "start created or stopped containers", "container start [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = start_flags, .fn = cmd_start },
	{ "stats", {}, "show containers' resource usage (CPU, memory, PIDs, I/O)", "container stats [OPTIONS] [CONTAINER...]", 0, -1,
	  CMD_COMPLETE_RUNNING, .flags = stats_flags, .fn = cmd_stats },
	{ "stop", {}, "stop running containers", "container stop [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, .flags = stop_flags, .fn = cmd_stop },
	{ "top", {}, "display the running processes of a container", "container top CONTAINER [ps OPTIONS]", 1, -1,
	  CMD_COMPLETE_RUNNING, CMD_FLAGS_FIRST, SIMPLE, .fn = cmd_top },
	{ "unpause", {}, "unpause all processes in containers", "container unpause CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_unpause },
	{ "update", {}, "change the resource limits of containers", "container update [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = update_flags, .fn = cmd_update },
	{ "wait", {}, "wait for containers to exit, print their exit codes", "container wait CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_wait },
	{ NULL },
};

static const struct cmd_command image_commands[] = {
	{ "history", {}, "show an image's history", "image history [OPTIONS] IMAGE", 1, 1,
	  CMD_COMPLETE_IMAGE, .flags = history_flags, .fn = cmd_history },
	{ "import", {}, "make an image from a rootfs tarball", "image import [OPTIONS] FILE|- [REPOSITORY[:TAG]]", 1, 2,
	  CMD_COMPLETE_FILE, .flags = import_flags, .fn = cmd_import },
	{ "inspect", {}, "show images as JSON", "image inspect [OPTIONS] IMAGE [IMAGE...]", 1, -1,
	  CMD_COMPLETE_IMAGE, .flags = inspect_flags, .fn = cmd_image_inspect },
	{ "load", {}, "read images from a tar archive", "image load [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = load_flags, .fn = cmd_load },
	{ "ls", { "list" }, "list images", "image ls [OPTIONS] [REPOSITORY[:TAG]]", 0, 1,
	  CMD_COMPLETE_IMAGE, .flags = images_flags, .fn = cmd_images },
	{ "prune", {}, "remove unused images", "image prune [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = image_prune_flags, .fn = cmd_image_prune },
	{ "pull", {}, "pull an image from a registry", "image pull [OPTIONS] NAME[:TAG|@DIGEST]", 1, 1,
	  CMD_COMPLETE_NONE, .flags = pull_flags, .fn = cmd_pull },
	{ "push", {}, "push an image to a registry", "image push [OPTIONS] IMAGE [DESTINATION]", 1, 2,
	  CMD_COMPLETE_IMAGE, .flags = push_flags, .fn = cmd_push },
	{ "rm", { "remove" }, "remove images", "image rm [OPTIONS] IMAGE [IMAGE...]", 1, -1,
	  CMD_COMPLETE_IMAGE, .flags = rmi_flags, .fn = cmd_rmi },
	{ "save", {}, "write images to a tar archive (docker-archive, oci-archive)", "image save [OPTIONS] IMAGE [IMAGE...]", 1, -1,
	  CMD_COMPLETE_IMAGE, .flags = save_flags, .fn = cmd_save },
	{ "tag", {}, "give an image another name", "image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", 2, 2,
	  CMD_COMPLETE_IMAGE, SIMPLE, .fn = cmd_tag },
	{ NULL },
};

static const struct cmd_command volume_commands[] = {
	{ "create", {}, "create a volume", "volume create [OPTIONS] [VOLUME]", 0, 1,
	  CMD_COMPLETE_NONE, .flags = volume_create_flags, .fn = cmd_volume_create },
	{ "inspect", {}, "show volumes as JSON", "volume inspect [OPTIONS] VOLUME [VOLUME...]", 1, -1,
	  CMD_COMPLETE_VOLUME, .flags = volume_inspect_flags, .fn = cmd_volume_inspect },
	{ "ls", { "list" }, "list volumes", "volume ls [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = volume_ls_flags, .fn = cmd_volume_ls },
	{ "prune", {}, "remove the volumes no container uses", "volume prune [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = volume_prune_flags, .fn = cmd_volume_prune },
	{ "rm", { "remove" }, "remove volumes", "volume rm [OPTIONS] VOLUME [VOLUME...]", 1, -1,
	  CMD_COMPLETE_VOLUME, .flags = volume_rm_flags, .fn = cmd_volume_rm },
	{ NULL },
};

static const struct cmd_command system_commands[] = {
	{ "df", {}, "show disk usage", "system df [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = system_df_flags, .fn = cmd_system_df },
	{ "prune", {}, "remove stopped containers and unused images", "system prune [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = system_prune_flags, .fn = cmd_system_prune,
	  .description = "Remove stopped containers and dangling images (with -a: every image no container uses)." },
	{ "reset", {}, "remove every container and image, and the store itself", "system reset [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = force_flags, .fn = cmd_system_reset,
	  .description = "Remove every container and image, and the store and run root." },
	{ NULL },
};

/* In the order `engine --help` lists them. */
static const struct cmd_command engine_commands[] = {
	{ "run", {}, "run a command in a new container (-d: in the background)",
	  "run [OPTIONS] IMAGE [COMMAND] [ARG...]\nrun [OPTIONS] --rootfs DIR COMMAND [ARG...]", 1, -1,
	  CMD_COMPLETE_IMAGE, CMD_FLAGS_FIRST, .flags = run_flags, .fn = cmd_run },
	{ "create", {}, "create a container without starting it", "create [OPTIONS] IMAGE [COMMAND] [ARG...]", 1, -1,
	  CMD_COMPLETE_IMAGE, CMD_FLAGS_FIRST, .flags = run_flags, .fn = cmd_create },
	{ "ps", {}, "list containers", "ps [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = ps_flags, .fn = cmd_ps },
	{ "start", {}, "start created or stopped containers", "start [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = start_flags, .fn = cmd_start },
	{ "stop", {}, "stop running containers", "stop [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, .flags = stop_flags, .fn = cmd_stop },
	{ "kill", {}, "send a signal to running containers", "kill [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, .flags = kill_flags, .fn = cmd_kill },
	{ "rm", {}, "remove containers", "rm [OPTIONS] CONTAINER [CONTAINER...]", 0, -1,
	  CMD_COMPLETE_CONTAINER, .flags = rm_flags, .fn = cmd_rm },
	{ "wait", {}, "wait for containers to exit, print their exit codes", "wait CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_wait },
	{ "logs", {}, "show a container's output", "logs [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, .flags = logs_flags, .fn = cmd_logs },
	{ "attach", {}, "attach to a running container's input and output", "attach [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_RUNNING, .flags = attach_flags, .fn = cmd_attach },
	{ "restart", {}, "stop, then start containers", "restart [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = restart_flags, .fn = cmd_restart },
	{ "exec", {}, "run a command in a running container", "exec [OPTIONS] CONTAINER COMMAND [ARG...]", 2, -1,
	  CMD_COMPLETE_RUNNING, CMD_FLAGS_FIRST, .flags = exec_flags, .fn = cmd_exec },
	{ "top", {}, "display the running processes of a container", "top CONTAINER [ps OPTIONS]", 1, -1,
	  CMD_COMPLETE_RUNNING, CMD_FLAGS_FIRST, SIMPLE, .fn = cmd_top },
	{ "container", {}, "manage containers", "container COMMAND", 0, -1,
	  CMD_COMPLETE_NONE, .flags = no_flags, .fn = cmd_container, .subcommands = container_commands },
	{ "cp", {}, "copy files between a container and the host",
	  "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\ncp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH", 2, 2,
	  CMD_COMPLETE_CONTAINER, .flags = cp_flags, .fn = cmd_cp,
	  .description = "Copy files between a container and the host. \"-\" as SRC_PATH reads a tar from stdin into the "
			 "directory DEST_PATH; as DEST_PATH it writes SRC_PATH as a tar to stdout." },
	{ "diff", {}, "show a container's changes to its image", "diff CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_diff },
	{ "commit", {}, "make an image of a container's changes", "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", 1, 2,
	  CMD_COMPLETE_CONTAINER, .flags = commit_flags, .fn = cmd_commit },
	{ "export", {}, "write a container's file system as a tar archive", "export [OPTIONS] CONTAINER", 1, 1,
	  CMD_COMPLETE_CONTAINER, .flags = output_flags, .fn = cmd_export },
	{ "rename", {}, "rename a container", "rename CONTAINER NEW_NAME", 2, 2,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_rename },
	{ "port", {}, "list a container's published ports", "port CONTAINER [PRIVATE_PORT[/PROTO]]", 1, 2,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_port },
	{ "pause", {}, "pause all processes in containers", "pause CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_RUNNING, SIMPLE, .fn = cmd_pause },
	{ "unpause", {}, "unpause all processes in containers", "unpause CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, SIMPLE, .fn = cmd_unpause },
	{ "pull", {}, "pull an image from a registry", "pull [OPTIONS] NAME[:TAG|@DIGEST]", 1, 1,
	  CMD_COMPLETE_NONE, .flags = pull_flags, .fn = cmd_pull },
	{ "images", {}, "list images (also: image ls)", "images [OPTIONS] [REPOSITORY[:TAG]]", 0, 1,
	  CMD_COMPLETE_IMAGE, .flags = images_flags, .fn = cmd_images },
	{ "rmi", {}, "remove images (also: image rm)", "rmi [OPTIONS] IMAGE [IMAGE...]", 1, -1,
	  CMD_COMPLETE_IMAGE, .flags = rmi_flags, .fn = cmd_rmi },
	{ "tag", {}, "give an image another name", "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", 2, 2,
	  CMD_COMPLETE_IMAGE, SIMPLE, .fn = cmd_tag },
	{ "inspect", {}, "show containers or images as JSON", "inspect [OPTIONS] NAME|ID [NAME|ID...]", 1, -1,
	  CMD_COMPLETE_OBJECT, .flags = inspect_flags, .fn = cmd_inspect },
	{ "push", {}, "push an image to a registry", "push [OPTIONS] IMAGE [DESTINATION]", 1, 2,
	  CMD_COMPLETE_IMAGE, .flags = push_flags, .fn = cmd_push },
	{ "save", {}, "write images to a tar archive (docker-archive, oci-archive)", "save [OPTIONS] IMAGE [IMAGE...]", 1, -1,
	  CMD_COMPLETE_IMAGE, .flags = save_flags, .fn = cmd_save },
	{ "load", {}, "read images from a tar archive", "load [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = load_flags, .fn = cmd_load },
	{ "import", {}, "make an image from a rootfs tarball", "import [OPTIONS] FILE|- [REPOSITORY[:TAG]]", 1, 2,
	  CMD_COMPLETE_FILE, .flags = import_flags, .fn = cmd_import },
	{ "history", {}, "show an image's history", "history [OPTIONS] IMAGE", 1, 1,
	  CMD_COMPLETE_IMAGE, .flags = history_flags, .fn = cmd_history },
	{ "login", {}, "log in to a registry", "login [OPTIONS] [SERVER]", 0, 1,
	  CMD_COMPLETE_NONE, .flags = login_flags, .fn = cmd_login },
	{ "logout", {}, "log out from a registry", "logout [SERVER]", 0, 1,
	  CMD_COMPLETE_NONE, SIMPLE, .fn = cmd_logout },
	{ "image", {}, "manage images", "image COMMAND", 0, -1,
	  CMD_COMPLETE_NONE, .flags = no_flags, .fn = cmd_image, .subcommands = image_commands },
	{ "volume", {}, "manage volumes", "volume COMMAND", 0, -1,
	  CMD_COMPLETE_NONE, .flags = no_flags, .fn = cmd_volume, .subcommands = volume_commands },
	{ "system", {}, "system-wide commands (df, prune, reset)", "system COMMAND", 0, -1,
	  CMD_COMPLETE_NONE, .flags = no_flags, .fn = cmd_system, .subcommands = system_commands },
	{ "info", {}, "show system-wide information", "info [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = info_flags, .fn = cmd_info },
	{ "version", {}, "show the version", "version [OPTIONS]", 0, 0,
	  CMD_COMPLETE_NONE, .flags = version_flags, .fn = cmd_version },
	{ "unshare", {}, "run a command in the containers' user namespace", "unshare [COMMAND [ARG...]]", 0, -1,
	  CMD_COMPLETE_COMMAND, CMD_FLAGS_FIRST, SIMPLE, .fn = cmd_unshare,
	  .description = "Run COMMAND (default: $SHELL) in the user namespace the containers use, with "
			 "ENGINE_STORAGE_ROOT and ENGINE_RUNROOT set to the store's locations." },
	{ "stats", {}, "show containers' resource usage (CPU, memory, PIDs, I/O)", "stats [OPTIONS] [CONTAINER...]", 0, -1,
	  CMD_COMPLETE_RUNNING, .flags = stats_flags, .fn = cmd_stats },
	{ "update", {}, "change the resource limits of containers", "update [OPTIONS] CONTAINER [CONTAINER...]", 1, -1,
	  CMD_COMPLETE_CONTAINER, .flags = update_flags, .fn = cmd_update },
	{ "completion", {}, "print a shell completion script (bash or zsh)", "completion bash|zsh", 1, 1,
	  CMD_COMPLETE_NONE, SIMPLE, .fn = cmd_completion },
	{ "help", {}, "show this help", "help", 0, -1,
	  CMD_COMPLETE_NONE, .flags = NULL, .fn = cmd_help_command, .hidden = true },
	{ "__man", {}, "write the man pages into DIR", "__man DIR", 1, 1,
	  CMD_COMPLETE_FILE, SIMPLE, .fn = cmd_man, .hidden = true },
	{ "__monitor-resume", {}, "the monitor's re-entry after a restart", "__monitor-resume ...", 0, -1,
	  CMD_COMPLETE_NONE, .flags = NULL, .fn = cmd_monitor_resume, .hidden = true },
	{ NULL },
};

const struct cmd_command cmd_engine = {
	"engine", {}, "A rootless, daemonless container engine.", "[OPTIONS] COMMAND", 1, -1,
	CMD_COMPLETE_NONE, CMD_FLAGS_FIRST, .flags = global_flags, .subcommands = engine_commands,
};

/* ---- lookup and dispatch --------------------------------------------- */

const struct cmd_command *cmd_command_find(const struct cmd_command *table, const char *name)
{
	for (const struct cmd_command *c = table; c != NULL && c->name != NULL; c++) {
		if (strcmp(c->name, name) == 0)
			return c;
		for (size_t i = 0; i < ARRAY_SIZE(c->aliases) && c->aliases[i] != NULL; i++)
			if (strcmp(c->aliases[i], name) == 0)
				return c;
	}
	return NULL;
}

const struct cmd_command *cmd_command_lookup(const char *path)
{
	const struct cmd_command *c = &cmd_engine;
	char word[64];
	for (const char *p = path; *p != '\0';) {
		size_t n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(word))
			return NULL;
		memcpy(word, p, n);
		word[n] = '\0';
		if ((c = cmd_command_find(c->subcommands, word)) == NULL)
			return NULL;
		p += n + (p[n] == ' ');
	}
	return c;
}

int cmd_dispatch(const struct cmd_command *parent, const char *parent_path, int argc,
		 char **argv, struct cmd_global *g)
{
	const struct cmd_command *c = cmd_command_find(parent->subcommands, argv[0]);
	if (c == NULL || c->fn == NULL) {
		fprintf(stderr, "Error: unknown command \"%s\" for \"engine%s%s\"\n", argv[0],
			*parent_path ? " " : "", parent_path);
		return 125;
	}
	char path[128];
	snprintf(path, sizeof(path), "%s%s%s", parent_path, *parent_path ? " " : "", c->name);
	/* A group whose next word is none of its subcommands runs its own
	 * function: its help, or the unknown-command error. */
	if (c->subcommands != NULL && argc >= 2 && cmd_command_find(c->subcommands, argv[1]) != NULL)
		return cmd_dispatch(c, path, argc - 1, argv + 1, g);
	const struct cmd_command *saved_command = g->command;
	const char *saved_path = g->path;
	g->command = c;
	g->path = path;
	int rc;
	if (!c->args_checked || cmd_parse(g, argc, argv, NULL, &rc))
		rc = c->fn(argc, argv, g);
	g->command = saved_command;
	g->path = saved_path;
	return rc;
}

/* ---- help ------------------------------------------------------------ */

/* TEXT from column INDENT, folded at word ends before column 80. */
static void print_folded(FILE *out, const char *text, int column, int indent)
{
	const char *p = text;
	while (*p != '\0') {
		int room = 79 - column;
		size_t n = strlen(p);
		if ((int)n > room) {
			n = (size_t)(room > 20 ? room : 20);
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(p, " ");
		}
		fprintf(out, "%.*s\n", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
		if (*p != '\0')
			fprintf(out, "%*s", indent, "");
		column = indent;
	}
}

static void print_flags(FILE *out, const struct cmd_flag *flags)
{
	enum { COLUMN = 30 };
	for (const struct cmd_flag *f = flags; f != NULL && f->name != NULL; f++) {
		if (f->help == NULL)
			continue;
		char left[128];
		int n = snprintf(left, sizeof(left), "  %c%c%c --%s%s%s", f->letter ? '-' : ' ',
				 f->letter ? f->letter : ' ', f->letter ? ',' : ' ', f->name,
				 f->value && !cmd_flag_value_optional(f) ? " " : "", f->value ? f->value : "");
		if (n >= COLUMN - 1)
			fprintf(out, "%s\n%*s", left, COLUMN, "");
		else
			fprintf(out, "%-*s", COLUMN, left);
		print_folded(out, f->help, COLUMN, COLUMN);
	}
	fprintf(out, "%-*s%s\n", COLUMN, "      --help", "print this help");
}

void cmd_help_print(FILE *out, const char *path)
{
	const struct cmd_command *c = cmd_command_lookup(path);
	if (c == NULL)
		return;
	const char *u = c->usage;
	fputs("Usage: engine ", out);
	while (*u != '\0') {
		size_t n = strcspn(u, "\n");
		fprintf(out, "%.*s\n", (int)n, u);
		u += n;
		if (*u == '\n' && *++u != '\0')
			fputs("       engine ", out);
	}
	if (c->description != NULL) {
		fputc('\n', out);
		print_folded(out, c->description, 0, 0);
	} else {
		fprintf(out, "\n%c%s%s\n", c == &cmd_engine ? c->summary[0] : (char)(c->summary[0] & ~0x20),
			c->summary + 1, c == &cmd_engine ? "" : ".");
	}
	if (c->flags != NULL && (c->flags[0].name != NULL || c->subcommands == NULL)) {
		fputs("\nOptions:\n", out);
		print_flags(out, c->flags);
	}
	if (c->subcommands != NULL) {
		fputs("\nCommands:\n", out);
		for (const struct cmd_command *s = c->subcommands; s->name != NULL; s++)
			if (!s->hidden)
				fprintf(out, "  %-10s %s\n", s->name, s->summary);
		if (c == &cmd_engine)
			fputs("\nRun 'engine COMMAND --help' for more information on a command.\n", out);
	}
}

int cmd_help(const char *path)
{
	cmd_help_print(stdout, path);
	return 0;
}

int cmd_help_command(int argc, char **argv, struct cmd_global *g)
{
	/* `engine help [COMMAND [SUBCOMMAND]]`, as Docker's. */
	char path[128] = "";
	const struct cmd_command *c = &cmd_engine;
	for (int i = 1; i < argc && c->subcommands != NULL; i++) {
		const struct cmd_command *s = cmd_command_find(c->subcommands, argv[i]);
		if (s == NULL)
			break;
		size_t l = strlen(path);
		snprintf(path + l, sizeof(path) - l, "%s%s", l ? " " : "", s->name);
		c = s;
	}
	(void)g;
	return cmd_help(path);
}

int cmd_group(int argc, char **argv, const char *path, int no_command_rc)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		cmd_help(path);
		return argc < 2 ? no_command_rc : 0;
	}
	fprintf(stderr, "Error: unknown command \"%s\" for \"engine %s\"\n", argv[1], path);
	return 125;
}
