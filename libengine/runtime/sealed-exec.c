/* sealed-exec.c: no engine code is re-executable or writable from inside a
 * container (the CVE-2019-5736 class).
 *
 * The process that execs a container's command (the container's init for
 * run and start, the exec'd process for exec) is a clone of the engine CLI:
 * its /proc/self/exe is the engine binary on the host.  A command that is a
 * `#!/proc/self/exe` script would make the kernel run that binary inside
 * the container, where the container may open its /proc/PID/exe and, once
 * nothing runs it any more, write it; with an install in ~/bin the
 * container's root (the user) may.  So the final execve is made by a small
 * static stub executed from a sealed memfd: at the moment the command is
 * exec'd, /proc/self/exe is that memfd, private to this one start, which
 * nothing can write, shrink or grow (F_SEAL_*).  --init's engine-init is
 * exec'd the same way, from a sealed copy, and not bind-mounted from the
 * host.
 *
 * Why a stub and not the engine itself, as runc does: re-executing the
 * ~2.3 MB dynamically linked engine from a memfd costs a copy of it and a
 * second dynamic load on every run and exec (and the loader and libraries
 * it would map come from the container's image).  The stub is a few kB,
 * static and freestanding (exec-stub/stub.c); the engine carries its bytes
 * (exec-stub/embed.py) and copies them into a new memfd each time: ~20 µs.
 * PR_SET_MM_EXE_FILE cannot do it without a copy either: it refuses
 * (EBUSY) while the old file is still mapped, which ours always is.
 *
 * The memfd must be executable: where vm.memfd_noexec=2 forbids that, we
 * fail with one line rather than fall back to the unsafe path. */
#include "libengine/runtime/sealed-exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/runtime/exec-stub/exec-stub.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

extern const unsigned char engine_exec_stub_bytes[];
extern const size_t engine_exec_stub_size;

static int sealed_memfd_create(const char *name, struct engine_error **err)
{
	/* MFD_EXEC says what we want to kernels that have vm.memfd_noexec
	 * (6.3+); older ones reject the flag, and their memfds are always
	 * executable. */
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 && errno == EACCES)
		return engine_error_errno(err, errno,
					  "an executable memfd (vm.memfd_noexec=2 forbids it; the engine "
					  "needs one to start a container's processes safely)");
	if (fd < 0)
		return engine_error_errno(err, errno, "memfd_create");
	return fd;
}

static int seal(int fd, struct engine_error **err)
{
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	/* F_SEAL_EXEC (6.3+) also freezes the mode; older kernels reject
	 * the bit, and there the mode matters to no one but us. */
	if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, seals) < 0))
		return engine_error_errno(err, errno, "seal the memfd");
	return 0;
}

int engine_sealed_exec_stub(struct engine_error **err)
{
	cleanup_close int fd = sealed_memfd_create(ENGINE_EXEC_STUB_ARGV0, err);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < engine_exec_stub_size) {
		ssize_t w = write(fd, engine_exec_stub_bytes + done, engine_exec_stub_size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return engine_error_errno(err, w < 0 ? errno : EIO, "write the exec stub");
		done += (size_t)w;
	}
	if (seal(fd, err) < 0)
		return -1;
	return take_fd(&fd);
}

int engine_sealed_copy(int src_fd, const char *name, struct engine_error **err)
{
	struct stat st;
	if (fstat(src_fd, &st) < 0)
		return engine_error_errno(err, errno, "stat %s", name);
	if (!S_ISREG(st.st_mode))
		return engine_error_set(err, EINVAL, "%s is not a regular file", name);
	cleanup_close int fd = sealed_memfd_create(name, err);
	if (fd < 0)
		return -1;
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, src_fd, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return engine_error_errno(err, n < 0 ? errno : EIO, "copy %s", name);
	}
	if (seal(fd, err) < 0)
		return -1;
	return take_fd(&fd);
}

int engine_sealed_fexecve(int fd, char *const argv[], char *const envp[])
{
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	/* A seccomp profile may allow execve and not execveat: the same file
	 * through /proc (the container's, mounted by now). */
	if (errno == ENOSYS || errno == EPERM) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		execve(path, argv, envp);
	}
	return -errno;
}

int engine_sealed_exec(int stub_fd, int sock, const char *exe, char *const argv[],
		       char *const envp[])
{
	size_t n = 0;
	while (argv[n] != NULL)
		n++;
	char **stub_argv = calloc(n + 4, sizeof(char *));
	if (stub_argv == NULL)
		return -ENOMEM;
	char sock_str[16];
	snprintf(sock_str, sizeof(sock_str), "%d", sock);
	stub_argv[0] = (char *)ENGINE_EXEC_STUB_ARGV0;
	stub_argv[1] = sock_str;
	stub_argv[2] = (char *)exe;
	for (size_t i = 0; i < n; i++)
		stub_argv[3 + i] = argv[i];
	/* The stub reports on the socket, then makes it close-on-exec again. */
	int flags = fcntl(sock, F_GETFD);
	if (flags < 0 || fcntl(sock, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
		int e = errno;
		free(stub_argv);
		return -e;
	}
	int r = engine_sealed_fexecve(stub_fd, stub_argv, envp);
	(void)fcntl(sock, F_SETFD, flags);
	free(stub_argv);
	return r;
}
