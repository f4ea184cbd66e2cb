/* stub.c: the last program of ours that a process entering a container
 * runs.  `run`, `exec` and `start` execute it from a sealed memfd
 * (sealed-exec.c) right before the command, and it only execs the command.
 *
 * Why: the process that execs the command is a copy of the engine CLI, and
 * for the kernel its /proc/self/exe is the engine binary on the host.  If
 * the command is a script starting with `#!/proc/self/exe`, the kernel runs
 * that binary inside the container, where the container's processes may
 * open its /proc/PID/exe and write the host file once it stops running
 * (CVE-2019-5736; a user-owned install in ~/bin is writable by the
 * container's root).  When this stub does the final execve, /proc/self/exe
 * is a sealed memfd private to that one start: a container that re-executes
 * it gets this stub again (which exits), and cannot change its bytes.
 *
 * It is freestanding (no libc, no dynamic loader: it runs in any image and
 * LD_PRELOAD or the image's own libc never load into it) and a few kB
 * long, so that copying it into a memfd on every start costs next to
 * nothing, unlike a second load of the ~2 MB engine.  Linux x86-64 and
 * aarch64; meson.build builds it where the compiler targets one of them. */
#include "exec-stub.h"

#define SYS_ERRNO_ENOENT 2
#define STUB_EXIT_NOT_FOUND 127
#define STUB_EXIT_CANNOT_INVOKE 126
#define STUB_EXIT_USAGE 125
#define STUB_F_SETFD 2
#define STUB_FD_CLOEXEC 1
#define STUB_PR_SET_DUMPABLE 4
#define STUB_MSG_NOSIGNAL 0x4000

#if defined(__x86_64__)
#define NR_fcntl 72
#define NR_execve 59
#define NR_sendto 44
#define NR_prctl 157
#define NR_exit_group 231

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The kernel enters with the stack pointer at argc; keep it aligned for
 * the C code (the ABI wants %rsp+8 16-byte aligned at a function's entry). */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call stub_main\n"
	"	hlt\n");
#elif defined(__aarch64__)
#define NR_fcntl 25
#define NR_execve 221
#define NR_sendto 206
#define NR_prctl 167
#define NR_exit_group 94

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	and sp, x0, #-16\n"
	"	bl stub_main\n"
	"	brk #0\n");
#else
#error "the exec stub supports Linux x86-64 and aarch64"
#endif

__attribute__((noreturn)) static void stub_exit(int code)
{
	for (;;)
		sys6(NR_exit_group, code, 0, 0, 0, 0, 0);
}

/* The compiler may turn the struct's initialisation into a memset call. */
void *memset(void *s, int c, unsigned long n);
void *memset(void *s, int c, unsigned long n)
{
	volatile unsigned char *p = s;
	while (n-- > 0)
		*p++ = (unsigned char)c;
	return s;
}

__attribute__((noreturn, used)) void stub_main(long *sp);
__attribute__((noreturn, used)) void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	/* Anything else (the container running /proc/self/exe, which is this
	 * stub) is not ours: exit, doing nothing. */
	if (argc < 4)
		stub_exit(STUB_EXIT_USAGE);
	const char *a0 = argv[0], *want = ENGINE_EXEC_STUB_ARGV0;
	while (*a0 != '\0' && *a0 == *want) {
		a0++;
		want++;
	}
	if (*a0 != *want)
		stub_exit(STUB_EXIT_USAGE);
	long sock = 0;
	for (const char *p = argv[1]; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || sock > 65536)
			stub_exit(STUB_EXIT_USAGE);
		sock = sock * 10 + (*p - '0');
	}

	/* Until the exec, neither our fds (the sync socket) nor our memory
	 * are for the container's processes to take; execve makes the
	 * command dumpable again. */
	sys6(NR_prctl, STUB_PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
	/* The parent learns of the exec by the socket's EOF. */
	sys6(NR_fcntl, sock, STUB_F_SETFD, STUB_FD_CLOEXEC, 0, 0, 0);
	long r = sys6(NR_execve, (long)argv[2], (long)(argv + 3), (long)envp, 0, 0, 0);

	struct engine_exec_stub_error m;
	memset(&m, 0, sizeof(m));
	m.type = ENGINE_EXEC_STUB_SYNC_EXEC_ERROR;
	m.status = (int)-r;
	m.exit_code = -r == SYS_ERRNO_ENOENT ? STUB_EXIT_NOT_FOUND : STUB_EXIT_CANNOT_INVOKE;
	unsigned long i = 0;
	for (const char *p = argv[3]; *p != '\0' && i < sizeof(m.msg) - 1; p++)
		m.msg[i++] = *p;
	sys6(NR_sendto, sock, (long)&m, sizeof(m), STUB_MSG_NOSIGNAL, 0, 0);
	stub_exit(m.exit_code);
}
