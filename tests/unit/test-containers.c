/* test-containers.c: container names (Docker's rule, generated
 * adjective_noun names) and ps's Status strings. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "containers.h"
#include "humanize.h"
#include "tap.h"

static void test_name_check(void)
{
	static const char *const good[] = { "a", "web", "web-1", "web_1.prod", "A0", "/web", "0abc" };
	static const char *const bad[] = { "", "-web", "_web", ".web", "we/b", "..", "a b", "a:b",
					   "/", "web;rm", "é" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(engine_container_name_check(good[i], NULL) == 0, "name \"%s\" accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(engine_container_name_check(bad[i], NULL) < 0, "name \"%s\" refused", bad[i]);
	char longname[300];
	memset(longname, 'a', 254);
	longname[254] = '\0';
	ok(engine_container_name_check(longname, NULL) < 0, "254 bytes refused");
	longname[253] = '\0';
	ok(engine_container_name_check(longname, NULL) == 0, "253 bytes accepted");
}

static void test_name_generate(void)
{
	regex_t re;
	regcomp(&re, "^[a-z]+_[a-z]+$", REG_EXTENDED | REG_NOSUB);
	int bad = 0, distinct = 0;
	char first[64], name[64];
	engine_container_name_generate(0, first, sizeof(first));
	for (uint32_t r = 0; r < 100000; r += 7) {
		engine_container_name_generate(r * 2654435761u, name, sizeof(name));
		if (regexec(&re, name, 0, NULL, 0) != 0 || engine_container_name_check(name, NULL) < 0)
			bad++;
		if (strcmp(name, first) != 0)
			distinct++;
	}
	regfree(&re);
	is_int(bad, 0, "generated names are adjective_noun and valid");
	ok(distinct > 0, "different draws give different names");
	engine_container_name_generate(0, name, sizeof(name));
	char again[64];
	engine_container_name_generate(0, again, sizeof(again));
	is_str(name, again, "the same draw gives the same name");
}

static void test_status(void)
{
	const int64_t s = 1000000000;
	int64_t now = 1700000000 * s;
	char out[96];
	cmd_container_status(0, 0, 0, 0, now, out, sizeof(out));
	is_str(out, "Created", "created");
	cmd_container_status(1, 0, now - 3 * s, 0, now, out, sizeof(out));
	is_str(out, "Up 3 seconds", "up 3 seconds");
	cmd_container_status(1, 0, now - s / 2, 0, now, out, sizeof(out));
	is_str(out, "Up Less than a second", "up less than a second");
	cmd_container_status(1, 0, now - 3600 * s, 0, now, out, sizeof(out));
	is_str(out, "Up About an hour", "up about an hour");
	cmd_container_status(2, 0, now - 300 * s, now - 120 * s, now, out, sizeof(out));
	is_str(out, "Exited (0) 2 minutes ago", "exited 0, 2 minutes ago");
	cmd_container_status(2, 137, now - 300 * s, now - 1 * s, now, out, sizeof(out));
	is_str(out, "Exited (137) 1 second ago", "exited 137, 1 second ago");
}

/* Reconciliation rests on these: a pid is ours only with the same start
 * time, and a zombie counts as gone. */
static void test_pid_alive(void)
{
	pid_t self = getpid();
	uint64_t start = engine_pid_start_time(self);
	ok(start > 0, "start time of this process");
	ok(engine_pid_alive_since(self, start), "alive with its start time");
	ok(engine_pid_alive_since(self, 0), "alive without a start time");
	ok(!engine_pid_alive_since(self, start + 1), "a different start time: a reused pid");
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	/* Let it become a zombie, then look before reaping. */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[512] = "";
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
		FILE *f = fopen(path, "r");
		if (f) {
			(void)!fgets(buf, sizeof(buf), f);
			fclose(f);
		}
		char *p = strrchr(buf, ')');
		if (p && p[2] == 'Z')
			break;
		usleep(10000);
	}
	ok(!engine_pid_alive_since(child, 0), "a zombie is not alive");
	waitpid(child, NULL, 0);
	ok(!engine_pid_alive_since(child, 0), "a reaped pid is not alive");
	ok(!engine_pid_alive_since(0, 0) && !engine_pid_alive_since(-1, 0), "pid 0 and -1 are never alive");
}

int main(void)
{
	test_pid_alive();
	test_name_check();
	test_name_generate();
	test_status();
	return done_testing();
}
