#!/bin/sh
# Prints every argument it receives, one per line, so tests can check st2's serialisation.
echo "argc=$#"
i=1
for arg in "$@"; do
  printf 'argv[%d]=%s\n' "$i" "$arg"
  i=$((i + 1))
done
