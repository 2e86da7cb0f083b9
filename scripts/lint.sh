#!/bin/sh
# make lint: cppcheck and clang-tidy over compile_commands.json, and a grep
# for the C library calls the project bans (unbounded or unchecked).
set -u
cd "$(dirname "$0")/.."
rc=0

banned=$(git grep -n -E '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|sscanf)\s*\(' -- '*.c' '*.h' || true)
if [ -n "$banned" ]; then
    echo "lint: banned calls (use str_lcpy, snprintf, str_to_u32, strtok_r):"
    echo "$banned"
    rc=1
fi

cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
    --inline-suppr --library=scripts/cppcheck.cfg --project=compile_commands.json \
    --suppress='*:/usr/include/*' -i tests || rc=1

files=$(git ls-files 'lib/*.c' 'conf/*.c' 'daemon/*.c' 'cli/*.c' 'engine/*.c' \
    'agentx/*.c' 'collectors/*.c')
clang-tidy -p . --quiet $files 2>/dev/null | grep -E 'warning:|error:' && rc=1

[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
