/* mode.h: the container's network mode and what each needs at setup. */
#pragma once

#include "error.h"

enum netns_mode {
	NETNS_MODE_DEFAULT = 0, /* a private namespace; slirp4netns joins it in a later release */
	NETNS_MODE_NONE,        /* a private namespace with only lo */
	NETNS_MODE_HOST,        /* the caller's namespace */
};

/* Parse --network VALUE.  Modes not implemented yet are refused by name. */
int netns_mode_parse(const char *value, enum netns_mode *ret, struct engine_error **err);
const char *netns_mode_name(enum netns_mode mode);
/* Whether the container gets a network namespace of its own. */
int netns_mode_is_private(enum netns_mode mode);
/* net.ipv4.ping_group_range of the current network namespace. */
int netns_ping_group_range_set(unsigned first, unsigned last, struct engine_error **err);
/* Bring lo up inside the current (new) network namespace. */
int netns_loopback_up(struct engine_error **err);
