/* mode.h: the container's network mode and what each needs at setup. */
#pragma once

#include "common/error.h"

/* The values are stored in config.json: append only. */
enum netns_mode {
	NETNS_MODE_DEFAULT = 0, /* slirp4netns (also "bridge", "private", "slirp4netns[:OPTS]") */
	NETNS_MODE_NONE,        /* a private namespace with only lo */
	NETNS_MODE_HOST,        /* the caller's namespace */
	NETNS_MODE_CONTAINER,   /* container:NAME: another container's namespace */
	NETNS_MODE_NS,          /* ns:PATH: an existing namespace */
};

/* Parse --network VALUE.  slirp4netns options go to *RET_SLIRP_OPTS (a
 * struct netns_slirp_options, slirp4netns.h; may be NULL).  pasta is
 * refused with its reason (passt's pasta not installed, or not supported
 * by this engine).  container:NAME and ns:PATH need a non-empty
 * NAME or absolute PATH; the caller keeps it. */
struct netns_slirp_options;
int netns_mode_parse(const char *value, enum netns_mode *ret, struct netns_slirp_options *ret_slirp_opts,
		     struct engine_error **err);
const char *netns_mode_name(enum netns_mode mode);
/* Whether the container gets a network namespace of its own. */
int netns_mode_is_private(enum netns_mode mode);
/* net.ipv4.ping_group_range of the current network namespace. */
int netns_ping_group_range_set(unsigned first, unsigned last, struct engine_error **err);
/* Bring lo up inside the current (new) network namespace. */
int netns_loopback_up(struct engine_error **err);
