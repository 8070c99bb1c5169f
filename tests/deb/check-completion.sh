#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bash completion against the CLI's own help: every command of
# "anonleak --help" is offered after "anonleak", and every option of
# "anonleak help CMD" after "anonleak CMD -". Needs bash-completion.
#
#   tests/deb/check-completion.sh ANONLEAK COMPLETION-FILE
set -uo pipefail

cli=${1:?usage: check-completion.sh ANONLEAK COMPLETION-FILE}
file=${2:?usage: check-completion.sh ANONLEAK COMPLETION-FILE}
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || { echo "no $bc (bash-completion, scripts/deps.sh)"; exit 1; }
# shellcheck disable=SC1090
. "$bc"
# shellcheck disable=SC1090
. "$file" && declare -F _anonleak >/dev/null || { echo "no _anonleak in $file"; exit 1; }

complete_line() { # WORDS...: what completing after them offers
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_anonleak anonleak "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

bad=0 checked=0
commands=$("$cli" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
[ -n "$commands" ] || { echo "no commands in '$cli --help'"; exit 1; }
offered=$(complete_line anonleak "")
for c in $commands; do
	checked=$((checked + 1))
	grep -qx "$c" <<<"$offered" || { echo "command '$c' not completed"; bad=1; }
	[ "$c" = help ] && continue
	opts=$("$cli" help "$c" | sed -n '/^Options:/,/^$/p' | grep -oE '(^|[ ,])--?[a-z][a-z-]*' |
		tr -d ' ,' | sort -u)
	[ -n "$opts" ] || { echo "no options in 'anonleak help $c'"; bad=1; }
	offered_opts=$(complete_line anonleak "$c" -)
	for o in $opts; do
		checked=$((checked + 1))
		grep -qx -- "$o" <<<"$offered_opts" || { echo "'anonleak $c $o' not completed"; bad=1; }
	done
	for o in $offered_opts; do
		grep -qx -- "${o%=}" <<<"$opts" || { echo "'anonleak $c $o' completed, not in its help"; bad=1; }
	done
done
echo "$checked commands and options checked"
exit $bad
