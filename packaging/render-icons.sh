#!/bin/sh
# Renders icons/lockscope.svg to the PNG sizes that Linux desktops (hicolor theme) and jpackage use.
# Needs rsvg-convert (Debian: librsvg2-bin). The PNGs are committed, so a build does not need it.
set -eu
cd "$(dirname "$0")/../icons"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" --output "lockscope-$size.png" lockscope.svg
done
