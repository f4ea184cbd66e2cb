/* seccomp-default.c: the built-in default seccomp profile, as data.
 *
 * Why a C table and not an embedded JSON file: the table is checked by the
 * compiler, needs no parsing at container start, and cannot fail to load.
 * seccomp.c turns it into the same profile structure a JSON profile parses
 * into, so there is one compile path for both.
 *
 * The policy follows the one Podman ships (containers-common seccomp.json),
 * itself derived from Docker's; the lists below were written from what those
 * profiles document, not copied:
 *
 *   - Syscalls nobody listed fail with ENOSYS (the default action).  ENOSYS,
 *     not EPERM, because programs and libcs treat ENOSYS as "this kernel is
 *     too old" and fall back (glibc's clone3 -> clone, statx -> fstatat...),
 *     whereas EPERM makes them give up.
 *   - Syscalls that need a capability are allowed when the container keeps
 *     that capability and fail with EPERM when it does not: EPERM is what
 *     the kernel itself would answer, so software handles it.
 *   - A short list of syscalls that are dangerous or obsolete fails with
 *     EPERM whatever the capabilities.
 *   - Newer syscalls that libseccomp does not know yet are named anyway;
 *     the compiler skips names it cannot resolve, so a libseccomp upgrade
 *     picks them up without touching this file.
 *
 * The container setup code loads the filter while it still holds
 * CAP_SYS_ADMIN in its user namespace and only then calls capset,
 * setresuid/setresgid, setgroups, prctl, close_range, fcntl, close and
 * execveat (the sealed exec stub, which makes prctl, fcntl, execve and
 * sendto); all of those are in the unconditional allow-list, and the unit
 * test checks that they stay there. */
#include <seccomp.h>

#include "libengine/runtime/seccomp-default.h"

#include <errno.h>
#include <linux/capability.h>

#include "common/cleanup.h"

#define CAP_BIT(cap) (UINT64_C(1) << (cap))

/* Allowed for everyone.  Includes the 32-bit (x86, arm) spellings, since the
 * filter also covers the compat architectures a 64-bit host can run. */
static const char *const allowed_always[] = {
	"_llseek", "_newselect", "accept", "accept4", "access",
	/* adjtimex/clock_adjtime with modes == 0 only read the clock state
	 * (glibc's ntp_gettime, chronyc); any change needs CAP_SYS_TIME in the
	 * initial user namespace, which a rootless container never has, and
	 * the argument is a pointer seccomp cannot inspect. */
	"adjtimex", "alarm", "arch_prctl", "arm_fadvise64_64", "arm_sync_file_range",
	"bind", "breakpoint", "brk", "cachestat", "cacheflush", "capget", "capset", "chdir",
	"chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
	"dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit",
	"exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
	"fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "file_getattr",
	"file_setattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat",
	"fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
	"futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake",
	"futimesat", "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd",
	"getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
	"getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
	"getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname",
	"getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
	"io_submit",
	/* Podman allows io_uring (Docker does not); the kernel has its own
	 * io_uring_disabled sysctl for hosts that want it off. */
	"io_uring_enter", "io_uring_register", "io_uring_setup", "ioctl", "ioprio_get",
	"ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
	"listmount", "listxattr", "listxattrat", "llistxattr", "lremovexattr", "lseek",
	"lsetxattr", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "lstat",
	"lstat64", "madvise", "map_shadow_stack", "mbind", "membarrier", "memfd_create",
	"mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap",
	"mmap2", "modify_ldt", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	"mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
	"munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "nice", "open", "openat",
	"openat2", "pause", "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "process_madvise", "process_mrelease",
	"pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
	"readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
	"recvmsg", "remap_file_pages", "removexattr", "removexattrat", "rename", "renameat",
	"renameat2", "restart_syscall", "riscv_flush_icache", "riscv_hwprobe", "rmdir", "rseq",
	"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
	"sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield",
	/* Nested sandboxes (browsers, systemd units) stack their own filters;
	 * a stacked filter can only restrict further. */
	"seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64",
	"send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
	"set_mempolicy_home_node", "set_robust_list", "set_thread_area", "set_tid_address",
	"set_tls", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
	"setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
	"setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
	"setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr",
	"setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaction",
	"sigaltstack", "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask",
	"sigreturn", "sigsuspend", "socket", "socketcall", "socketpair", "splice", "stat",
	"stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "sync_file_range2", "syncfs", "sysinfo", "tee", "tgkill", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
	"truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	/* Without it, processes traced by uprobe-based eBPF tools crash. */
	"uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
	"wait4", "waitid", "waitpid", "write", "writev",
	NULL,
};

