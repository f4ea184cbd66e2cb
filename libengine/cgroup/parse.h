/* parse.h: cgroup file contents and Docker's resource flag values
 * as numbers (parse.c); exposed for run-args, the unit tests and the
 * fuzzers. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "libengine/cgroup/cgroup.h"

/* Layout from the text of /proc/self/mountinfo; MOUNTPOINT (may be NULL)
 * gets the cgroup2 mount point. */
enum engine_cgroup_layout engine_cgroup_parse_mountinfo(const char *mountinfo, char *mountpoint,
							 size_t size);
/* The "0::PATH" line of /proc/PID/cgroup; -1 when there is none (v1 only). */
int engine_cgroup_parse_proc_cgroup(const char *text, char *path, size_t size);
/* A cgroup.controllers (or subtree_control) line into ENGINE_CGROUP_* bits. */
unsigned engine_cgroup_parse_controllers(const char *text);
/* --cpus 0.5 -> quota 50000 with PERIOD 100000 (0 = default); -1 on a
 * value out of range (<= 0, or more than the machine could hold). */
int engine_cgroup_cpus_to_quota(double cpus, uint64_t period, uint64_t *quota);
/* The cpu.max line: "50000 100000", or "max 100000" for quota 0. */
void engine_cgroup_format_cpu_max(uint64_t quota, uint64_t period, char *buf, size_t size);
/* Docker's memory sizes: "32m", "1g", "512k", "1.5g", "100", "64MiB",
 * units of 1024; -1 on anything else or on overflow. */
int engine_parse_memory_size(const char *text, int64_t *bytes);
/* Docker's --cpu-shares (2..262144, 1024 default) to cgroup v2 cpu.weight
 * (1..10000), the conversion crun and runc use. */
uint64_t engine_cgroup_shares_to_weight(uint64_t shares);
/* "0-2,5" into a little-endian CPU bit mask (systemd's AllowedCPUs);
 * returns the number of bytes used, -1 on bad syntax. */
int engine_cgroup_parse_cpuset(const char *text, uint8_t *mask, size_t size);
/* Sum of rbytes= / wbytes= over the lines of io.stat. */
void engine_cgroup_parse_io_stat(const char *text, uint64_t *read_bytes, uint64_t *write_bytes);
/* The value of KEY in a flat-keyed file (cpu.stat, memory.events); -1 when absent. */
int engine_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value);

/* MASK's controllers as the kernel lists them: "cpu io memory". */
void engine_cgroup_format_controllers(unsigned mask, char *buf, size_t size);
