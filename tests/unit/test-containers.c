/* test-containers.c: container names (Docker's rule, generated
 * adjective_noun names), ps's Status strings, and the listing's summary
 * (json-scan.c: what ps reads without building the documents), and the
 * records' bounds and repairs (libengine/container/repair.c). */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "libengine/container/record.h"
#include "libengine/container/repair.h"
#include "libengine/container/containers.h"
#include "cmd/humanize.h"
#include "libengine/image/image.h"
#include "libengine/container/json-scan.h"
#include "cmd/run-args.h"
#include "libengine/runtime/spec.h"
#include "proc-checks.h"
#include "fixtures.h"
#include "tap.h"
#include "cmd/template.h"

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
	/* Go's index with no key is the value itself; a function's arity is
	 * checked when it runs, with Go's words. */
	r = cmd_template_render("{{index .Names}}", row);
	is_str(r, "web", "index without a key is the value");
	free(r);
	struct engine_error *e = NULL;
	ok(cmd_template_check("{{json .A \"x\"}}", NULL) == 0, "json with two arguments parses");
	ok(cmd_template_execute("{{json .Names \"x\"}}", row, &e) == NULL && e != NULL &&
		   strstr(e->msg, "wrong number of args for json") != NULL,
	   "json with two arguments fails when it runs, naming json");
	engine_error_free(&e);
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
	checked_own_start_time();
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

struct scan_seen {
	char keys[256];
	char values[512];
};

static int scan_collect(void *data, const char *key, size_t kl, const char *v, size_t vl)
{
	struct scan_seen *s = data;
	size_t a = strlen(s->keys), b = strlen(s->values);
	snprintf(s->keys + a, sizeof(s->keys) - a, "%.*s|", (int)kl, key);
	snprintf(s->values + b, sizeof(s->values) - b, "%.*s|", (int)vl, v);
	return 0;
}

static void test_json_scan(void)
{
	struct scan_seen s = { 0 };
	const char *doc = " {\"a\" : \"x\\\"}\" ,\"b\":[1,{\"c\":\"]\"}],\"d\":{\"e\":[]},\"f\":-12,\"g\":true}\n";
	is_int(json_scan_object(doc, strlen(doc), scan_collect, &s), 0, "scan: walked to the end");
	is_str(s.keys, "a|b|d|f|g|", "scan: the members' keys");
	is_str(s.values, "\"x\\\"}\"|[1,{\"c\":\"]\"}]|{\"e\":[]}|-12|true|",
	       "scan: values as spans (escapes, brackets inside strings)");
	static const char *const bad[] = { "", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
					   "{\"a\":[1}", "{\"a\":\"x}", "{\"a\":1} x", "{\"a\":1 \"b\":2}" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct scan_seen t = { 0 };
		is_int(json_scan_object(bad[i], strlen(bad[i]), scan_collect, &t), -1, "scan: '%s' is malformed",
		       bad[i]);
	}
	struct scan_seen e = { 0 };
	is_int(json_scan_object("{ }", 3, scan_collect, &e), 0, "scan: the empty object");
	const char *str;
	size_t len;
	ok(json_scan_str("\"abc\"", 5, &str, &len) && len == 3 && memcmp(str, "abc", 3) == 0, "scan: a plain string");
	ok(!json_scan_str("\"a\\nb\"", 6, &str, &len), "scan: a string with escapes is left to jansson");
	int64_t i = 0;
	ok(json_scan_int("-9223372036854775808", 20, &i) && i == INT64_MIN, "scan: INT64_MIN");
	ok(json_scan_int("1795908962600524837", 19, &i) && i == 1795908962600524837LL, "scan: a time in ns");
	ok(!json_scan_int("9223372036854775808", 19, &i), "scan: past INT64_MAX refused");
	ok(!json_scan_int("1.5", 3, &i) && !json_scan_int("1e3", 3, &i) && !json_scan_int("", 0, &i),
	   "scan: not an integer");
	bool b = false;
	ok(json_scan_bool("true", 4, &b) && b && json_scan_bool("false", 5, &b) && !b &&
	   !json_scan_bool("null", 4, &b), "scan: booleans");
}

static void write_text(int dirfd, const char *rel, const char *text)
{
	int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", rel);
	close(fd);
}

