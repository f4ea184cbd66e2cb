/* test-template.c: --format templates as Docker evaluates them.  Each case
 * is a format from Docker's documentation ("Format command and log
 * output", the ps, images and inspect references) or from scripts people
 * write, applied to fixed data shaped like our ps, images and inspect
 * output; the expected text is written by hand from Go's text/template and
 * Docker's documented semantics.  Then the errors, with Go's messages. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/template.h"
#include "fixtures.h"
#include "tap.h"

/* A container as `inspect` shows it. */
static const char inspect_json[] =
	"{\"Id\": \"3f4e8a9c1b2d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f\","
	" \"Created\": \"2026-12-07T10:00:00Z\", \"Path\": \"sleep\", \"Args\": [\"300\"],"
	" \"State\": {\"Status\": \"running\", \"Running\": true, \"Paused\": false,"
	"   \"Restarting\": false, \"Pid\": 4242, \"ExitCode\": 0, \"StartedAt\": \"2026-12-07T10:00:01Z\"},"
	" \"Image\": \"sha256:1b18bc70d602\", \"Name\": \"/web\", \"RestartCount\": 0,"
	" \"LogPath\": \"/home/u/.local/share/engine/containers/3f4e/ctr.log\","
	" \"HostConfig\": {\"Memory\": 0, \"NanoCpus\": 1500000000,"
	"   \"RestartPolicy\": {\"Name\": \"on-failure\", \"MaximumRetryCount\": 3}},"
	" \"Mounts\": [{\"Type\": \"volume\", \"Name\": \"data\", \"Source\": \"/vol/data\","
	"   \"Destination\": \"/data\", \"RW\": true},"
	"  {\"Type\": \"bind\", \"Source\": \"/etc/hosts\", \"Destination\": \"/etc/hosts\", \"RW\": false}],"
	" \"Config\": {\"Hostname\": \"3f4e8a9c1b2d\", \"Env\": [\"PATH=/usr/bin:/bin\", \"TERM=xterm\"],"
	"   \"Cmd\": [\"sleep\", \"300\"], \"Image\": \"busybox:latest\", \"Entrypoint\": null, \"Volumes\": null,"
	"   \"Labels\": {\"tier\": \"frontend\", \"app\": \"web\"}, \"ExposedPorts\": {\"80/tcp\": {}}},"
	" \"NetworkSettings\": {\"IPAddress\": \"10.0.2.100\","
	"   \"Networks\": {\"slirp4netns\": {\"IPAddress\": \"10.0.2.100\", \"Gateway\": \"10.0.2.2\"}},"
	"   \"Ports\": {\"80/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"8080\"}],"
	"     \"53/udp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"5353\"}]}},"
	" \"Ratio\": 0.25, \"Big\": 1000000.0}";

/* A row of `ps` ("#Label" is the method behind {{.Label "k"}}). */
static const char ps_json[] =
	"{\"Command\": \"\\\"sleep 300\\\"\", \"CreatedAt\": \"2026-12-07 10:00:00 +0000 UTC\","
	" \"ID\": \"3f4e8a9c1b2d\", \"Image\": \"busybox:latest\", \"Labels\": \"app=web,tier=frontend\","
	" \"Mounts\": \"data\", \"Names\": \"web\", \"Networks\": \"slirp4netns\","
	" \"Ports\": \"0.0.0.0:8080->80/tcp\", \"RunningFor\": \"5 minutes ago\", \"Size\": \"0B\","
	" \"State\": \"running\", \"Status\": \"Up 5 minutes\","
	" \"#Label\": {\"app\": \"web\", \"tier\": \"frontend\"}}";

/* A row of `images`. */
static const char images_json[] =
	"{\"Repository\": \"127.0.0.1:5000/busybox\", \"Tag\": \"latest\", \"ID\": \"1b18bc70d602\","
	" \"CreatedSince\": \"2 weeks ago\", \"CreatedAt\": \"2026-11-20 08:00:00 +0000 UTC\","
	" \"Size\": \"4.26MB\", \"Digest\": \"<none>\", \"Containers\": \"N/A\"}";

