/* test-copy.c: the vfs driver's tree copy (cp -a) and layer application
 * (whiteouts delete, opaque directories replace, directories merge).
 *
 * Whiteouts are 0/0 character devices: as an unprivileged user the test
 * first enters a user namespace of its own (uid 0 there = us), where the
 * kernel lets us create them, as the engine's helpers do. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "storage/copy.h"
#include "fixtures.h"
#include "tap.h"

static char base[] = "/tmp/test-copy-XXXXXX";
static bool real_root;

static int enter_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	char buf[64];
	FILE *f = fopen("/proc/self/setgroups", "w");
	if (f) {
		fputs("deny", f);
		fclose(f);
	}
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
	f = fopen("/proc/self/uid_map", "w");
	if (f == NULL || fputs(buf, f) < 0 || fclose(f) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
	f = fopen("/proc/self/gid_map", "w");
	if (f == NULL || fputs(buf, f) < 0 || fclose(f) != 0)
		return -1;
	return 0;
}

static void put(const char *rel, const char *content, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		(void)!write(fd, content, strlen(content));
		close(fd);
	}
	chmod(p, mode);
}

static void dir(const char *rel, mode_t mode)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	mkdir(p, 0755);
	chmod(p, mode);
}

static const char *path(const char *rel)
{
	static char p[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", base, rel);
	return p[i];
}

static char *slurp(const char *rel)
{
	static char buf[256];
	return read_text(path(rel), O_NOFOLLOW, buf, sizeof(buf));
}

static int open_dir(const char *rel)
{
	return open(path(rel), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static bool exists(const char *rel)
{
	struct stat st;
	return lstat(path(rel), &st) == 0;
}

static void build_layers(void)
{
	/* Layer 1: a bit of everything. */
	dir("l1", 0755);
	put("l1/a", "one", 0644);
	dir("l1/d", 0755);
	put("l1/d/x", "x", 0600);
	setxattr(path("l1/d/x"), "user.note", "kept", 4, 0);
	put("l1/d/keep", "keep", 0644);
	dir("l1/sub", 0755);
	put("l1/sub/old", "old", 0644);
	(void)!symlink("a", path("l1/link"));
	put("l1/h1", "hard", 0644);
	(void)!link(path("l1/h1"), path("l1/h2"));
	put("l1/suid", "s", 04755);
	mkfifo(path("l1/fifo"), 0640);
	dir("l1/ro", 0755);
	put("l1/ro/f", "f", 0444);
	chmod(path("l1/ro"), 0555);
	/* Layer 2: a whiteout, a merge, an opaque directory, replacements. */
	dir("l2", 0755);
	mknod(path("l2/a"), S_IFCHR | 0000, makedev(0, 0));
	dir("l2/d", 0700);
	put("l2/d/new", "new", 0644);
	dir("l2/sub", 0755);
	setxattr(path("l2/sub"), "user.overlay.opaque", "y", 1, 0);
	put("l2/sub/only", "only", 0644);
	put("l2/link", "now a file", 0644);
	put("l2/ro", "now a file too", 0644);
}

/* storage_copy_tree succeeds: the TAP line NAME, the error as a comment
 * where it fails. */
static void copies(int src, int dst, enum storage_copy_mode mode, const char *name)
{
	struct engine_error *err = NULL;
	ok(storage_copy_tree(src, dst, mode, &err) == 0, "%s", name);
	if (err)
		printf("#   %s\n", err->msg);
	engine_error_free(&err);
}

static void test_apply(void)
{
	dir("flat", 0700);
	int flat = open_dir("flat");
	int l1 = open_dir("l1"), l2 = open_dir("l2");
	copies(l1, flat, STORAGE_COPY_APPLY_LAYER, "layer 1 applies");
	copies(l2, flat, STORAGE_COPY_APPLY_LAYER, "layer 2 applies");
	close(l1);
	close(l2);
	close(flat);

	ok(!exists("flat/a"), "a whiteout deletes");
	ok(exists("flat/d/x") && exists("flat/d/keep") && exists("flat/d/new"),
	   "a directory over a directory merges");
	struct stat st;
	ok(stat(path("flat/d"), &st) == 0 && (st.st_mode & 07777) == 0700,
	   "the upper directory's mode wins");
	ok(!exists("flat/sub/old") && exists("flat/sub/only"), "an opaque directory replaces");
	char v[8];
	ok(getxattr(path("flat/sub"), "user.overlay.opaque", v, sizeof(v)) < 0,
	   "the overlay's opaque mark is not copied");
	ok(lstat(path("flat/link"), &st) == 0 && S_ISREG(st.st_mode) && strcmp(slurp("flat/link"), "now a file") == 0,
	   "a file replaces a symlink");
	ok(lstat(path("flat/ro"), &st) == 0 && S_ISREG(st.st_mode), "a file replaces a read-only directory");
	ssize_t n = getxattr(path("flat/d/x"), "user.note", v, sizeof(v));
	ok(n == 4 && memcmp(v, "kept", 4) == 0, "user xattrs are copied");
}

