# Shared by the CLI checks (sourced, not run: ctest only runs tests/cli/*.sh
# that are not this file). Gives $xbg, a scratch dir $tmp, `expect` and $fail.
xbg=$1
# No progress lines: a check that counts output lines must not depend on how
# long a command took.
export XBG_PROGRESS=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# expect <exit code> <fixed string> -- command...
# Passes when the command exits with <code>, its output contains the string,
# and, for failures, the output is exactly one line (the one-line error rule).
expect() {
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]] || ! grep -qF -- "$pattern" <<<"$out" || [[ $code -ne 0 && $(wc -l <<<"$out") -ne 1 ]]; then
    echo "FAIL: $* -> rc=$rc, output:"; echo "$out"; fail=1
  fi
}
