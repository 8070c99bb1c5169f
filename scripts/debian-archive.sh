#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the Debian archive this machine is configured to use, so that other
# suites (bookworm-backports, bullseye, trixie) come from the same place: a
# user with a local mirror or proxy gets exactly that, and no mirror host is
# ever written into the repository.
#
#   scripts/debian-archive.sh [--sources SUITE...]
#
# Without options prints one line "URI KEYRING": the first enabled "deb"
# entry of /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}
# that carries this release's own suite (VERSION_CODENAME of
# /etc/os-release, e.g. bookworm) with the main component; KEYRING is its
# Signed-By (default /usr/share/keyrings/debian-archive-keyring.gpg).
# --sources prints a deb822 paragraph for the given suites instead, with
# the same URI and keyring. Exits 1 if no such entry exists.
# APT_SOURCES_DIR and OS_RELEASE override /etc/apt and /etc/os-release
# (tests).
set -euo pipefail

etc=${APT_SOURCES_DIR:-/etc/apt}
osr=${OS_RELEASE:-/etc/os-release}
default_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

codename=$(. "$osr" && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "debian-archive: no VERSION_CODENAME in $osr" >&2; exit 1; }

# One-line format: deb [opts] URI SUITE COMPONENT...
from_list() {
	local f=$1 line opts uri suite rest kr
	while read -r line; do
		line=${line%%#*}
		set -- $line
		[ "${1:-}" = deb ] || continue
		shift
		opts=
		if [ "${1:0:1}" = "[" ]; then
			while [ $# -gt 0 ]; do
				opts+=" $1"
				case "$1" in *"]") shift; break ;; esac
				shift
			done
		fi
		uri=${1:-} suite=${2:-}
		shift 2 || continue
		rest=" $* "
		[ "$suite" = "$codename" ] && [[ "$rest" == *" main "* ]] || continue
		kr=$(sed -n 's/.*signed-by=\([^] ]*\).*/\1/p' <<<"$opts")
		echo "$uri ${kr:-$default_keyring}"
		return 0
	done <"$f"
	return 1
}

# deb822 format: paragraphs of "Field: value" lines.
from_sources() {
	awk -v cn="$codename" -v dk="$default_keyring" '
	function flush() {
		if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
		    (" " suites " ") ~ (" " cn " ") && (" " comps " ") ~ / main /) {
			split(uris, u, " ")
			print u[1], (kr != "" ? kr : dk)
			found = 1
			exit
		}
		types = uris = suites = comps = kr = enabled = ""
	}
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { flush(); next }
	{
		field = tolower($1); sub(/:$/, "", field)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (field == "types") types = val
		else if (field == "uris") uris = val
		else if (field == "suites") suites = val
		else if (field == "components") comps = val
		else if (field == "signed-by") kr = val
		else if (field == "enabled") enabled = tolower(val)
	}
	END { if (!found) flush(); if (!found) exit 1 }' "$1"
}

found=
for f in "$etc/sources.list" "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	case "$f" in
	*.sources) found=$(from_sources "$f") || found= ;;
	*) found=$(from_list "$f") || found= ;;
	esac
	[ -n "$found" ] && break
done
if [ -z "$found" ]; then
	echo "debian-archive: no enabled 'deb' entry for $codename main in $etc" >&2
	exit 1
fi

if [ "${1:-}" = --sources ]; then
	shift
	[ $# -gt 0 ] || { echo "debian-archive: --sources needs suites" >&2; exit 2; }
	read -r uri kr <<<"$found"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$*" "$kr"
else
	echo "$found"
fi