static void test_tree(void)
{
	dir("copy", 0700);
	int src = open_dir("flat"), dst = open_dir("copy");
	copies(src, dst, STORAGE_COPY_TREE, "cp -a of the flattened tree");
	close(src);
	close(dst);
	struct stat a, b, s;
	ok(stat(path("copy/h1"), &a) == 0 && stat(path("copy/h2"), &b) == 0 && a.st_ino == b.st_ino &&
		   a.st_nlink == 2,
	   "hardlinks stay hardlinks");
	ok(stat(path("copy/suid"), &s) == 0 && (s.st_mode & 07777) == 04755, "setuid survives");
	ok(lstat(path("copy/fifo"), &s) == 0 && S_ISFIFO(s.st_mode) && (s.st_mode & 0777) == 0640,
	   "a fifo is a fifo");
	ok(stat(path("copy/d/x"), &s) == 0 && (s.st_mode & 0777) == 0600, "modes are kept");
	struct stat orig;
	ok(lstat(path("flat/sub"), &orig) == 0 && lstat(path("copy/sub"), &s) == 0 &&
		   orig.st_mtim.tv_sec == s.st_mtim.tv_sec && orig.st_mtim.tv_nsec == s.st_mtim.tv_nsec,
	   "a directory's mtime is kept (set after its contents)");
	is_str(slurp("copy/d/new"), "new", "contents are copied");

	(void)!symlink("../../etc/passwd", path("flat/escape"));
	dir("copy2", 0700);
	src = open_dir("flat");
	dst = open_dir("copy2");
	copies(src, dst, STORAGE_COPY_TREE, "a symlink pointing out copies");
	close(src);
	close(dst);
	char target[64] = "";
	ssize_t n = readlink(path("copy2/escape"), target, sizeof(target) - 1);
	ok(n > 0 && strncmp(target, "../../etc/passwd", (size_t)n) == 0,
	   "as a symlink, never followed");

	if (real_root) {
		struct engine_error *err = NULL;
		(void)!chown(path("flat/d/x"), 1000, 1001);
		dir("copy3", 0700);
		src = open_dir("flat");
		dst = open_dir("copy3");
		ok(storage_copy_tree(src, dst, STORAGE_COPY_TREE, &err) == 0 &&
			   stat(path("copy3/d/x"), &s) == 0 && s.st_uid == 1000 && s.st_gid == 1001,
		   "owners are kept");
		engine_error_free(&err);
		close(src);
		close(dst);
	} else {
		ok(stat(path("copy/d/x"), &s) == 0 && s.st_uid == 0, "owners are kept (uid 0 here)");
	}
}

static void test_depth(void)
{
	dir("deep", 0755);
	char rel[4096] = "deep";
	for (int i = 0; i < STORAGE_COPY_MAX_DEPTH + 5; i++) {
		strcat(rel, "/d");
		dir(rel, 0755);
	}
	dir("deepcopy", 0700);
	int src = open_dir("deep"), dst = open_dir("deepcopy");
	struct engine_error *err = NULL;
	ok(storage_copy_tree(src, dst, STORAGE_COPY_TREE, &err) < 0 && err->status == ELOOP,
	   "a tree deeper than the limit fails by name");
	engine_error_free(&err);
	close(src);
	close(dst);
}

int main(void)
{
	real_root = geteuid() == 0;
	if (!real_root && enter_userns() < 0) {
		printf("not ok 1 - enter a user namespace: %s\n1..1\n", strerror(errno));
		return 1;
	}
	if (mkdtemp(base) == NULL)
		return 1;
	build_layers();
	test_apply();
	test_tree();
	test_depth();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx %s; rm -rf %s", base, base);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
