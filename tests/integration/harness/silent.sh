#!/bin/bash
# Fixture for test_harness.sh: exits 0 without running an assertion.
exit 0