struct example {
	char data; /* 'c' inspect, 'p' ps, 'i' images */
	const char *format, *want;
};

static const struct example examples[] = {
	/* docker inspect reference */
	{ 'c', "{{.NetworkSettings.IPAddress}}", "10.0.2.100" },
	{ 'c', "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "10.0.2.100" },
	{ 'c', "{{.LogPath}}", "/home/u/.local/share/engine/containers/3f4e/ctr.log" },
	{ 'c', "{{.Config.Image}}", "busybox:latest" },
	{ 'c', "{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}} {{end}}",
	  " 53/udp -> 5353  80/tcp -> 8080 " },
	{ 'c', "{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", "8080" },
	{ 'c', "{{json .Config.Labels}}", "{\"tier\":\"frontend\",\"app\":\"web\"}" },
	{ 'c', "{{json .State.Running}}", "true" },
	{ 'c', "{{.State.Pid}}", "4242" },
	{ 'c', "{{.Name}}", "/web" },
	/* "Format command and log output" */
	{ 'c', "{{join .Args \" , \"}}", "300" },
	{ 'c', "{{join .Config.Cmd \" \"}}", "sleep 300" },
	{ 'c', "{{json .Mounts}}",
	  "[{\"Type\":\"volume\",\"Name\":\"data\",\"Source\":\"/vol/data\",\"Destination\":\"/data\",\"RW\":true},"
	  "{\"Type\":\"bind\",\"Source\":\"/etc/hosts\",\"Destination\":\"/etc/hosts\",\"RW\":false}]" },
	{ 'c', "{{lower .State.Status}}", "running" },
	{ 'c', "{{split .Config.Image \":\"}}", "[busybox latest]" },
	{ 'c', "{{title .State.Status}}", "Running" },
	{ 'c', "{{upper .State.Status}}", "RUNNING" },
	{ 'c', "{{pad .State.Status 2 3}}|", "  running   |" },
	{ 'c', "{{truncate .Id 12}}", "3f4e8a9c1b2d" },
	{ 'c', "{{index (split .Config.Image \":\") 0}}", "busybox" },
	/* pipelines, conditionals, variables */
	{ 'c', "{{if .State.Running}}up{{else}}down{{end}}", "up" },
	{ 'c', "{{if .State.Paused}}paused{{else if .State.Running}}running{{else}}stopped{{end}}", "running" },
	{ 'c', "{{if eq .State.Status \"exited\" \"dead\"}}gone{{else}}here{{end}}", "here" },
	{ 'c', "{{if eq .State.Status \"exited\" \"running\"}}match{{end}}", "match" },
	{ 'c', "{{if ne .State.ExitCode 0}}failed{{else}}ok{{end}}", "ok" },
	{ 'c', "{{if and .State.Running (not .State.Paused)}}serving{{end}}", "serving" },
	{ 'c', "{{if or .State.Paused .State.Restarting}}busy{{else}}idle{{end}}", "idle" },
	{ 'c', "{{if gt .State.Pid 1}}child{{end}}", "child" },
	{ 'c', "{{if lt .RestartCount 1}}never restarted{{end}}", "never restarted" },
	{ 'c', "{{le 2 2}} {{ge 1 2}} {{lt \"a\" \"b\"}}", "true false true" },
	{ 'c', "{{with .HostConfig.RestartPolicy}}{{.Name}}:{{.MaximumRetryCount}}{{end}}", "on-failure:3" },
	{ 'c', "{{with .Config.Entrypoint}}{{.}}{{else}}no entrypoint{{end}}", "no entrypoint" },
	{ 'c', "{{range .Config.Env}}{{println .}}{{end}}", "PATH=/usr/bin:/bin\nTERM=xterm\n" },
	{ 'c', "{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}", "0=PATH=/usr/bin:/bin;1=TERM=xterm;" },
	{ 'c', "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}", "app=web tier=frontend " },
	{ 'c', "{{range .Mounts}}{{if eq .Type \"bind\"}}{{.Source}}:{{.Destination}}{{end}}{{end}}",
	  "/etc/hosts:/etc/hosts" },
	{ 'c', "{{range .Mounts}}{{$.Name}} {{.Destination}};{{end}}", "/web /data;/web /etc/hosts;" },
	{ 'c', "{{range .Config.Volumes}}x{{else}}no volumes{{end}}", "no volumes" },
	{ 'c', "{{$n := .Name}}{{$n}}", "/web" },
	{ 'c', "{{$c := 0}}{{range .Mounts}}{{$c = 1}}{{end}}{{$c}}", "1" },
	{ 'c', "{{range .Mounts}}{{if not .RW}}{{continue}}{{end}}{{.Name}}{{end}}", "data" },
	{ 'c', "{{range .Config.Env}}{{.}}{{break}}{{end}}", "PATH=/usr/bin:/bin" },
	{ 'c', "{{.State.Status | upper}}", "RUNNING" },
	{ 'c', "{{.Name | printf \"%q\"}}", "\"/web\"" },
	{ 'c', "{{.Config.Image | split \":\" | len}}", "1" }, /* split(":", image): the value goes last */
	{ 'c', "{{len .Mounts}} {{len .Config.Labels}} {{len .Name}}", "2 2 4" },
	{ 'c', "{{index .Config.Labels \"app\"}}", "web" },
	{ 'c', "[{{index .Config.Labels \"missing\"}}]", "[]" },
	{ 'c', "{{index .Config.Cmd 1}}", "300" },
	{ 'c', "{{slice .Id 0 6}} {{slice .Config.Cmd 1}}", "3f4e8a [300]" },
	/* Go's printing of values */
	{ 'c', "{{.Config.Labels}}", "map[app:web tier:frontend]" },
	{ 'c', "{{.Config.Cmd}}", "[sleep 300]" },
	{ 'c', "{{.State.Running}} {{.State.ExitCode}}", "true 0" },
	{ 'c', "{{.Ratio}} {{.Big}} {{.HostConfig.NanoCpus}}", "0.25 1e+06 1500000000" },
	{ 'c', "{{.Config.Entrypoint}}", "<nil>" },
	{ 'c', "{{.Config.Labels.missing}}", "<no value>" },
	/* fields Docker has and a document leaves out when empty */
	{ 'c', "{{if .State.Health}}{{.State.Health.Status}}{{else}}no healthcheck{{end}}", "no healthcheck" },
	{ 'c', "{{.State.Health}} {{.State.Health.Status}}", "<no value> <no value>" },
	{ 'c', "{{.NetworkSettings.Networks.slirp4netns.Gateway}}", "10.0.2.2" },
	{ 'c', "{{.Config.ExposedPorts}}", "map[80/tcp:map[]]" },
	/* printf and print */
	{ 'c', "{{printf \"%s has pid %d\" .Name .State.Pid}}", "/web has pid 4242" },
	{ 'c', "{{printf \"%-8s|%5s|\" .State.Status \"ab\"}}", "running |   ab|" },
	{ 'c', "{{printf \"%v %t %x %X %o %b\" .Config.Cmd .State.Running 255 255 8 5}}", "[sleep 300] true ff FF 10 101" },
	{ 'c', "{{printf \"%05d|%+d|%.2f|%e|%g\" 42 7 .Ratio .Ratio .Ratio}}", "00042|+7|0.25|2.500000e-01|0.25" },
	{ 'c', "{{printf \"%d\" .Name}}", "%!d(string=/web)" },
	{ 'c', "{{printf \"%s %s\" .Name}}", "/web %!s(MISSING)" },
	{ 'c', "{{printf \"%s\" .Name 1}}", "/web%!(EXTRA int=1)" },
	{ 'c', "{{printf \"%q %c %U %%\" \"a\\tb\" 65 0x1F600}}", "\"a\\tb\" A U+1F600 %" },
	{ 'c', "{{printf \"%.3s|%x\" .Id \"hi\"}}", "3f4|6869" },
	{ 'c', "{{print \"a\" 1 2 \"b\"}}", "a1 2b" },
	{ 'c', "{{println .Name .State.Pid}}", "/web 4242\n" },
	/* whitespace, comments, literals */
	{ 'c', "a  {{- .Name -}}  b", "a/webb" },
	{ 'c', "{{/* a comment */}}x{{- /* trimmed */ -}} y", "xy" },
	{ 'c', "{{`raw \\n`}}|{{\"esc\\n\"}}", "raw \\n|esc\n" },
	{ 'c', "{{1.5}} {{-3}} {{0x10}} {{'a'}} {{true}} {{print nil}}", "1.5 -3 16 97 true <nil>" },
	{ 'c', "{{html \"<a href='x'>\"}} {{urlquery \"a b&c\"}}", "&lt;a href=&#39;x&#39;&gt; a+b%26c" },
	/* docker ps */
	{ 'p', "{{.ID}}: {{.Command}}", "3f4e8a9c1b2d: \"sleep 300\"" },
	{ 'p', "{{.Names}}\\t{{.Status | upper}}", "web\tUP 5 MINUTES" },
	{ 'p', "{{.Label \"app\"}}/{{.Label \"tier\"}}/[{{.Label \"nope\"}}]", "web/frontend/[]" },
	{ 'p', "{{.Names}} {{.Ports}} {{.Networks}}", "web 0.0.0.0:8080->80/tcp slirp4netns" },
	{ 'p', "{{if eq .State \"running\"}}{{.Names}}{{end}}", "web" },
	{ 'p', "{{.Status | printf \"%.2s\" | lower}}", "up" },
	{ 'p', "{{.Names | printf \"%s!\"}}", "web!" },
	{ 'p', "{{json .Names}}", "\"web\"" },
	/* docker images */
	{ 'i', "{{.Repository}}:{{.Tag}}", "127.0.0.1:5000/busybox:latest" },
	{ 'i', "{{.ID}}: {{.Repository}}", "1b18bc70d602: 127.0.0.1:5000/busybox" },
	{ 'i', "{{.Repository}}\\t{{.Tag}}\\t{{.Size}}", "127.0.0.1:5000/busybox\tlatest\t4.26MB" },
	{ 'i', "{{if ne .Tag \"<none>\"}}{{.Repository}}:{{.Tag}}{{end}}", "127.0.0.1:5000/busybox:latest" },
	{ 'i', "{{json .}}",
	  "{\"Repository\":\"127.0.0.1:5000/busybox\",\"Tag\":\"latest\",\"ID\":\"1b18bc70d602\","
	  "\"CreatedSince\":\"2 weeks ago\",\"CreatedAt\":\"2026-11-20 08:00:00 +0000 UTC\","
	  "\"Size\":\"4.26MB\",\"Digest\":\"<none>\",\"Containers\":\"N/A\"}" },
};

/* Formats that must be refused before anything runs, with Go's text. */
static const struct text_case parse_errors[] = {
	{ "{{.Names}", "template parsing error: template: :1: unexpected \"}\" in operand" },
	{ "{{.Names", "template parsing error: template: :1: unclosed action" },
	{ "{{end}}", "template parsing error: template: :1: unexpected {{end}}" },
	{ "{{if .State}}x", "template parsing error: template: :1: unexpected EOF" },
	{ "{{nosuch .Names}}", "template parsing error: template: :1: function \"nosuch\" not defined" },
	{ "{{$x}}", "template parsing error: template: :1: undefined variable \"$x\"" },
	{ "{{\"abc}}", "template parsing error: template: :1: unterminated quoted string" },
	{ "{{range}}{{end}}", "template parsing error: template: :1: missing value for range" },
	{ "{{/* x }}", "template parsing error: template: :1: unclosed comment" },
	{ "{{break}}", "template parsing error: template: :1: {{break}} outside {{range}}" },
	{ "{{(.Names}}", "template parsing error: template: :1: unclosed left paren" },
	{ "{{.Names)}}", "template parsing error: template: :1: unexpected right paren" },
	{ "{{.Names | \"x\"}}", "template parsing error: template: :1: non executable command in pipeline stage 2" },
	{ "line1\n{{.A}}\n{{else}}", "template parsing error: template: :3: unexpected {{else}}" },
	{ "{{.Names @}}", "template parsing error: template: :1: unexpected \"@\" in operand" },
};

/* Formats that parse but fail on the data, with Go's position and text. */
static const struct {
	char data;
	const char *format, *want;
} exec_errors[] = {
	{ 'c', "{{.Foo}}", "template: :1:2: executing \"\" at <.Foo>: map has no entry for key \"Foo\"" },
	{ 'c', "{{.State.Status}} {{$.Nope.IPAddress}}",
	  "template: :1:20: executing \"\" at <$.Nope.IPAddress>: map has no entry for key \"Nope\"" },
	{ 'c', "{{range .Mounts}}{{$.Nope}}{{end}}",
	  "template: :1:19: executing \"\" at <$.Nope>: map has no entry for key \"Nope\"" },
	{ 'p', "{{.Names}}\t{{.Nope}}", "template: :1:13: executing \"\" at <.Nope>: map has no entry for key \"Nope\"" },
	{ 'c', "{{.Name.Foo}}", "template: :1:2: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string" },
	{ 'c', "{{.Config.Entrypoint.X}}",
	  "template: :1:2: executing \"\" at <.Config.Entrypoint.X>: nil pointer evaluating interface {}.X" },
	{ 'c', "{{len 3}}", "template: :1:2: executing \"\" at <len 3>: error calling len: len of type int" },
	{ 'c', "{{index .Config.Cmd 5}}",
	  "template: :1:2: executing \"\" at <index .Config.Cmd 5>: error calling index: index out of range: 5" },
	{ 'c', "{{index .Config.Entrypoint 0}}",
	  "template: :1:2: executing \"\" at <index .Config.Entryp...>: error calling index: index of untyped nil" },
	{ 'c', "{{range .Name}}{{end}}", "template: :1:2: executing \"\" at <range>: range can't iterate over /web" },
	{ 'c', "{{eq .Name 1}}", "template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: incompatible types for comparison" },
	{ 'c', "{{json or}}", "template: :1:7: executing \"\" at <or>: wrong number of args for or: want at least 1 got 0" },
	{ 'c', "{{len}}", "template: :1:2: executing \"\" at <len>: wrong number of args for len: want 1 got 0" },
	{ 'c', "{{.Name 1}}", "template: :1:2: executing \"\" at <.Name>: Name is not a method but has arguments" },
	{ 'c', "{{\"x\" 1}}", "template: :1:2: executing \"\" at <\"x\">: can't give argument to non-function \"x\"" },
};

/* A format as a TAP name: one line. */
static const char *shown(const char *format)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];
	size_t o = 0;
	for (const char *c = format; *c && o + 3 < sizeof(bufs[0]); c++) {
		if (*c == '\n') {
			b[o++] = '\\';
			b[o++] = 'n';
		} else {
			b[o++] = *c;
		}
	}
	b[o] = '\0';
	return b;
}

