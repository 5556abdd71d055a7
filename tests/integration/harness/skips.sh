#!/bin/bash
# Fixture for test_harness.sh: a script that skips.
echo "SKIPPED: harness fixture that skips"
exit 77
