/* test-cgroup.c: the cgroup manager's parsers (mountinfo layouts of v1,
 * hybrid and v2 hosts, /proc/self/cgroup, cgroup.controllers, cpu.max and
 * Docker's memory sizes) and detection on this host, which must choose
 * "disabled" with a reason wherever it cannot delegate. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/cgroup/cgroup.h"
#include "common/cleanup.h"
#include "tap.h"

/* This machine's own table: v1 controllers, cgroup2 at unified/. */
static const char hybrid[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
/* Debian 12 with systemd: pure v2, with optional fields before the '-'. */
static const char unified[] =
	"22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"25 24 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n"
	"26 24 0:23 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw\n";
static const char legacy[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
/* A stray cgroup2 mount elsewhere before the hybrid one. */
static const char hybrid_stray[] =
	"30 23 0:40 / /run/other rw - cgroup2 none rw\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
/* A mount point named like a file system type must not confuse it. */
static const char tricky[] =
	"22 1 254:1 / /cgroup2 rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"23 1 0:5 / /proc rw - proc proc rw\n";

static void test_mountinfo(void)
{
	char mp[256];
	is_int(engine_cgroup_parse_mountinfo(hybrid, mp, sizeof(mp)), ENGINE_CGROUP_LAYOUT_HYBRID,
	       "hybrid layout (this host)");
	is_str(mp, "/sys/fs/cgroup/unified", "hybrid: cgroup2 mount point");
	is_int(engine_cgroup_parse_mountinfo(unified, mp, sizeof(mp)), ENGINE_CGROUP_LAYOUT_V2,
	       "unified v2 layout");
	is_str(mp, "/sys/fs/cgroup", "v2: mount point");
	is_int(engine_cgroup_parse_mountinfo(legacy, mp, sizeof(mp)), ENGINE_CGROUP_LAYOUT_V1,
	       "v1 layout");
	is_str(mp, "", "v1: no cgroup2 mount");
	is_int(engine_cgroup_parse_mountinfo(hybrid_stray, mp, sizeof(mp)),
	       ENGINE_CGROUP_LAYOUT_HYBRID, "hybrid with a stray cgroup2 mount");
	is_str(mp, "/sys/fs/cgroup/unified", "the one under /sys/fs/cgroup wins");
	is_int(engine_cgroup_parse_mountinfo(tricky, NULL, 0), ENGINE_CGROUP_LAYOUT_UNKNOWN,
	       "no cgroup mounts at all: unknown");
	is_int(engine_cgroup_parse_mountinfo("", NULL, 0), ENGINE_CGROUP_LAYOUT_UNKNOWN,
	       "empty mountinfo");
	is_str(engine_cgroup_layout_name(ENGINE_CGROUP_LAYOUT_HYBRID), "hybrid", "layout name");
}

static void test_proc_cgroup(void)
{
	char p[256];
	is_int(engine_cgroup_parse_proc_cgroup(
		       "0::/user.slice/user-1001.slice/user@1001.service/app.slice/x.scope\n", p,
		       sizeof(p)),
	       0, "v2 /proc/self/cgroup");
	is_str(p, "/user.slice/user-1001.slice/user@1001.service/app.slice/x.scope", "v2 path");
	is_int(engine_cgroup_parse_proc_cgroup("10:hugetlb:/\n4:memory:/process_api/7ea\n1:cpu:/\n"
					       "0::/\n",
					       p, sizeof(p)),
	       0, "hybrid /proc/self/cgroup");
	is_str(p, "/", "hybrid: the v2 line");
	is_int(engine_cgroup_parse_proc_cgroup("4:memory:/a\n1:name=systemd:/b\n", p, sizeof(p)), -1,
	       "v1 only: no 0:: line");
	is_int(engine_cgroup_parse_proc_cgroup("0::/a/very/long/path\n", p, 5), -1,
	       "a path longer than the buffer is refused");
}

static void test_controllers(void)
{
	is_int(engine_cgroup_parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n"),
	       ENGINE_CGROUP_CPU | ENGINE_CGROUP_CPUSET | ENGINE_CGROUP_IO | ENGINE_CGROUP_MEMORY |
		       ENGINE_CGROUP_PIDS,
	       "root cgroup.controllers");
	is_int(engine_cgroup_parse_controllers("cpu memory pids\n"),
	       ENGINE_CGROUP_CPU | ENGINE_CGROUP_MEMORY | ENGINE_CGROUP_PIDS,
	       "user@.service's default delegation");
	is_int(engine_cgroup_parse_controllers("\n"), 0, "none (hybrid host's cgroup2)");
	is_int(engine_cgroup_parse_controllers("cpuacct memoryx"), 0,
	       "prefixes of names are not names");
}

static void test_cpu(void)
{
	uint64_t q = 0;
	char buf[64];
	is_int(engine_cgroup_cpus_to_quota(0.5, 0, &q), 0, "--cpus 0.5");
	is_int(q, 50000, "--cpus 0.5: quota 50000");
	engine_cgroup_format_cpu_max(q, 0, buf, sizeof(buf));
	is_str(buf, "50000 100000", "--cpus 0.5: cpu.max");
	is_int(engine_cgroup_cpus_to_quota(2, 0, &q), 0, "--cpus 2");
	is_int(q, 200000, "--cpus 2: quota 200000");
	is_int(engine_cgroup_cpus_to_quota(1.5, 50000, &q), 0, "--cpus 1.5 with a 50 ms period");
	is_int(q, 75000, "quota 75000");
	is_int(engine_cgroup_cpus_to_quota(0.001, 0, &q), 0, "--cpus 0.001");
	is_int(q, 1000, "clamped to the kernel's 1 ms minimum");
	is_int(engine_cgroup_cpus_to_quota(0, 0, &q), -1, "--cpus 0 refused");
	is_int(engine_cgroup_cpus_to_quota(-1, 0, &q), -1, "--cpus -1 refused");
	engine_cgroup_format_cpu_max(0, 0, buf, sizeof(buf));
	is_str(buf, "max 100000", "no quota: max");
	is_int(engine_cgroup_shares_to_weight(1024), 39, "--cpu-shares 1024 -> weight 39 (crun's)");
	is_int(engine_cgroup_shares_to_weight(2), 1, "--cpu-shares 2 -> 1");
	is_int(engine_cgroup_shares_to_weight(262144), 10000, "--cpu-shares 262144 -> 10000");

	uint8_t mask[16];
	is_int(engine_cgroup_parse_cpuset("0-2,9", mask, sizeof(mask)), 2, "cpuset 0-2,9: 2 bytes");
	ok(mask[0] == 0x07 && mask[1] == 0x02, "cpuset 0-2,9: bits");
	is_int(engine_cgroup_parse_cpuset("3-1", mask, sizeof(mask)), -1, "reversed range refused");
	is_int(engine_cgroup_parse_cpuset("a", mask, sizeof(mask)), -1, "not a number refused");
	is_int(engine_cgroup_parse_cpuset("0,", mask, sizeof(mask)), 1, "trailing comma tolerated");
	is_int(engine_cgroup_parse_cpuset("4096", mask, sizeof(mask)), -1, "beyond the mask refused");
}

static void test_memory(void)
{
	static const struct {
		const char *in;
		int64_t out;
	} good[] = {
		{ "32m", 33554432 },       { "32M", 33554432 },     { "32mb", 33554432 },
		{ "32MiB", 33554432 },     { "1g", 1073741824 },    { "512k", 524288 },
		{ "100", 100 },            { "100b", 100 },         { "1.5g", 1610612736 },
		{ "6 m", 6291456 },        { "2t", 2199023255552 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t v = -7;
		int r = engine_parse_memory_size(good[i].in, &v);
		ok(r == 0 && v == good[i].out, "memory size '%s' = %" PRId64, good[i].in, good[i].out);
	}
	static const char *const bad[] = { "", "m", "-1m", "32x", "32mm", "0x10", "1e3", "inf",
					   "99999999p", "32m ", " 32m" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v;
		is_int(engine_parse_memory_size(bad[i], &v), -1, "memory size '%s' refused", bad[i]);
	}
}

static void test_stat_files(void)
{
	uint64_t r, w, v;
	engine_cgroup_parse_io_stat("254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
				    "254:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
				    &r, &w);
	ok(r == 4097 && w == 8194, "io.stat sums two devices");
	engine_cgroup_parse_io_stat("", &r, &w);
	ok(r == 0 && w == 0, "empty io.stat");
	static const char cpu_stat[] = "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n";
	ok(engine_cgroup_parse_keyed(cpu_stat, "usage_usec", &v) == 0 && v == 1234,
	   "cpu.stat usage_usec");
	ok(engine_cgroup_parse_keyed(cpu_stat, "system_usec", &v) == 0 && v == 234,
	   "cpu.stat system_usec");
	ok(engine_cgroup_parse_keyed(cpu_stat, "usage", &v) == -1, "a key's prefix is not the key");
	ok(engine_cgroup_parse_keyed("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", "oom_kill", &v) == 0 &&
		   v == 1,
	   "memory.events oom_kill");
}

static void test_limits(void)
{
	struct engine_cgroup_limits l;
	engine_cgroup_limits_init(&l);
	ok(!engine_cgroup_limits_any(&l), "no limits after init");
	l.pids_max = 20;
	ok(engine_cgroup_limits_any(&l), "pids limit counts");
}

static void test_detect_here(void)
{
	struct engine_cgroup_detection d;
	cleanup_error struct engine_error *err = NULL;
	is_int(engine_cgroup_detect(NULL, &d, &err), 0, "detection succeeds");
	printf("# layout %s, manager %s, controllers '%s', reason: %s\n",
	       engine_cgroup_layout_name(d.layout), engine_cgroup_manager_name(d.manager),
	       d.controllers_text, d.reason);
	if (d.manager == ENGINE_CGROUP_MANAGER_DISABLED)
		ok(d.reason[0] != '\0', "disabled comes with a reason");
	else
		ok(d.controllers != 0, "a manager comes with controllers");
	/* The host's layout: the overrides below reset the detection. */
	enum engine_cgroup_layout host_layout = d.layout;
	if (d.manager != ENGINE_CGROUP_MANAGER_DISABLED)
		is_str(d.reason, "", "layout %s: a manager, no reason for disabling",
		       engine_cgroup_layout_name(d.layout));
	else if (d.layout == ENGINE_CGROUP_LAYOUT_HYBRID)
		ok(strstr(d.reason, "hybrid") != NULL, "the reason names the hybrid layout");
	else
		ok(strstr(d.reason, d.layout == ENGINE_CGROUP_LAYOUT_V1   ? "cgroup v1"
				    : d.layout == ENGINE_CGROUP_LAYOUT_V2 ? "cgroup v2"
									  : "no cgroup mount") != NULL,
		   "the reason names the %s layout", engine_cgroup_layout_name(d.layout));

	is_int(engine_cgroup_detect("disabled", &d, &err), 0, "disabled can always be asked for");
	is_int(d.manager, ENGINE_CGROUP_MANAGER_DISABLED, "and is chosen");
	engine_error_free(&err);
	ok(engine_cgroup_detect("bogus", &d, &err) < 0, "an unknown manager is refused");
	ok(err && strstr(err->msg, "bogus"), "the error names it");
	engine_error_free(&err);
	if (host_layout != ENGINE_CGROUP_LAYOUT_V2) {
		ok(engine_cgroup_detect("systemd", &d, &err) < 0, "systemd refused without v2");
		ok(err && strstr(err->msg, "cgroup v2"), "the error says why");
	} else {
		/* Chosen where the user's manager answers, else refused for that. */
		int r = engine_cgroup_detect("systemd", &d, &err);
		ok(r == 0 || (err && strstr(err->msg, "needs cgroup v2") == NULL),
		   "v2 host: systemd not refused for the layout");
		ok(r == 0 ? d.manager == ENGINE_CGROUP_MANAGER_SYSTEMD
			  : err && strstr(err->msg, "no systemd manager reachable") != NULL,
		   "v2 host: systemd chosen, or refused naming the missing manager");
	}

	/* A disabled cgroup: created without a path, and the uses say so. */
	struct engine_cgroup cg;
	struct engine_cgroup_limits l;
	engine_cgroup_limits_init(&l);
	engine_error_free(&err);
	engine_cgroup_detect("disabled", &d, &err);
	is_int(engine_cgroup_create(&d, "abc", 1, &l, &cg, &err), 0, "disabled create");
	ok(cg.path == NULL, "no path");
	struct engine_cgroup_stats st;
	ok(engine_cgroup_stats(&cg, &st, &err) < 0, "no stats without a cgroup");
	engine_error_free(&err);
	is_int(engine_cgroup_remove(&cg, &err), 0, "remove of nothing");
	ok(engine_cgroup_open("cgroupfs", "/etc/passwd", NULL, &cg, &err) < 0,
	       "open refuses a path outside /sys/fs/cgroup");
}

/* --cgroup-parent: a slice for systemd, a path inside the delegated
 * cgroup for cgroupfs, ignored when disabled. */
static int parent_ok(enum engine_cgroup_manager m, const char *own, const char *parent,
		     char *out, size_t size)
{
	struct engine_cgroup_detection d = { .manager = m };
	snprintf(d.mountpoint, sizeof(d.mountpoint), "/sys/fs/cgroup");
	snprintf(d.own_path, sizeof(d.own_path), "%s", own);
	cleanup_error struct engine_error *err = NULL;
	int r = engine_cgroup_check_parent(&d, parent, &err);
	snprintf(out, size, "%s", r < 0 ? (err ? err->msg : "?") : d.parent);
	if (r < 0)
		printf("# %s\n", out);
	return r;
}

static void test_parent(void)
{
	char o[512];
	const enum engine_cgroup_manager sd = ENGINE_CGROUP_MANAGER_SYSTEMD;
	const enum engine_cgroup_manager fs = ENGINE_CGROUP_MANAGER_CGROUPFS;
	const char *own = "/user.slice/user-1001.slice/user@1001.service/app.slice/t.service";

	is_int(parent_ok(sd, "/", "test-engine.slice", o, sizeof(o)), 0, "systemd: a slice");
	is_str(o, "test-engine.slice", "kept as given");
	is_int(parent_ok(sd, "/", "a-b.slice", o, sizeof(o)), 0, "systemd: a nested slice");
	is_int(parent_ok(sd, "/", "my_app:1.2.slice", o, sizeof(o)), 0, "systemd: unit-name characters");
	ok(parent_ok(sd, "/", "my.scope", o, sizeof(o)) < 0, "systemd: not a slice");
	ok(strstr(o, "my.scope") && strstr(o, ".slice"), "the error names it and what is wanted");
	ok(parent_ok(sd, "/", ".slice", o, sizeof(o)) < 0, "systemd: no name before .slice");
	ok(parent_ok(sd, "/", "sub/dir", o, sizeof(o)) < 0, "systemd: a path");
	ok(parent_ok(sd, "/", "a b.slice", o, sizeof(o)) < 0, "systemd: a space");
	ok(parent_ok(sd, "/", "../x.slice", o, sizeof(o)) < 0, "systemd: a slash");
	ok(parent_ok(sd, "/", "-a.slice", o, sizeof(o)) < 0, "systemd: a leading dash");
	ok(parent_ok(sd, "/", "a-.slice", o, sizeof(o)) < 0, "systemd: a trailing dash");
	ok(parent_ok(sd, "/", "a--b.slice", o, sizeof(o)) < 0, "systemd: a double dash");
	char longname[300];
	memset(longname, 'a', 250);
	snprintf(longname + 250, sizeof(longname) - 250, ".slice");
	ok(parent_ok(sd, "/", longname, o, sizeof(o)) < 0, "systemd: over 255 characters");

	is_int(parent_ok(fs, own, "sub/dir", o, sizeof(o)), 0, "cgroupfs: a relative path");
	is_str(o, "sub/dir", "kept");
	is_int(parent_ok(fs, own, "sub//dir/", o, sizeof(o)), 0, "cgroupfs: extra slashes");
	is_str(o, "sub/dir", "collapsed");
	is_int(parent_ok(fs, own, "my.slice", o, sizeof(o)), 0, "cgroupfs: a name with a dot");
	ok(parent_ok(fs, own, "../x", o, sizeof(o)) < 0, "cgroupfs: .. refused");
	ok(strstr(o, "../x") && strstr(o, "t.service"), "the error names it and the delegated cgroup");
	ok(parent_ok(fs, own, "a/../../x", o, sizeof(o)) < 0, "cgroupfs: .. inside refused");
	ok(parent_ok(fs, own, "./a", o, sizeof(o)) < 0, "cgroupfs: . refused");
	ok(parent_ok(fs, own, "engine-init/x", o, sizeof(o)) < 0, "cgroupfs: engine-init refused");
	is_int(parent_ok(fs, own, "x/engine-init", o, sizeof(o)), 0, "cgroupfs: engine-init deeper is a name");
	ok(parent_ok(fs, own, "/", o, sizeof(o)) < 0, "cgroupfs: / refused");
	ok(parent_ok(fs, own, "/machine.slice/x", o, sizeof(o)) < 0, "cgroupfs: absolute outside");
	ok(strstr(o, "outside"), "the error says outside");
	char in[600];
	snprintf(in, sizeof(in), "%s/sub/dir", own);
	is_int(parent_ok(fs, own, in, o, sizeof(o)), 0, "cgroupfs: absolute inside");
	is_str(o, "sub/dir", "made relative");
	snprintf(in, sizeof(in), "%sx/sub", own);
	ok(parent_ok(fs, own, in, o, sizeof(o)) < 0, "cgroupfs: a sibling with the same prefix");
	ok(parent_ok(fs, own, own, o, sizeof(o)) < 0, "cgroupfs: the delegated cgroup itself");
	/* Inside engine-init, the base is its parent. */
	snprintf(in, sizeof(in), "%s/engine-init", own);
	char abs[600];
	snprintf(abs, sizeof(abs), "%s/x", own);
	is_int(parent_ok(fs, in, abs, o, sizeof(o)), 0, "cgroupfs: from engine-init, the base above");
	is_str(o, "x", "relative to the base");

	is_int(parent_ok(ENGINE_CGROUP_MANAGER_DISABLED, "/", "../whatever", o, sizeof(o)), 0,
	       "disabled: taken");
	is_str(o, "", "and ignored");
	is_int(parent_ok(sd, "/", NULL, o, sizeof(o)), 0, "no parent");
	is_str(o, "", "the default");
}

int main(void)
{
	test_mountinfo();
	test_proc_cgroup();
	test_controllers();
	test_cpu();
	test_memory();
	test_stat_files();
	test_limits();
	test_detect_here();
	test_parent();
	return done_testing();
}