/* EPERM whatever the capabilities: kernel-global state no container should
 * touch (kexec, swap, the kernel keyring, which is not namespaced), obsolete
 * interfaces kept only for attack surface (uselib, ustat, sysfs, vm86,
 * _sysctl, bdflush, nfsservctl, the old module calls), and userfaultfd,
 * which turns kernel races into reliable exploits. */
static const char *const denied_always[] = {
	"_sysctl", "add_key", "bdflush", "create_module", "get_kernel_syms", "kexec_file_load",
	"kexec_load", "keyctl", "nfsservctl", "pciconfig_iobase", "pciconfig_read",
	"pciconfig_write", "query_module", "request_key", "swapoff", "swapon", "sysfs",
	"uselib", "userfaultfd", "ustat", "vm86", "vm86old",
	NULL,
};

/* The groups below are allowed when the capability is held, EPERM when not. */
static const char *const need_sys_admin[] = {
	"bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
	"mount", "mount_setattr", "move_mount", "name_to_handle_at", "open_tree",
	"open_tree_attr", "perf_event_open", "pivot_root", "quotactl", "quotactl_fd",
	"setdomainname", "sethostname", "setns", "umount", "umount2", "unshare",
	NULL,
};
static const char *const need_sys_module[] = { "delete_module", "finit_module", "init_module", NULL };
static const char *const need_sys_boot[] = { "reboot", NULL };
static const char *const need_sys_time[] = {
	"clock_settime", "clock_settime64", "settimeofday", "stime", NULL,
};
static const char *const need_sys_ptrace[] = {
	"kcmp", "process_vm_readv", "process_vm_writev", "ptrace", NULL,
};
/* Moving another process's pages; the per-process memory policy calls
 * (mbind, set_mempolicy) stay in the allow-list: they affect only the
 * caller, and the kernel checks CAP_SYS_NICE for MPOL_MF_MOVE_ALL itself. */
static const char *const need_sys_nice[] = { "migrate_pages", "move_pages", NULL };
static const char *const need_sys_rawio[] = { "ioperm", "iopl", NULL };
static const char *const need_sys_pacct[] = { "acct", NULL };
static const char *const need_sys_tty_config[] = { "vhangup", NULL };
static const char *const need_dac_read_search[] = { "open_by_handle_at", NULL };
static const char *const need_syslog[] = { "syslog", NULL };
static const char *const need_sys_chroot[] = { "chroot", NULL };

static const char *const clone_names[] = { "clone", NULL };
static const char *const clone3_names[] = { "clone3", NULL };
static const char *const personality_names[] = { "personality", NULL };

/* s390 passes clone's flags in the second argument, everyone else in the
 * first. */
static const char *const s390_arches[] = { "SCMP_ARCH_S390", "SCMP_ARCH_S390X", NULL };

/* The namespace flags of clone(): CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC,
 * NEWUSER, NEWPID, NEWNET (0x7E020000, Docker's mask). */
#define CLONE_NAMESPACE_FLAGS UINT64_C(0x7E020000)

#define ALLOW_IF_CAP_ELSE_EPERM(list, cap)                                                    \
	{ .names = (list), .action = ENGINE_SECCOMP_BUILTIN_ALLOW, .includes_caps = CAP_BIT(cap) }, \
	{                                                                                      \
		.names = (list), .action = ENGINE_SECCOMP_BUILTIN_ERRNO, .errno_ret = EPERM,    \
		.excludes_caps = CAP_BIT(cap)                                                  \
	}

/* personality() only for the values Docker allows: PER_LINUX, PER_LINUX32,
 * UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (query). Other personas such
 * as ADDR_NO_RANDOMIZE would weaken the container's ASLR. */
#define PERSONALITY(value)                                                                   \
	{                                                                                      \
		.names = personality_names, .action = ENGINE_SECCOMP_BUILTIN_ALLOW, .has_arg = 1, \
		.arg_index = 0, .arg_op = SCMP_CMP_EQ, .arg_value = (value)                      \
	}

/* clone() creating a namespace, without CAP_SYS_ADMIN: EPERM, which is what
 * the kernel would say.  One row per flag because libseccomp has no
 * "masked not-equal": any one flag set matches one of these rows, and none
 * set matches the allow row; the conditions never overlap. */
#define CLONE_FLAG_DENIED(flag, index, arches_field)                                          \
	{                                                                                      \
		.names = clone_names, .action = ENGINE_SECCOMP_BUILTIN_ERRNO, .errno_ret = EPERM, \
		.excludes_caps = CAP_BIT(CAP_SYS_ADMIN), arches_field = s390_arches, .has_arg = 1, \
		.arg_index = (index), .arg_op = SCMP_CMP_MASKED_EQ, .arg_value = (flag),          \
		.arg_value_two = (flag)                                                          \
	}
