#!/bin/bash
# Fixture for test_harness.sh: one assertion that holds.
# shellcheck source=../../assert.sh
. "${BASH_SOURCE[0]%/*}/../../assert.sh"
assert_eq "harness fixture" yes yes
finish
