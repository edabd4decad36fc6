#!/bin/bash
# Builds the desktop packages from what `mvn package` left in target/. Called by `mvn -Ppackage package`
# (see the `package` profile in pom.xml), which first copies the runtime dependencies to target/jlink-mods
# and picocli-codegen to target/packaging-tools.
#
#   target/packaging/runtime      jlink'ed Java runtime with Lockscope and its modules linked in
#   target/dist/lockscope/        jpackage app image: bin/lockscope, the runtime, an AppCDS archive
#   target/dist/lockscope_*.deb   the Debian package: the app image in /opt/lockscope, /usr/bin/lockscope
#                                 (packaging/usr-bin-lockscope),
#                                 bash and zsh completion, man pages, .desktop entry and icons
#
# Needs: a JDK 17 with jlink and jpackage; Debian packages fakeroot, dpkg-dev, binutils (jpackage's .deb and
# jlink's --strip-debug) and asciidoctor (man pages).
set -euo pipefail

target=$(realpath "$1")
version=$2                            # the Maven version, e.g. 0.1.0-SNAPSHOT
app_version=${version%-SNAPSHOT}      # jpackage and dpkg want plain numbers
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=$target/packaging
dist=$target/dist
mods=$target/jlink-mods
tools=$target/packaging-tools

for tool in jlink jpackage asciidoctor dpkg-deb fakeroot objcopy; do
  command -v "$tool" >/dev/null || {
    echo "build-packages: '$tool' is missing: apt-get install -y openjdk-17-jdk-headless fakeroot dpkg-dev binutils asciidoctor" >&2
    exit 69
  }
done
# Each step says when it started (seconds since this script did), so a slow build shows where its time went.
step() { echo "build-packages: [${SECONDS} s] $*"; }

rm -rf "$work" "$dist"
mkdir -p "$work" "$dist"

# --- 1. jlink: every dependency is an explicit module. The openjfx "empty" jars (no classifier) only pull in
#        the platform jar and are automatic modules, which jlink refuses; they carry nothing.
find "$mods" -name 'javafx-*.jar' ! -name 'javafx-*-*-*.jar' -delete
#        JavaFX is an optional module of dev.lockscope (requires static), so the inspector's modules are named
#        here, and --add-options makes every start of this runtime resolve them (the leading space keeps jlink
#        from taking the value for one of its own options).
echo "build-packages: jlink"
jlink --module-path "$target/lockscope-$version.jar:$mods" \
  --add-modules dev.lockscope,javafx.controls,javafx.fxml \
  --add-options " --add-modules=javafx.controls,javafx.fxml" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --generate-cds-archive \
  --output "$work/runtime"
# The archive for heaps over 32 GB (no compressed oops) is 10 MB that this tool never uses.
rm -f "$work/runtime/lib/server/classes_nocoops.jsa"

