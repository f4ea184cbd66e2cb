/* system.c: `engine system df [--format F]`: Docker's TYPE / TOTAL /
 * ACTIVE / SIZE / RECLAIMABLE table.  Containers, volumes and build cache
 * have no store yet (#4): their rows are zero. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "humanize.h"
#include "image.h"
#include "template.h"

static json_t *row(const char *type, size_t total, size_t active, int64_t size, int64_t reclaimable)
{
	char s[32], r[64], t[32], a[32];
	cmd_human_size(size, s, sizeof(s));
	cmd_human_size(reclaimable, r, sizeof(r));
	if (size > 0)
		snprintf(r + strlen(r), sizeof(r) - strlen(r), " (%lld%%)",
			 (long long)(reclaimable * 100 / size));
	snprintf(t, sizeof(t), "%zu", total);
	snprintf(a, sizeof(a), "%zu", active);
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type", type, "TotalCount", t, "Active", a, "Size",
			 s, "Reclaimable", r);
}

static const struct cmd_template_header headers[] = {
	{ "TotalCount", "TOTAL" },
	{ NULL, NULL },
};

static int system_df(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL;
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			format = optarg;
			break;
		case 'h':
			puts("Usage: engine system df [OPTIONS]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind != argc) {
		engine_error_set(&err, EINVAL, "\"engine system df\" accepts no arguments");
		return cmd_report(err);
	}
	if (format != NULL && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format != NULL && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	cleanup_free char *root = NULL;
	struct engine_disk_usage du;
	if (cmd_store_root(g, &root, &err) < 0 || engine_image_disk_usage(root, &du, &err) < 0)
		return cmd_report(err);
	cleanup_json json_t *rows = json_array();
	json_array_append_new(rows, row("Images", du.images, du.active_images, du.images_size,
					du.reclaimable));
	json_array_append_new(rows, row("Containers", 0, 0, 0, 0));
	json_array_append_new(rows, row("Local Volumes", 0, 0, 0, 0));
	json_array_append_new(rows, row("Build Cache", 0, 0, 0, 0));
	if (cmd_template_print(format,
			       "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
			       rows, headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}

int cmd_system(int argc, char **argv, struct cmd_global *g)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		puts("Usage: engine system COMMAND\n\nCommands:\n  df   show disk usage");
		return argc < 2 ? 125 : 0;
	}
	if (strcmp(argv[1], "df") == 0)
		return system_df(argc - 1, argv + 1, g);
	fprintf(stderr, "Error: unknown command \"%s\" for \"engine system\"\n", argv[1]);
	return 125;
}
