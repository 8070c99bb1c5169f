#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The layers of userspace/, bottom to top:
#
#   proto/   the socket, requests, strict parsers, one file per message
#   core/    the model, report building, watch, run, symbolization, config
#   print/   the text and JSON printers
#   cli/     one file per command, the shared option helper
#   main.c   the command table
#
# A file may include the headers of its own layer and of those below,
# named with their folder: #include "proto/nl.h". This fails, naming the
# line, for an include of a layer above, a local include without a
# layer, and a source outside the layers. The tests (tests/) may include
# anything. Run by "make" and "make test" in userspace/.
#
# Usage: check-layers.sh [DIR]   (default: the folder of this script)

dir=${1:-$(dirname "$0")}
cd "$dir" || exit 1

rank() {
	case $1 in
	proto) echo 1 ;;
	core) echo 2 ;;
	print) echo 3 ;;
	cli) echo 4 ;;
	main.c) echo 5 ;;
	*) echo 0 ;;
	esac
}

bad=0
for f in *.c *.h proto/* core/* print/* cli/*; do
	case $f in
	*.c | *.h) ;;
	*) continue ;;
	esac
	[ -e "$f" ] || continue
	layer=${f%%/*}
	mine=$(rank "$layer")
	if [ "$mine" = 0 ]; then
		echo "$f: not in a layer (proto/, core/, print/, cli/ or main.c)" >&2
		bad=1
		continue
	fi
	# each #include "...", as "line:path"
	for inc in $(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		     sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1:\2/'); do
		line=${inc%%:*}
		path=${inc#*:}
		case $path in
		*/*) theirs=$(rank "${path%%/*}") ;;
		*) theirs=0 ;;
		esac
		if [ "$theirs" = 0 ] || [ "$theirs" = 5 ]; then
			echo "$f:$line: #include \"$path\": name a layer (\"proto/...\")" >&2
			bad=1
		elif [ "$theirs" -gt "$mine" ]; then
			echo "$f:$line: #include \"$path\": ${path%%/*}/ is above ${layer%.c}" \
			     "(proto < core < print < cli < main.c)" >&2
			bad=1
		fi
	done
done
[ $bad = 0 ] || echo "check-layers: includes break the layers (see the top of $0)" >&2
exit $bad
