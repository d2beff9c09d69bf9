# verdict.sh - read avow-verify's --json verdict in plain POSIX sh (no
# JSON tool is assumed on the machine). Sourced by tests/lib.sh and
# tests/conformance/run.sh.
#
# After deleting escaped backslashes and then escaped quotes,
# no string holds a quote, so `"[^"]*"` is exactly one string and `"seq":`
# can only be a member name. The keys are sorted (RFC 8785: check, detail,
# seq), but the matching does not depend on their order.
strip_escapes() {
	tr -d '\n' | sed -e 's/\\\\//g' -e 's/\\"//g'
}
_V='\("[^"]*"\)\{0,1\}[^",}]*' # a string or a bare token (flat objects)
_M="\"[^\"]*\":$_V"              # one member
# first_failure JSON: print the first object of the first "failures":[...],
# or nothing.
first_failure() {
	case $1 in
	*'"failures":['*) ;;
	*) return ;;
	esac
	printf '%s\n' "${1#*'"failures":['}" |
		sed -n "s/^\({$_M\(,$_M\)*}\).*\$/\1/p"
}
# member NAME: print the string's content, or the bare value, of NAME.
member() {
	sed -n -e "s/^.*[{,]\"$1\":\"\([^\"]*\)\".*\$/\1/p" \
	    -e "t" -e "s/^.*[{,]\"$1\":\([^\",}]*\).*\$/\1/p"
}
