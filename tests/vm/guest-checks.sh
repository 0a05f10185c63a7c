# Check reporting shared by the guest scripts that ci-guest.sh runs from this directory: pass and
# fail print one line each, and fail counts the failures in $failures for the exit status.
# smoke-guest.sh and apparmor-guest.sh keep their own copies, as they are copied alone to a share.
failures=0

pass() {
    echo "ok    $*"
}

fail() {
    echo "FAIL  $*"
    failures=$((failures + 1))
}
