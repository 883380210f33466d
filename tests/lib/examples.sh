# SPDX-License-Identifier: GPL-2.0-or-later
# examples.sh - SystemTap's official example scripts, as a test corpus.
#
# Debian's systemtap-doc installs them under /usr/share/systemtap/examples,
# each with a .meta file whose test_check line shows how stap runs it. We
# read the flags and script arguments from there (never copying a script),
# so stap and stapc see the same command line.

EXAMPLES_DIR=${EXAMPLES_DIR:-/usr/share/systemtap/examples}

# The 196 scripts (the stapgames tapset files are libraries, not scripts).
examples_list() {
	(cd "$EXAMPLES_DIR" && find . -name '*.stp' ! -path './stapgames/tapset/*' | sed 's|^\./||' | LC_ALL=C sort)
}

# Splits a shell command line into words, one per line, honouring quotes
# and backslashes. Nothing is evaluated: $$ and `...` stay as text.
shell_words() {
	awk '{
		n = length($0); w = ""; have = 0; q = ""
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (q == "\x27") { if (c == "\x27") q = ""; else w = w c; continue }
			if (q == "`") { w = w c; if (c == "`") q = ""; continue }
			if (c == "`") { q = c; w = w c; have = 1; continue }
			if (q == "\"") {
				if (c == "\\" && i < n) { i++; w = w substr($0, i, 1); continue }
				if (c == "\"") q = ""; else w = w c
				continue
			}
			if (c == "\x27" || c == "\"") { q = c; have = 1; continue }
			if (c == "\\" && i < n) { i++; w = w substr($0, i, 1); have = 1; continue }
			if (c == " " || c == "\t") { if (have) print w; w = ""; have = 0; continue }
			w = w c; have = 1
		}
		if (have) print w
	}'
}

# Prints, one per line, what matters to passes 1 and 2 for example REL (a
# path under EXAMPLES_DIR): with WHAT=flags the options -g, -I DIR (made
# absolute), -D and -G; with WHAT=args the script's own arguments.
example_args() {
	local what=$1 rel=$2 dir meta line words w script=""
	dir=$(dirname "$EXAMPLES_DIR/$rel")
	meta="$EXAMPLES_DIR/${rel%.stp}.meta"
	if [ ! -f "$meta" ]; then
		# A few scripts have no .meta; these are the command lines their
		# comments describe.
		case "$what:$rel" in
		flags:*templatized.stp) echo -g ;;
		args:general/pyexample.stp) echo python ;;
		args:profiling/graphcall.stp) printf '%s\n' /bin/ls main ;;
		esac
		return 0
	fi
	line=$(grep -m1 '^test_check:.*stap ' "$meta" | sed 's/^test_check:[[:space:]]*//')
	[ -n "$line" ] || line=$(grep -m1 '^test_installcheck:.*stap ' "$meta" | sed 's/^test_installcheck:[[:space:]]*//')
	[ -n "$line" ] || return 0
	mapfile -t words < <(printf '%s\n' "$line" | shell_words)
	local i=1 n=${#words[@]} flags=() args=()
	while [ $i -lt $n ]; do
		w=${words[$i]}
		case "$w" in
		--) ;;
		--*) ;;
		-[pDGIcxdoSsmBRTrEa]|--vp)
			case "$w" in
			-I) flags+=(-I "$dir/${words[$((i + 1))]}") ;;
			-D|-G) flags+=("$w" "${words[$((i + 1))]}") ;;
			esac
			i=$((i + 1)) ;;
		-*)
			# Bundled flags: -gp4, -wp4, -Itapset/, -Gsize=1
			case "$w" in
			-I*) flags+=(-I "$dir/${w#-I}") ;;
			-G*) flags+=(-G "${w#-G}") ;;
			-D*) flags+=(-D "${w#-D}") ;;
			*g*) flags+=(-g) ;;
			esac ;;
		*)
			if [ -z "$script" ]; then script=$w; else args+=("$w"); fi ;;
		esac
		i=$((i + 1))
	done
	if [ "$what" = flags ]; then
		[ ${#flags[@]} -eq 0 ] || printf '%s\n' "${flags[@]}"
	else
		[ ${#args[@]} -eq 0 ] || printf '%s\n' "${args[@]}"
	fi
}
