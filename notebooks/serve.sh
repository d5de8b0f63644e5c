#!/bin/sh
# Serves these notebooks in Jupyter Notebook (Debian's jupyter-notebook), on
# loopback only, with the etcetera module of BUILD_DIR. `./run lab` runs it;
# the suite starts it the same way (tests/notebooks/front_end_test.py).
#
#   notebooks/serve.sh BUILD_DIR PORT [JUPYTER_OPTION...]
#
# Jupyter prints the URL to open, with its token. Its kernel is Debian's
# /usr/bin/python3 (the kernel python3-ipykernel installs).
set -eu
[ $# -ge 2 ] || { echo "usage: notebooks/serve.sh BUILD_DIR PORT [JUPYTER_OPTION...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || { echo "serve.sh: no build directory '$1' (run ./run build)" >&2; exit 2; }
port=$2
shift 2
ETCETERA_BUILD="$build" exec /usr/bin/jupyter-notebook --no-browser --allow-root \
  --ip=127.0.0.1 --port="$port" --port-retries=0 --notebook-dir="$here" "$@"
