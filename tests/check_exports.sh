#!/bin/sh
# check_exports.sh LIB - every dynamic symbol libxenctl exports is public API
# (xenctl_*), and every public header compiles on its own.
set -eu
bad=$(nm -D --defined-only "$1" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^xenctl_' | grep -v '^XENCTL_' || true)
if [ -n "$bad" ]; then
	echo "non-API symbols exported:"; echo "$bad"; exit 1
fi
src=$(cd "$(dirname "$0")/.." && pwd)
for h in "$src"/libxenctl/include/*.h "$src"/hv/include/xenlite/*.h; do
	printf '#include "%s"\n' "$h" | ${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic \
		-I"$src/hv/include" -I"$src/libxenctl/include" -fsyntax-only -x c - ||
		{ echo "header does not compile on its own: $h"; exit 1; }
done
echo "exports and headers ok"
