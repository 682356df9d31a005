# Shared by scripts/test and scripts/demo: system packages, the virtualenv and the locked dependencies.
# Idempotent: each step is skipped when what it makes is already there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# The interpreter the virtualenv is made from: $PYTHON if set, else Debian's /usr/bin/python3 when it is 3.11 or newer
# (an optimized build: reports render about a tenth faster than with a plain source build, such as pyenv's default,
# that may come first on PATH), else python3 on PATH.
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then PY=/usr/bin/python3
else PY=python3
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else echo "reassess: need root to run: $*" >&2; return 1; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq </dev/null
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
}

python_env() {
  if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then apt_install python3-venv; fi
  if [ ! -x .venv/bin/python ]; then echo "==> creating .venv"; "$PY" -m venv .venv; fi
  local stamp=.venv/.reassess-installed want
  want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)-$1
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing Python dependencies (requirements.lock)"
    .venv/bin/python -m pip install -q --upgrade pip </dev/null
    .venv/bin/python -m pip install -q -c requirements.lock -e ".$1" </dev/null
    echo "$want" > "$stamp"
  fi
}
