# Sourced by bin/ scripts. Sets JUPYTER_PYTHON to a Python that has Jupyter's client libraries.
# Debian's Jupyter packages belong to /usr/bin/python3, and the first python3 on PATH may be
# another interpreter, so candidates are tried in order: $DIFFII_JUPYTER_PYTHON, the active conda
# environment's python, /usr/bin/python3, then python3 on PATH.
find_jupyter_python() {
  local candidate
  for candidate in "${DIFFII_JUPYTER_PYTHON:-}" "${CONDA_PREFIX:+$CONDA_PREFIX/bin/python}" \
      /usr/bin/python3 "$(command -v python3 || true)"; do
    if [[ -n "$candidate" && -x "$candidate" ]] \
        && "$candidate" -c 'import jupyter_client, nbclient, nbconvert' 2>/dev/null; then
      JUPYTER_PYTHON="$candidate"
      return 0
    fi
  done
  echo "No Python with jupyter_client, nbclient and nbconvert found. Install them with" >&2
  echo "  apt-get install jupyter-client python3-nbclient jupyter-nbconvert" >&2
  echo "or use the conda environment in environment.yml, or set DIFFII_JUPYTER_PYTHON." >&2
  return 1
}