static json_t *data(char which)
{
	const char *text = which == 'c' ? inspect_json : which == 'p' ? ps_json : images_json;
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	if (v == NULL)
		printf("# bad fixture: %s at %d\n", e.text, e.position);
	return v;
}

int main(void)
{
	size_t n_examples = 0;
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *x = &examples[i];
		json_t *v = data(x->data);
		struct engine_error *err = NULL;
		char *got = cmd_template_execute(x->format, v, &err);
		if (got == NULL)
			printf("# error: %s\n", err && err->msg ? err->msg : "?");
		is_str(got, x->want, "%s", shown(x->format));
		n_examples++;
		free(got);
		engine_error_free(&err);
		json_decref(v);
	}
	ok(n_examples >= 60, "at least 60 formats (%zu)", n_examples);

	for (size_t i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++) {
		struct engine_error *err = NULL;
		int r = cmd_template_check(parse_errors[i].input, &err);
		ok(r < 0, "refused: %s", shown(parse_errors[i].input));
		is_str(err ? err->msg : NULL, parse_errors[i].want, "message for %s", shown(parse_errors[i].input));
		is_int(engine_error_exit_code(err), 125, "exit status 125 for %s", shown(parse_errors[i].input));
		engine_error_free(&err);
	}

	for (size_t i = 0; i < sizeof(exec_errors) / sizeof(exec_errors[0]); i++) {
		json_t *v = data(exec_errors[i].data);
		struct engine_error *err = NULL;
		ok(cmd_template_check(exec_errors[i].format, &err) == 0, "parses: %s", exec_errors[i].format);
		char *got = cmd_template_execute(exec_errors[i].format, v, &err);
		ok(got == NULL, "fails: %s", exec_errors[i].format);
		is_str(err ? err->msg : NULL, exec_errors[i].want, "message for %s", exec_errors[i].format);
		free(got);
		engine_error_free(&err);
		json_decref(v);
	}

	/* A hostile format ends with an error, quickly, in bounded memory. */
	json_t *v = data('c');
	const char *hostile[] = {
		"{{range 100000000}}x{{end}}",
		"{{range 5000}}{{range 5000}}{{end}}{{end}}",
		"{{printf \"%999999999d\" 1}}{{printf \"%999999d\" 1}}",
		"{{pad \"x\" 2000000000 2000000000}}",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct engine_error *err = NULL;
		char *got = cmd_template_execute(hostile[i], v, &err);
		ok(got == NULL || strlen(got) <= (16u << 20), "bounded: %s", hostile[i]);
		ok(got != NULL || (err && strstr(err->msg, "executing")), "bounded with an error: %s", hostile[i]);
		free(got);
		engine_error_free(&err);
	}
	struct engine_error *err = NULL;
	char deep[1024] = "";
	for (int i = 0; i < 200; i++)
		strcat(deep, "(");
	ok(cmd_template_check(deep, &err) == 0, "a text without actions is fine");
	snprintf(deep, sizeof(deep), "{{");
	for (int i = 0; i < 300; i++)
		strcat(deep, "(");
	strcat(deep, "1");
	for (int i = 0; i < 300; i++)
		strcat(deep, ")");
	strcat(deep, "}}");
	ok(cmd_template_check(deep, &err) < 0 && strstr(err->msg, "depth"), "nesting depth is bounded");
	engine_error_free(&err);
	json_decref(v);

	/* cmd_template_print: table, and nothing printed when a row fails. */
	json_t *rows = json_pack("[o,o]", data('p'), data('p'));
	static const struct cmd_template_header headers[] = { { "ID", "CONTAINER ID" }, { NULL, NULL } };
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	ok(cmd_template_print("table {{.ID}}\\t{{.Status | upper}}", NULL, rows, headers, f, &err) == 0,
	   "table format prints");
	fclose(f);
	is_str(out, "CONTAINER ID   STATUS\n3f4e8a9c1b2d   UP 5 MINUTES\n3f4e8a9c1b2d   UP 5 MINUTES\n",
	       "table with a pipeline");
	free(out);
	f = open_memstream(&out, &out_len);
	ok(cmd_template_print("{{.Names}} {{.Nope}}", NULL, rows, headers, f, &err) < 0, "unknown field fails");
	fclose(f);
	is_str(out, "", "nothing printed on an error");
	free(out);
	engine_error_free(&err);
	json_decref(rows);
	return done_testing();
}