# --- 2. man pages and completion, generated from the picocli model of the CLI.
step "man pages and completion"
codegen_cp="$target/classes:$mods/*:$tools/*"
java -cp "$codegen_cp" picocli.codegen.docgen.manpage.ManPageGenerator -d "$work/man-adoc" dev.lockscope.cli.LockscopeCommand
mkdir -p "$work/man"
# One asciidoctor (a Ruby start) for all pages, not one per page: 1 s instead of 16 s here.
asciidoctor --backend manpage --destination-dir "$work/man" "$work"/man-adoc/*.adoc
java -cp "$codegen_cp" picocli.AutoComplete --force --name lockscope \
  --completionScript "$work/lockscope-completion.bash" dev.lockscope.cli.LockscopeCommand

# --- 3. the app image.
step "jpackage app image"
jpackage --type app-image --dest "$dist" --name lockscope --app-version "$app_version" \
  --vendor "Lockscope" --description "NFS-safe lock files: CLI and inspector" \
  --runtime-image "$work/runtime" --module dev.lockscope/dev.lockscope.Main \
  --icon "$repo/icons/lockscope-256.png"
app=$dist/lockscope

# --- 4. AppCDS: record the classes a typical CLI start loads (picocli's model, the scanner, the lock
#        verdicts, Jackson) in a dynamic archive on top of the runtime's default CDS archive (made by jlink
#        above). The archive names its base as "the runtime's default", so it stays valid when the app image is
#        installed elsewhere; a JVM that cannot map it falls back to loading classes normally (-Xshare:auto).
step "AppCDS training run"
training=$(mktemp -d)
trap 'rm -rf "$training"' EXIT
# The training runs with the options of /usr/bin/lockscope (packaging/usr-bin-lockscope).
java_opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
"$app/lib/runtime/bin/java" "${java_opts[@]}" -m dev.lockscope/dev.lockscope.Main run "$training/demo.lock" -- true
"$app/lib/runtime/bin/java" "${java_opts[@]}" -XX:ArchiveClassesAtExit="$app/lib/app/lockscope.jsa" \
  -m dev.lockscope/dev.lockscope.Main ls --all "$training" >/dev/null
grep -q '^\[JavaOptions\]' "$app/lib/app/lockscope.cfg" || echo '[JavaOptions]' >>"$app/lib/app/lockscope.cfg"
# The launcher expands $APPDIR to the image's lib/app directory.
sed -i '/^\[JavaOptions\]/a java-options=-XX:SharedArchiveFile=$APPDIR/lockscope.jsa\njava-options=-XX:TieredStopAtLevel=1\njava-options=-XX:+UseSerialGC' "$app/lib/app/lockscope.cfg"

# --- 5. the .deb: jpackage builds it from the app image (with the GTK and font dependencies it cannot see,
#        since JavaFX's native libraries are inside the jlink image); the files jpackage 17 cannot add
#        (it has no --app-content) are added to its tree and the package is rebuilt, so dpkg owns every
#        installed file and no maintainer script has to create or remove anything. jpackage's own desktop
#        integration (--linux-shortcut) is not used: it fails where there is no desktop menu directory.
step "jpackage .deb"
# jpackage's .deb is only unpacked again below, so it is not compressed (its dpkg-deb reads this variable);
# compressing it (xz, dpkg-deb's default) cost a minute of CPU, and the final package the same again.
DPKG_DEB_COMPRESSOR_TYPE=none jpackage --type deb --dest "$work/deb" --app-image "$app" --name lockscope --app-version "$app_version" \
  --vendor "Lockscope" --description "NFS-safe link(2) lock files: CLI and JavaFX inspector" \
  --install-dir /opt --linux-package-name lockscope --linux-app-category utils \
  --linux-deb-maintainer "lockscope@localhost" \
  --linux-package-deps "libgtk-3-0, fonts-dejavu-core"
deb=$(ls "$work"/deb/lockscope_*.deb)
root=$work/deb-root
dpkg-deb -R "$deb" "$root"
rm -f "$deb"

step "the final .deb"

sed "s/@APP_VERSION@/$app_version/" "$here/usr-bin-lockscope" >"$work/usr-bin-lockscope"
install -D -m 755 "$work/usr-bin-lockscope" "$root/usr/bin/lockscope"
install -D -m 644 "$work/lockscope-completion.bash" "$root/usr/share/bash-completion/completions/lockscope"
install -D -m 644 "$here/zsh/_lockscope" "$root/usr/share/zsh/vendor-completions/_lockscope"
install -d "$root/usr/share/man/man1"
for page in "$work"/man/*.1; do
  gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
done
install -D -m 644 "$here/lockscope.desktop" "$root/usr/share/applications/lockscope.desktop"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 644 "$repo/icons/lockscope-$size.png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/lockscope.png"
done
install -D -m 644 "$repo/icons/lockscope.svg" "$root/usr/share/icons/hicolor/scalable/apps/lockscope.svg"

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
installed_kib=$(du -s --apparent-size --block-size=1024 --exclude=DEBIAN "$root" | cut -f1)
sed -i "s/^Installed-Size:.*/Installed-Size: $installed_kib/" "$root/DEBIAN/control"
# gzip, not dpkg-deb's default xz: most of the payload is already compressed (jlink --compress=2 zips the
# module image), so xz -6 saved only 10 % (39.6 against 44.1 MB) for 20 times the CPU (60 s against 3 s here),
# and every dpkg reads gzip. A release build can choose: DPKG_DEB_COMPRESSOR_TYPE=xz mvn -Ppackage package.
if [ -z "${DPKG_DEB_COMPRESSOR_TYPE:-}" ]; then
  export DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=6
fi
dpkg-deb --root-owner-group --build "$root" "$dist/$(basename "$deb")" >/dev/null

step "done"
ls -l "$dist"
