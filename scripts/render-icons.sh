#!/bin/sh
# Renders the app and tray icons in resources/ from their SVG sources. Run after editing an SVG; the PNG, ICO and
# ICNS files are committed so that building and packaging need none of these tools.
# Needs (Debian): apt-get install librsvg2-bin icoutils icnsutils
set -eu
cd "$(dirname "$0")/../resources"

mkdir -p icons tray
# Below 32 px the beacon's arcs blur into noise, so the smallest sizes use the simpler tray mark.
for size in 16 24; do
  rsvg-convert -w "$size" -h "$size" tray.svg -o "icons/${size}x${size}.png"
done
for size in 32 48 64 128 256 512 1024; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/${size}x${size}.png"
done
cp icons/1024x1024.png icon.png

# Windows: one .ico holding the sizes Explorer and the taskbar ask for.
icotool -c -o icon.ico icons/16x16.png icons/24x24.png icons/32x32.png icons/48x48.png icons/64x64.png icons/128x128.png -r icons/256x256.png
# macOS: the .icns sizes png2icns knows.
png2icns icon.icns icons/16x16.png icons/32x32.png icons/48x48.png icons/128x128.png icons/256x256.png icons/512x512.png icons/1024x1024.png >/dev/null

# Tray: 16 px and its @2x for high-DPI screens; the Template variant is black and alpha for the macOS menu bar.
rsvg-convert -w 16 -h 16 tray.svg -o tray/tray.png
rsvg-convert -w 32 -h 32 tray.svg -o tray/tray@2x.png
rsvg-convert -w 16 -h 16 trayTemplate.svg -o tray/trayTemplate.png
rsvg-convert -w 32 -h 32 trayTemplate.svg -o tray/trayTemplate@2x.png
echo "[icons] rendered into resources/"
