#!/usr/bin/env bash
# Kernel CI: installs the kernel into a temporary prefix, runs Jupyter's kernel conformance suite,
# the kernel's protocol tests and bin/run-notebook's tests (kernel/src/test/python), then executes
# every notebook in notebooks/ headless with its quick parameters, failing on any error output.
# Executed notebooks and their HTML land in kernel/target/notebooks/.
# Expects `mvn -B package` to have run (else bin/install-kernel builds) and Debian's jupyter-client,
# python3-nbclient, jupyter-nbconvert, python3-ipykernel and python3-jupyter-kernel-test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/lib/jupyter-python.sh
find_jupyter_python
if ! "$JUPYTER_PYTHON" -c 'import jupyter_kernel_test' 2>/dev/null; then
  echo "jupyter_kernel_test is missing: apt-get install python3-jupyter-kernel-test" >&2
  exit 1
fi

started=$SECONDS
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
bin/install-kernel --prefix "$prefix"
# Jupyter looks in JUPYTER_PATH first, so this kernel shadows any other "java" kernelspec.
export JUPYTER_PATH="$prefix/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

echo "== kernel protocol and headless-run tests"
"$JUPYTER_PYTHON" -m unittest discover -v -s kernel/src/test/python -p 'test_*.py'

echo "== notebooks"
out="$root/kernel/target/notebooks"
mkdir -p "$out"
shopt -s nullglob
notebooks=(notebooks/*.ipynb)
if [[ ${#notebooks[@]} -eq 0 ]]; then
  echo "no notebooks in notebooks/" >&2
  exit 1
fi
for notebook in "${notebooks[@]}"; do
  bin/run-notebook --quick --timeout 1800 "$notebook" "$out/$(basename "$notebook")"
done
echo "== kernel CI passed in $((SECONDS - started)) s"
