#!/usr/bin/env bash
# The Debian package: builds it from this build tree with CPack, checks its file list and its Depends (resolvable
# on this machine: apt-get --simulate), runs lintian (no errors, no warnings), unpacks it into a throw-away root and
# runs the installed programs from there: --version, the man pages, a CLI smoke run (phantom -> run -> report with
# figures) and the app, which must find its bundled sample beside itself. Usage: package_test.sh BUILD_DIR
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in cpack dpkg-deb lintian apt-get; do
  command -v "$tool" >/dev/null || {
    if [ "${CPRECON_REQUIRE_DATA:-0}" = "1" ]; then fail "$tool is missing (scripts/setup-deps.sh installs it)"; fi
    echo "SKIP   : $tool is not installed"; exit 0; }
done

(cd "$build" && cpack -G DEB -B "$work/cpack" -D CPACK_OUTPUT_FILE_PREFIX="$work/out" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/out/cprecon_*_amd64.deb)"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"

# File list: the programs, man pages, desktop entry, metainfo, icons in every size, the sample, copyright, changelog.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/files"
for f in /usr/bin/cprecon /usr/bin/cprecon-cli /usr/share/man/man1/cprecon.1.gz /usr/share/man/man1/cprecon-cli.1.gz \
         /usr/share/applications/org.cellpaintrecon.cprecon.desktop /usr/share/metainfo/org.cellpaintrecon.cprecon.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/cprecon.svg /usr/share/doc/cprecon/copyright /usr/share/doc/cprecon/changelog.Debian.gz \
         /usr/share/cprecon/sample/README.md /usr/share/cprecon/sample/cpjump1_BR00117010_A01_s1/load_data.csv \
         /usr/share/cprecon/slurm/cprecon-run.sbatch; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f"
done
for s in 16 32 48 64 128 256; do grep -qx "/usr/share/icons/hicolor/${s}x${s}/apps/cprecon.png" "$work/files" || fail "no ${s}px icon"; done
! grep -q "/phantom/" "$work/files" || fail "the generated phantom plate must not be packaged"
! grep -qE "^/usr/(local|lib/debug)|/build/" "$work/files" || fail "stray build paths in the package"

# Depends: computed from the binaries, and every one installable here.
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for d in libtorch libqt6widgets6 libopencv-core libqcustomplot2.1-qt6 qt6-qpa-plugins; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d"
done
apt-get install --simulate -qq "$deb" > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt cannot install the package's Depends"; }

# lintian: no errors and no warnings (infos are listed).
lintian --tag-display-limit 0 "$deb" 2>/dev/null | tee "$work/lintian.log" || true
if grep -qE "^[EW]: " "$work/lintian.log"; then fail "lintian reports errors or warnings"; fi
lintian --version

# Installed into a throw-away root, run from there.
root="$work/root"
dpkg -x "$deb" "$root"
cli="$root/usr/bin/cprecon-cli"
"$cli" --version | grep -qx "cprecon-cli $(dpkg-deb -f "$deb" Version | cut -d- -f1)" || fail "cprecon-cli --version"
for m in cprecon cprecon-cli; do
  warnings="$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/$m.1.gz" 2>&1 >/dev/null || true)"
  [ -z "$warnings" ] || fail "man page $m.1: $warnings"
  zcat "$root/usr/share/man/man1/$m.1.gz" | grep -q "^\.SH OPTIONS\|^\.SH COMMANDS" || fail "man page $m.1 has no options"
done
zcat "$root/usr/share/man/man1/cprecon-cli.1.gz" | grep -q "^\.SS report" || fail "cprecon-cli.1 lacks the report command"
export QT_QPA_PLATFORM=offscreen
"$cli" phantom --out "$work/phantom" --plates 1 --wells 96 --size 256 --seed 3 --quiet
"$cli" run --screen "$work/phantom" --out "$work/run" --model bicubic8 --extractor handcrafted --repeats 1 --null-size 200 \
  --crop 0 > "$work/run.log" 2>&1 || { tail -20 "$work/run.log"; fail "the installed cprecon-cli run"; }
"$cli" report "$work/run" --out "$work/report" --format svg,csv > /dev/null || fail "the installed cprecon-cli report --format"
[ -s "$work/report/fr_table.md" ] && [ -s "$work/report/figures/manifest.json" ] && [ -s "$work/report/figures/box_mae.svg" ] ||
  fail "the installed cprecon-cli wrote no report / figures"
# The app from its menu entry's command (no arguments): it opens the sample installed beside it.
exec_line="$(grep '^Exec=' "$root/usr/share/applications/org.cellpaintrecon.cprecon.desktop" | cut -d= -f2 | cut -d' ' -f1)"
[ "$exec_line" = "cprecon" ] || fail "the desktop entry runs '$exec_line'"
shot="$(HOME="$work/home" timeout 120 "$root/usr/bin/$exec_line" --screenshot "$work/app.png" 2>/dev/null)" || fail "the installed app did not start"
echo "$shot"
grep -q "(screen: sample)" <<<"$shot" || fail "the installed app did not open its bundled sample"
[ -s "$work/app.png" ] || fail "no screenshot"
echo "package test: OK"