/* A new store in ROOT (a mkdtemp template): two tests. */
static struct storage_store *temp_store(char *root)
{
	struct storage_store *store = NULL;
	struct engine_error *err = NULL;
	ok(mkdtemp(root) != NULL, "store dir");
	ok(storage_store_open(root, &store, &err) == 0, "open the store");
	engine_error_free(&err);
	return store;
}

/* ps's listing (summary) and the full one agree, on what create writes
 * and on a hand-written record that the summary cannot walk. */
static void test_list_summary(void)
{
	char root[] = "/var/tmp/test-containers-XXXXXX";
	struct storage_store *store = temp_store(root);
	struct engine_error *err = NULL;
	char *argv[] = { "run", "-l", "k=v", "-l", "q=a\"b", "--rootfs", "/", "sh", "-c", "echo \"hi\"", NULL };
	struct engine_run_spec spec = { 0 };
	int help = 0;
	ok(cmd_run_parse(10, argv, &spec, &help, &err) == 0, "parse %s", err ? err->msg : "");
	snprintf(spec.id, sizeof(spec.id), "%s", "1111111111111111111111111111111111111111111111111111111111111111");
	ok(engine_container_create(store, &spec, "web", NULL, NULL, &err) == 0, "create web");
	snprintf(spec.id, sizeof(spec.id), "%s", "2222222222222222222222222222222222222222222222222222222222222222");
	ok(engine_container_create(store, &spec, NULL, "abcd", NULL, &err) == 0, "create unnamed");
	engine_run_spec_free(&spec);
	/* Pretty-printed with an escaped name: the full parse takes it. */
	int cfd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *id3 = "3333333333333333333333333333333333333333333333333333333333333333";
	mkdirat(cfd, id3, 0700);
	char rel[128];
	snprintf(rel, sizeof(rel), "%s/config.json", id3);
	write_text(cfd, rel, "{\n  \"Name\": \"od\\u0064\",\n  \"Created\": 5,\n  \"Image\": \"img\",\n"
		   "  \"Spec\": { \"argv\": [\"a b\", \"c\"], \"labels\": {\"x\": \"y\"}, \"network\": 2 }\n}\n");
	snprintf(rel, sizeof(rel), "%s/state.json", id3);
	write_text(cfd, rel, "{ \"Status\": \"exited\", \"ExitCode\": 3, \"Removing\": false }");
	/* Malformed: neither listing shows it. */
	const char *id4 = "4444444444444444444444444444444444444444444444444444444444444444";
	mkdirat(cfd, id4, 0700);
	snprintf(rel, sizeof(rel), "%s/config.json", id4);
	write_text(cfd, rel, "{\"Name\": \"broken\", \"Spec\": {");
	close(cfd);

	struct engine_container **full = NULL, **sum = NULL;
	size_t nf = 0, ns = 0;
	ok(engine_container_list(store, &full, &nf, &err) == 0, "full listing");
	ok(engine_container_list_running(store, false, &sum, &ns, &err) == 0, "summary listing");
	is_int(nf, 3, "full: three containers");
	is_int(ns, 3, "summary: three containers");
	for (size_t i = 0; i < nf && i < ns; i++) {
		const struct engine_container *a = full[i], *b = sum[i];
		is_str(b->id, a->id, "same order");
		is_str(b->name, a->name, "%.4s: name", a->id);
		is_str(b->image, a->image, "%.4s: image", a->id);
		is_str(b->image_id, a->image_id, "%.4s: image id", a->id);
		is_int(b->created_ns, a->created_ns, "%.4s: created", a->id);
		is_int(b->state.status, a->state.status, "%.4s: status", a->id);
		is_int(b->state.exit_code, a->state.exit_code, "%.4s: exit code", a->id);
		char ca[256] = "", cb[256] = "";
		for (size_t k = 0; a->argv[k]; k++)
			snprintf(ca + strlen(ca), sizeof(ca) - strlen(ca), "%s|", a->argv[k]);
		for (size_t k = 0; b->argv[k]; k++)
			snprintf(cb + strlen(cb), sizeof(cb) - strlen(cb), "%s|", b->argv[k]);
		is_str(cb, ca, "%.4s: command", a->id);
		/* The summary's fields, as the record would write them. */
		json_t *ja = engine_record_config_json(a), *jb = engine_record_config_json(b);
		json_t *sa = json_object_get(ja, "Spec"), *sb = json_object_get(jb, "Spec");
		static const char *const keys[] = { "rootfs", "network", "labels", "argv", "storage_driver",
						    "layers" };
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			ok(json_equal(json_object_get(sa, keys[k]), json_object_get(sb, keys[k])) ||
				   (json_object_get(sa, keys[k]) == NULL && json_object_get(sb, keys[k]) == NULL),
			   "%.4s: Spec.%s", a->id, keys[k]);
		json_decref(ja);
		json_decref(jb);
	}
	ok(ns == 3 && strcmp(sum[2]->name, "odd") == 0 && sum[2]->state.exit_code == 3,
	   "the hand-written record: escapes decoded, its state read");
	ok(ns == 3 && strcmp(sum[1]->name, "web") == 0 &&
		   strcmp(engine_label_get(&sum[1]->spec, "q") ?: "", "a\"b") == 0,
	   "a label with a quote");
	for (size_t i = 0; i < nf; i++)
		engine_container_free(full[i]);
	for (size_t i = 0; i < ns; i++)
		engine_container_free(sum[i]);
	free(full);
	free(sum);
	engine_error_free(&err);
	storage_store_close(store);
	clean_up_tree(root);
}

