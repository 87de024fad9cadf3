# shellcheck shell=bash
# Shared helpers for scripts/demo and scripts/test. Source it; don't run it.
#
# After sourcing, REPO_ROOT is the repository root and the current directory
# is REPO_ROOT, whatever directory the calling script was started from.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1

VENV_DIR="$REPO_ROOT/.venv"
VENV_PY="$VENV_DIR/bin/python"
# Hash of the pyproject.toml last installed into the venv successfully.
INSTALL_STAMP="$VENV_DIR/.bsc-pyproject.sha256"

log() { printf '\n== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# True when the Debian package is installed (not merely known or half-removed).
deb_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# apt-get waits this long for the dpkg lock instead of failing at once: another
# apt-get may be running on the machine (e.g. a provisioning step).
APT_OPTS=(-o DPkg::Lock::Timeout=900)
_APT_UPDATED=0

# apt_install PKG...: install the given Debian packages, running
# `apt-get update` at most once per script run.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these by hand: $*"
    if [[ $_APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update
        _APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "$@"
}

# ensure_debs PKG...: install those of the given packages that are missing.
ensure_debs() {
    local missing=() pkg
    for pkg in "$@"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        apt_install "${missing[@]}"
    fi
}

# ensure_msgfmt: compilemessages needs GNU gettext's msgfmt.
ensure_msgfmt() {
    command -v msgfmt >/dev/null 2>&1 || apt_install gettext
}

# ensure_venv: create .venv if needed and `pip install -e '.[test]'` into it,
# but only when pyproject.toml changed since the last successful install.
ensure_venv() {
    # A venv whose interpreter no longer runs (e.g. the base Python moved) is
    # useless: start again.
    if [[ -d "$VENV_DIR" ]] && ! "$VENV_PY" -c 'import sys' >/dev/null 2>&1; then
        log "removing broken virtualenv $VENV_DIR"
        rm -rf "$VENV_DIR"
    fi
    if [[ ! -d "$VENV_DIR" ]]; then
        log "creating virtualenv $VENV_DIR"
        python3 -m venv "$VENV_DIR"
    fi

    local want have=""
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    [[ -f "$INSTALL_STAMP" ]] && have="$(cat "$INSTALL_STAMP")"
    if [[ "$want" != "$have" ]]; then
        log "installing Python dependencies (pip install -e '.[test]')"
        "$VENV_PY" -m pip install --disable-pip-version-check --progress-bar off \
            -e '.[test]'
        # Written only after pip succeeded, so a failed install is retried.
        printf '%s\n' "$want" >"$INSTALL_STAMP"
    else
        log "Python dependencies up to date"
    fi
}
