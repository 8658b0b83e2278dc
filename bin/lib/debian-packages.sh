# Sourced by the bin/install-* scripts that the build runs before tests needing a tool from Debian's packages.
# install_debian_packages never fails the build: where it cannot install, it says which tests are skipped.

# install_debian_packages "<the tests that need them>" package...
install_debian_packages() {
  local needed_by="$1"
  shift
  local sudo=""
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "WARNING: $* missing and cannot be installed without root: $needed_by skipped." \
           "apt-get install $* runs them." >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "WARNING: no apt-get to install $*: $needed_by skipped." >&2
    return 0
  fi
  echo "Installing Debian's $* for $needed_by ..."
  if ! { $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
      --no-install-recommends "$@"; }; then
    echo "WARNING: could not install $*: $needed_by skipped." >&2
  fi
  return 0
}
