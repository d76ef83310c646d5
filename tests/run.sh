#!/usr/bin/env bash
# The project's one test command: formatting, lints, and every test (unit, integration
# including the moto suite, doc tests). Runnable from any directory; needs python3 (3.9+) for
# moto and cargo. CI runs it through .ci/run.
#
# Environment:
#   COGNITO_MFA_MOTO_PYTHON  a Python with moto[server]==5.2.1 to use instead of the venv
#                            that this script creates at target/moto-venv.
#   COGNITO_MFA_PYCOGNITO_PYTHON  a Python with pycognito==2024.5.1 (the SRP cross-check) to use
#                            instead of target/moto-venv, where this script installs it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MOTO_VERSION=5.2.1
PYCOGNITO_VERSION=2024.5.1
VENV=target/moto-venv

step() {
    printf '\n==> %s\n' "$*"
}

if [[ -z "${COGNITO_MFA_MOTO_PYTHON:-}" ]]; then
    step "moto ${MOTO_VERSION} in ${VENV}"
    if [[ ! -x "${VENV}/bin/python" ]]; then
        python3 -m venv "${VENV}"
    fi
    installed="$("${VENV}/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null || true)"
    if [[ "${installed}" == "${MOTO_VERSION}" ]]; then
        echo "moto ${installed} already installed"
    else
        "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check \
            "moto[server]==${MOTO_VERSION}"
        "${VENV}/bin/python" -c 'import moto; print("installed moto", moto.__version__)'
    fi
    COGNITO_MFA_MOTO_PYTHON="$(pwd)/${VENV}/bin/python"
fi
export COGNITO_MFA_MOTO_PYTHON

# pycognito: an SRP implementation nobody here wrote, for the cross-check in src/srp.
if [[ -z "${COGNITO_MFA_PYCOGNITO_PYTHON:-}" ]]; then
    step "pycognito ${PYCOGNITO_VERSION} in ${VENV}"
    if [[ ! -x "${VENV}/bin/python" ]]; then
        python3 -m venv "${VENV}"
    fi
    installed="$("${VENV}/bin/python" -c 'import importlib.metadata as m; print(m.version("pycognito"))' 2>/dev/null || true)"
    if [[ "${installed}" == "${PYCOGNITO_VERSION}" ]]; then
        echo "pycognito ${installed} already installed"
    else
        "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check \
            "pycognito==${PYCOGNITO_VERSION}"
        "${VENV}/bin/python" -c 'import importlib.metadata as m; print("installed pycognito", m.version("pycognito"))'
    fi
    COGNITO_MFA_PYCOGNITO_PYTHON="$(pwd)/${VENV}/bin/python"
fi
export COGNITO_MFA_PYCOGNITO_PYTHON
export MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true

# The browser test (tests/browser) drives Debian's headless Chromium through chromedriver; nothing
# downloads a browser. Installed here when missing; without them that test fails, never skips.
step "chromium and chromium-driver (Debian) for the browser test"
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "already installed: $(chromium --version 2>/dev/null || echo chromium)"
else
    SUDO=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "ERROR: the browser test needs Debian's chromium and chromium-driver, and this" >&2
            echo "script is not root and has no sudo: apt-get install -y chromium chromium-driver" >&2
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "ERROR: the browser test needs chromium and chromedriver, and there is no apt-get" >&2
        echo "here: install Debian's chromium and chromium-driver (or your system's) by hand" >&2
        exit 1
    fi
    if ! "${SUDO[@]}" apt-get update -qq \
        || ! DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium chromium-driver; then
        echo "ERROR: apt-get could not install chromium and chromium-driver, which the browser" >&2
        echo "test (tests/browser) needs" >&2
        exit 1
    fi
    echo "installed: $(chromium --version 2>/dev/null || echo chromium)"
fi

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets --all-features -- -D warnings"
cargo clippy --all-targets --all-features -- -D warnings

step "cargo check --lib (no features: what a plain dependency builds)"
cargo check --lib

step "cargo doc --all-features --no-deps (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --all-features --no-deps

# The moto suites, the pycognito cross-check and the browser test are #[ignore]d for a plain
# `cargo test` (it needs no Python or browser); here they are installed, so they run with
# everything else.
step "cargo test --all-features -- --include-ignored"
cargo test --all-features -- --include-ignored

step "all checks passed"
