#!/usr/bin/env bash
# Install everything shadowbench needs on a fresh Debian machine: Jupyter (nbconvert to run the
# notebooks, jupyter-notebook 6.4 to open them: Debian bookworm has no JupyterLab)
# and Chromium (for the figures) from Debian, and the npm packages (which also builds the code).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in jupyter-nbconvert jupyter-notebook python3-nbclient python3-jupyter-client python3-ipython chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing from Debian: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
npm ci --no-audit --no-fund