/* A pid that was ours and is gone. */
static pid_t dead_pid(void)
{
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	return child;
}

static bool exists_at(int dirfd, const char *rel)
{
	return faccessat(dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The record is bounded at create by what its readers accept (1 MiB):
 * over it, nothing is created; under it, the record reads back.  A name
 * without a record is taken over; orphans are told from live creates; a
 * running record whose monitor is gone has an unknown exit. */
static void test_record_bounds(void)
{
	char root[] = "/var/tmp/test-containers-XXXXXX";
	struct storage_store *store = temp_store(root);
	struct engine_error *err = NULL;
	mkdirat(store->rootfd, "containers", 0700);
	static char big[100001];
	memset(big, 'a', sizeof(big) - 1);
	char *argv[16] = { NULL };
	struct engine_run_spec spec = { .argv = argv };
	for (int i = 0; i < 12; i++)
		argv[i] = big;
	snprintf(spec.id, sizeof(spec.id), "%s", "1111111111111111111111111111111111111111111111111111111111111111");
	ok(engine_container_record_check(&spec, NULL, &err) < 0 && err != NULL && err->status == E2BIG,
	   "1.2 MB of arguments: E2BIG");
	engine_error_free(&err);
	ok(engine_container_create(store, &spec, "big", NULL, NULL, &err) < 0 && err != NULL &&
		   err->status == E2BIG && strchr(err->msg, '\n') == NULL,
	   "create refuses it with one line");
	engine_error_free(&err);
	ok(!exists_at(store->rootfd, "containers/1111111111111111111111111111111111111111111111111111111111111111"),
	   "no directory created");
	ok(!exists_at(store->rootfd, "container-names/big"), "no name taken");
	/* 900 kB: under the bound, and every reader takes it. */
	argv[9] = NULL;
	ok(engine_container_create(store, &spec, "large", NULL, NULL, &err) == 0, "900 kB record created %s",
	   err ? err->msg : "");
	struct engine_container *c = NULL;
	ok(engine_container_get(store, "large", &c, &err) == 0 && c->argv[8] != NULL &&
		   strlen(c->argv[8]) == sizeof(big) - 1,
	   "and read back whole");
	engine_container_free(c);
	c = NULL;

	/* A create killed between its name and its record. */
	int cfd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *ghost = "5555555555555555555555555555555555555555555555555555555555555555";
	mkdirat(cfd, ghost, 0700);
	char rel[160], text[160];
	snprintf(rel, sizeof(rel), "container-names/%s", "ghost");
	write_text(store->rootfd, rel, ghost);
	argv[0] = "true";
	argv[1] = NULL;
	snprintf(spec.id, sizeof(spec.id), "%s", "6666666666666666666666666666666666666666666666666666666666666666");
	ok(engine_container_create(store, &spec, "ghost", NULL, NULL, &err) == 0,
	   "a name whose create died is taken over %s", err ? err->msg : "");
	engine_error_free(&err);
	ok(engine_container_get(store, "ghost", &c, &err) == 0 && strcmp(c->id, spec.id) == 0,
	   "and names the new container");
	engine_container_free(c);
	c = NULL;
	snprintf(spec.id, sizeof(spec.id), "%s", "7777777777777777777777777777777777777777777777777777777777777777");
	ok(engine_container_create(store, &spec, "ghost", NULL, NULL, &err) < 0 && err->status == EEXIST,
	   "a name with a record is still a conflict");
	engine_error_free(&err);
	/* A name file left empty (an older create killed between its
	 * O_EXCL open and its write) names nobody: taken over too. */
	write_text(store->rootfd, "container-names/empty", "");
	snprintf(spec.id, sizeof(spec.id), "%s", "8888888888888888888888888888888888888888888888888888888888888888");
	ok(engine_container_create(store, &spec, "empty", NULL, NULL, &err) == 0,
	   "an empty name file is taken over %s", err ? err->msg : "");
	engine_error_free(&err);
	ok(!exists_at(store->rootfd, "container-names/.tmp-8888888888888888888888888888888888888888888888888888888888888888"),
	   "no temp name left by a create");

	/* Orphans: a dead claim, a live one, an unclaimed fresh directory. */
	snprintf(rel, sizeof(rel), "%s/image", ghost);
	snprintf(text, sizeof(text), "%s %d\n", "abcd", (int)dead_pid());
	write_text(cfd, rel, text);
	ok(engine_container_orphaned(cfd, ghost), "a claim of a dead process: orphan");
	snprintf(text, sizeof(text), "%s %d\n", "abcd", (int)getpid());
	write_text(cfd, rel, text);
	ok(!engine_container_orphaned(cfd, ghost), "a claim of a live process: not an orphan");
	const char *fresh = "8888888888888888888888888888888888888888888888888888888888888888";
	mkdirat(cfd, fresh, 0700);
	ok(!engine_container_orphaned(cfd, fresh), "an unclaimed directory just made: not yet");
	ok(!engine_container_orphaned(cfd, "6666666666666666666666666666666666666666666666666666666666666666"),
	   "a record: never an orphan");
	snprintf(text, sizeof(text), "%s %d\n", "abcd", (int)dead_pid());
	write_text(cfd, rel, text);
	/* The sweep removes it from inside the user namespace (as root: a
	 * mount namespace only). */
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, &err) == 0) {
		int swept = engine_store_sweep(store, &map, &err);
		ok(swept >= 1 && !exists_at(cfd, ghost) && exists_at(cfd, fresh) &&
			   !exists_at(store->rootfd, "container-names/big"),
		   "the sweep removes the orphan only (%d) %s", swept, err ? err->msg : "");
	}
	engine_error_free(&err);

	/* "running" with a monitor that is gone: the exit is not known. */
	snprintf(rel, sizeof(rel), "%s/state.json", "6666666666666666666666666666666666666666666666666666666666666666");
	snprintf(text, sizeof(text), "{\"Status\":\"running\",\"MonitorPid\":%d,\"ExitCode\":0}", (int)dead_pid());
	write_text(cfd, rel, text);
	ok(engine_container_get(store, "ghost", &c, &err) == 0 && c->state.status == ENGINE_CONTAINER_EXITED &&
		   c->state.exit_code == ENGINE_EXIT_UNKNOWN,
	   "a dead monitor's exit: unknown, not 137");
	engine_container_free(c);
	char status[128];
	cmd_container_status(ENGINE_CONTAINER_EXITED, ENGINE_EXIT_UNKNOWN, 0, 1, 2000000001, status, sizeof(status));
	ok(strncmp(status, "Exited (unknown)", 16) == 0, "ps: %s", status);
	close(cfd);
	engine_error_free(&err);
	storage_store_close(store);
	clean_up_tree(root);
}

int main(void)
{
	test_json_scan();
	test_list_summary();
	test_record_bounds();
	test_pid_alive();
	test_name_check();
	test_name_generate();
	test_status();
	test_durations_and_sizes();
	test_template();
	test_labels();
	return done_testing();
}
