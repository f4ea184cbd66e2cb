#!/usr/bin/env bash
# tests/mode-tags.sh MODE: the bats --filter-tags expression that leaves out
# the tests meant for other modes.  A test that holds in one mode only
# carries `# bats test_tags=only:MODE` (root, rootless, nosub) or
# `only:nonroot` (rootless and nosub); untagged tests run in every mode.
case ${1:-} in
root) echo '!only:rootless,!only:nosub,!only:nonroot' ;;
rootless) echo '!only:root,!only:nosub' ;;
nosub) echo '!only:root,!only:rootless' ;;
*) echo "mode-tags.sh: unknown mode '${1:-}'" >&2; exit 2 ;;
esac