#define CLONE_RULES(index, arches_field)                                                     \
	{ .names = clone_names,                                                                \
	  .action = ENGINE_SECCOMP_BUILTIN_ALLOW,                                               \
	  .excludes_caps = CAP_BIT(CAP_SYS_ADMIN),                                              \
	  arches_field = s390_arches,                                                           \
	  .has_arg = 1,                                                                         \
	  .arg_index = (index),                                                                 \
	  .arg_op = SCMP_CMP_MASKED_EQ,                                                         \
	  .arg_value = CLONE_NAMESPACE_FLAGS,                                                   \
	  .arg_value_two = 0 },                                                                 \
		CLONE_FLAG_DENIED(0x00020000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x02000000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x04000000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x08000000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x10000000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x20000000, index, arches_field),                             \
		CLONE_FLAG_DENIED(0x40000000, index, arches_field)

static const struct engine_seccomp_builtin_rule default_rules[] = {
	{ .names = allowed_always, .action = ENGINE_SECCOMP_BUILTIN_ALLOW },
	{ .names = denied_always, .action = ENGINE_SECCOMP_BUILTIN_ERRNO, .errno_ret = EPERM },

	PERSONALITY(0x0),
	PERSONALITY(0x8),
	PERSONALITY(0x20000),
	PERSONALITY(0x20008),
	PERSONALITY(0xffffffff),

	/* clone: anything with CAP_SYS_ADMIN; without it, only when no
	 * namespace flag is set. */
	{ .names = clone_names, .action = ENGINE_SECCOMP_BUILTIN_ALLOW,
	  .includes_caps = CAP_BIT(CAP_SYS_ADMIN) },
	CLONE_RULES(0, .excludes_arches),
	CLONE_RULES(1, .includes_arches),

	/* clone3 passes its flags in a struct seccomp cannot read, so without
	 * CAP_SYS_ADMIN it answers ENOSYS: glibc and Go then fall back to
	 * clone(), whose flags the rows above do check.  (The row equals the
	 * default action and compiles to nothing; it is here to say so.) */
	{ .names = clone3_names, .action = ENGINE_SECCOMP_BUILTIN_ALLOW,
	  .includes_caps = CAP_BIT(CAP_SYS_ADMIN) },
	{ .names = clone3_names, .action = ENGINE_SECCOMP_BUILTIN_ERRNO, .errno_ret = ENOSYS,
	  .excludes_caps = CAP_BIT(CAP_SYS_ADMIN) },

	ALLOW_IF_CAP_ELSE_EPERM(need_sys_admin, CAP_SYS_ADMIN),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_module, CAP_SYS_MODULE),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_boot, CAP_SYS_BOOT),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_time, CAP_SYS_TIME),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_ptrace, CAP_SYS_PTRACE),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_nice, CAP_SYS_NICE),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_rawio, CAP_SYS_RAWIO),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_pacct, CAP_SYS_PACCT),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_tty_config, CAP_SYS_TTY_CONFIG),
	ALLOW_IF_CAP_ELSE_EPERM(need_dac_read_search, CAP_DAC_READ_SEARCH),
	ALLOW_IF_CAP_ELSE_EPERM(need_syslog, CAP_SYSLOG),
	ALLOW_IF_CAP_ELSE_EPERM(need_sys_chroot, CAP_SYS_CHROOT),
};

/* A 64-bit host also runs the 32-bit binaries of its family, so the filter
 * must cover those ABIs too; any ABI it leaves out is killed outright (the
 * "bad architecture" action) rather than filtered. */
static const char *const x86_64_sub_arches[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
static const char *const aarch64_sub_arches[] = { "SCMP_ARCH_ARM", NULL };
static const char *const s390x_sub_arches[] = { "SCMP_ARCH_S390", NULL };
static const char *const no_sub_arches[] = { NULL };

static const struct engine_seccomp_builtin_arch_map default_arch_map[] = {
	{ "SCMP_ARCH_X86_64", x86_64_sub_arches },
	{ "SCMP_ARCH_AARCH64", aarch64_sub_arches },
	{ "SCMP_ARCH_S390X", s390x_sub_arches },
	{ "SCMP_ARCH_PPC64LE", no_sub_arches },
	{ "SCMP_ARCH_RISCV64", no_sub_arches },
};

static const struct engine_seccomp_builtin_profile default_profile = {
	.default_errno = ENOSYS,
	.arch_map = default_arch_map,
	.n_arch_map = ARRAY_SIZE(default_arch_map),
	.rules = default_rules,
	.n_rules = ARRAY_SIZE(default_rules),
};

const struct engine_seccomp_builtin_profile *engine_seccomp_builtin_profile(void)
{
	return &default_profile;
}
