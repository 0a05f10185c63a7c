# Check reporting shared by the guest scripts that ci-guest.sh runs from this directory: pass and
# fail print one line each, and fail counts the failures in $failures for the exit status.
# smoke-guest.sh and apparmor-guest.sh keep their own copies, as they are copied alone to a share.
# shellcheck shell=bash
failures=0

pass() {
    echo "ok    $*"
}

fail() {
    echo "FAIL  $*"
    failures=$((failures + 1))
}

# Compares a value read back with the expected one. Usage: expect_value DESCRIPTION ACTUAL EXPECTED
expect_value() {
    if [ "$2" = "$3" ]; then
        pass "$1 is $3"
    else
        fail "$1 is '$2', expected '$3'"
    fi
}
