/* test-containers.c: container names (Docker's rule, generated
 * adjective_noun names) and ps's Status strings. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "containers.h"
#include "humanize.h"
#include "image.h"
#include "run-args.h"
#include "spec.h"
#include "tap.h"
#include "template.h"

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

/* go-units' wording, which Docker's Status and CREATED columns use. */
static void test_durations_and_sizes(void)
{
	static const struct {
		int64_t s;
		const char *want;
	} d[] = {
		{ 0, "Less than a second" }, { 1, "1 second" },       { 59, "59 seconds" },
		{ 60, "About a minute" },    { 119, "About a minute" }, { 120, "2 minutes" },
		{ 3599, "59 minutes" },      { 3600, "About an hour" }, { 5399, "About an hour" },
		{ 5400, "2 hours" },         { 7200, "2 hours" },
		{ 47 * 3600, "47 hours" },   { 48 * 3600, "2 days" },   { 14 * 86400, "2 weeks" },
		{ 60 * 86400, "2 months" },  { 730 * 86400, "2 years" },
	};
	char out[64];
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		cmd_human_duration(d[i].s, out, sizeof(out));
		is_str(out, d[i].want, "duration %lld s", (long long)d[i].s);
	}
	const int64_t s = 1000000000, now = 1700000000 * s;
	cmd_container_status(1, 0, now - 90 * s, 0, now, out, sizeof(out));
	is_str(out, "Up About a minute", "up about a minute");
	static const struct {
		int64_t b;
		const char *want;
	} z[] = { { 0, "0B" }, { 12, "12B" }, { 999, "999B" }, { 1000, "1kB" },
		  { 4300000, "4.3MB" }, { 2140000, "2.14MB" }, { 1234567890, "1.23GB" } };
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		cmd_human_size(z[i].b, out, sizeof(out));
		is_str(out, z[i].want, "size %lld", (long long)z[i].b);
	}
	cmd_created_at(1700000000, out, sizeof(out));
	is_str(out, "2023-11-14 22:13:20 +0000 UTC", "CreatedAt as Docker's");
}

/* Docker's tabwriter (minwidth 10, padding 3), {{.Label "k"}}, index. */
static void test_template(void)
{
	json_t *rows = json_pack("[{s:s,s:s,s:s,s:{s:s}}]", "ID", "0123456789ab", "Ports", "", "Names",
				 "web", "#Label", "a", "1");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cmd_template_print("table {{.ID}}\t{{.Ports}}\t{{.Names}}", "", rows, NULL, f, NULL);
	fclose(f);
	is_str(buf, "ID             PORTS     NAMES\n0123456789ab             web\n",
	       "table: cells padded to the widest + 3, at least 10");
	free(buf);
	json_t *row = json_array_get(rows, 0);
	char *r = cmd_template_render("{{.Label \"a\"}}|{{.Label \"b\"}}|{{index .Label \"a\"}}", row);
	is_str(r, "1||1", "method with an argument, index");
	free(r);
	r = cmd_template_render("{{json .}}", row);
	is_str(r, "{\"ID\":\"0123456789ab\",\"Ports\":\"\",\"Names\":\"web\"}",
	       "json hides the methods");
	free(r);
	ok(cmd_template_check("{{.Label \"a}}", NULL) < 0, "unterminated string refused");
	ok(cmd_template_check("{{index .A}}", NULL) < 0, "index without a key refused");
	ok(cmd_template_check("{{json .A \"x\"}}", NULL) < 0, "json with an argument refused");
	json_decref(rows);
}

/* -l over --label-file whatever the order; "KEY" alone is an empty value. */
static void test_labels(void)
{
	char path[] = "/tmp/test-labels-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "# comment\n\n  a=file\nb=file\r\nc\n";
	ok(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1), "label file");
	close(fd);
	char *argv[] = { "run", "-l", "a=flag", "--label-file", path, "--label", "d=x=y",
			 "--rootfs", "/", "true", NULL };
	struct engine_run_spec spec = { 0 };
	struct engine_error *err = NULL;
	int help = 0;
	ok(cmd_run_parse(10, argv, &spec, &help, &err) == 0, "parse -l and --label-file");
	is_str(engine_label_get(&spec, "a") ?: "(null)", "flag", "-l wins over the file");
	is_str(engine_label_get(&spec, "b") ?: "(null)", "file", "from the file, CR dropped");
	is_str(engine_label_get(&spec, "c") ?: "(null)", "", "a key alone: empty value");
	is_str(engine_label_get(&spec, "d") ?: "(null)", "x=y", "the value keeps its '='");
	ok(engine_label_get(&spec, "zz") == NULL, "absent");
	/* The image's Labels go under the user's. */
	struct storage_image img = { .config = json_pack("{s:{s:[s],s:{s:s,s:s,s:i}}}", "config", "Cmd",
							 "sh", "Labels", "a", "image", "e", "image",
							 "n", 1) };
	ok(engine_spec_apply_image(&spec, &img, NULL, false, NULL, &err) == 0, "apply the image");
	is_str(engine_label_get(&spec, "a") ?: "(null)", "flag", "the user's label wins");
	is_str(engine_label_get(&spec, "e") ?: "(null)", "image", "the image's label is added");
	ok(engine_label_get(&spec, "n") == NULL, "a label that is not a string is dropped");
	json_decref(img.config);
	ok(engine_label_add(&spec, "=v", &err) < 0, "empty key refused");
	engine_error_free(&err);
	ok(engine_label_add(&spec, "a b=v", &err) < 0, "whitespace in the key refused");
	engine_error_free(&err);
	engine_run_spec_free(&spec);
	unlink(path);
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
	test_durations_and_sizes();
	test_template();
	test_labels();
	return done_testing();
}
