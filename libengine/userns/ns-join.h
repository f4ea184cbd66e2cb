/* ns-join.h: entering the namespaces of another process (a container's
 * init for exec, cp and export; a container to share for --network
 * container:NAME; a container's own user namespace for its fuse-overlayfs
 * daemon and the removal of its writable layer).  A set holds what was
 * opened, tells which namespaces differ from ours, and joins those, the
 * user namespace first (see ns-join.c). */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* The kinds a set can hold: user, mount, PID, UTS, IPC, network and
 * cgroup, named by their CLONE_NEW* flags. */
#define ENGINE_NS_KINDS 7
#define ENGINE_NS_ALL                                                                  \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |    \
	 CLONE_NEWNET | CLONE_NEWCGROUP)

struct engine_ns_set {
	int fds[ENGINE_NS_KINDS]; /* by kind, in the order they are joined; -1: none */
	int pidfd;                /* engine_ns_open_pidfd's: the set is joined through it */
	unsigned long kinds;      /* CLONE_NEW* of the namespaces the set holds */
	unsigned long foreign;    /* of those, the ones that are not ours */
	struct {                  /* what identifies each: its nsfs file's device and inode */
		dev_t dev;
		ino_t ino;
	} ids[ENGINE_NS_KINDS];
};

#define ENGINE_NS_SET_INIT { .fds = { -1, -1, -1, -1, -1, -1, -1 }, .pidfd = -1 }

/* Open the namespaces KINDS (CLONE_NEW* flags) of PID.  START is PID's
 * start time as recorded (engine_pid_start_time), checked after every
 * namespace was opened, so that they are that process's and not those of
 * one that reused its pid; 0 for a child of ours not yet reaped, whose
 * pid cannot be reused.  A kind the kernel lacks (cgroup) is left out.
 * WHOSE names the process in errors ("container web"; NULL: "process
 * PID"); a process that is gone or another one is -ESRCH, "WHOSE is not
 * running".  Returns 0 or a negative errno, with *RET empty on failure. */
int engine_ns_open(pid_t pid, uint64_t start, unsigned long kinds, const char *whose,
		   struct engine_ns_set *ret, struct engine_error **err);

/* As engine_ns_open, but the set holds a pidfd on PID instead of an fd per
 * namespace: engine_ns_join enters them all in one setns(pidfd) call
 * (Linux 5.8), and a pidfd names that one process for as long as it is
 * held. */
int engine_ns_open_pidfd(pid_t pid, uint64_t start, unsigned long kinds, const char *whose,
			 struct engine_ns_set *ret, struct engine_error **err);

/* Hold FD, a namespace of kind KIND opened elsewhere (a path given by the
 * user), in SET in place of any it held; the set owns FD from then on,
 * even on failure.  Not for a set opened by pidfd. */
int engine_ns_adopt(struct engine_ns_set *set, unsigned long kind, int fd,
		    struct engine_error **err);

/* Hold the user namespace that owns SET's namespace of kind KIND
 * (NS_GET_USERNS): the one to join first to be allowed into it. */
int engine_ns_adopt_owner(struct engine_ns_set *set, unsigned long kind,
			  struct engine_error **err);

/* Whether SET holds a namespace of kind KIND that is not ours. */
static inline bool engine_ns_foreign(const struct engine_ns_set *set, unsigned long kind)
{
	return (set->foreign & kind) != 0;
}

/* Whether process PID (the name of its /proc entry) is in SET's namespace
 * of kind KIND: false where the set holds none, or PID is gone or not
 * ours to look at. */
bool engine_ns_holds_process(const struct engine_ns_set *set, unsigned long kind, const char *pid);

/* Enter those of SET's namespaces that are not ours, the user namespace
 * first: its capabilities are what allow the others.  Joining our own
 * user namespace would be EINVAL, and joining one we share changes
 * nothing, so those are left alone.  The caller must be single-threaded
 * (a user namespace is joined by one thread alone): a forked child.
 * WHOSE as for engine_ns_open; ERR may be NULL (a child with no one to
 * tell).  Returns 0 or a negative errno. */
int engine_ns_join(const struct engine_ns_set *set, const char *whose, struct engine_error **err);

/* Close what SET holds; it is empty afterwards. */
void engine_ns_close(struct engine_ns_set *set);
#define cleanup_ns_set __attribute__((cleanup(engine_ns_close)))
