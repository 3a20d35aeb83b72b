#!/usr/bin/env bash
# Publishes the Functions app as the zip Azure Functions (Flex Consumption, custom handler) deploys:
#   host.json at the root, one folder per function with its function.json, and the app itself,
#   started by the command host.json names (customHandler.description.defaultExecutablePath).
#
#   functions/publish.sh [outdir]      outdir: the staging folder (default artifacts/functions-app)
#
# Self-contained linux-x64 first, so the "custom" runtime needs no dotnet on the worker; if that cannot be
# built (no runtime packs), framework-dependent, with host.json pointed at "dotnet CoachFlow.Web.dll".
# COACHFLOW_PUBLISH_MODE=self-contained|framework-dependent forces one; COACHFLOW_ZIP overrides the zip path.
# Prints the zip's path on stdout; everything else goes to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT="$ROOT/functions/CoachFlow.Web"
APP=CoachFlow.Web
FUNCTIONS=(api pages openapi work timers)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '%s\n' "$*" >&2; }
die() { say "publish: $*"; exit 1; }

OUT=${1:-"$ROOT/artifacts/functions-app"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ZIP=${COACHFLOW_ZIP:-"$ROOT/artifacts/coachflow-functions.zip"}
mkdir -p "$(dirname "$ZIP")"
ZIP="$(cd "$(dirname "$ZIP")" && pwd)/$(basename "$ZIP")"
case "$OUT" in "$ROOT" | "/" | "$ROOT/functions" | "$PROJECT") die "refusing to stage into $OUT";; esac

publish() { # mode
  rm -rf "${OUT:?}"/* "${OUT:?}"/.[!.]* 2>/dev/null || true
  local args=(publish "$PROJECT" -c Release -o "$OUT" --nologo -v quiet -clp:NoSummary)
  if [ "$1" = self-contained ]; then args+=(-r linux-x64 --self-contained true)
  else args+=(--self-contained false); fi
  say "Publishing $APP ($1)…"
  dotnet "${args[@]}" >&2
}

MODE=${COACHFLOW_PUBLISH_MODE:-}
case "$MODE" in "" | self-contained | framework-dependent) ;; *) die "COACHFLOW_PUBLISH_MODE is self-contained or framework-dependent";; esac
if [ -n "$MODE" ]; then
  publish "$MODE"
elif publish self-contained; then
  MODE=self-contained
else
  say "Self-contained publish failed (runtime packs unavailable?); falling back to framework-dependent."
  MODE=framework-dependent
  publish "$MODE"
fi

# The Functions host reads host.json and <function>/function.json from the package root. The csproj copies
# them there (Link); the Web SDK also publishes the source tree's functions/ folder as content: drop it.
[ -f "$OUT/host.json" ] || cp "$PROJECT/host.json" "$OUT/host.json"
for f in "${FUNCTIONS[@]}"; do
  [ -f "$PROJECT/functions/$f/function.json" ] || die "missing source functions/$f/function.json"
  mkdir -p "$OUT/$f"
  [ -f "$OUT/$f/function.json" ] || cp "$PROJECT/functions/$f/function.json" "$OUT/$f/function.json"
done
rm -rf "${OUT:?}/functions"

# The start command must match what was produced.
if [ "$MODE" = self-contained ]; then
  EXE=$APP; ARGS='[]'
  [ -f "$OUT/$EXE" ] || die "the self-contained publish produced no $EXE executable"
  chmod +x "$OUT/$EXE"
else
  EXE=dotnet; ARGS="[\"$APP.dll\"]"
  [ -f "$OUT/$APP.dll" ] || die "the publish produced no $APP.dll"
fi
python3 - "$OUT/host.json" "$EXE" "$ARGS" <<'PY'
import json, sys
path, exe, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with open(path, encoding="utf-8") as f: host = json.load(f)
desc = host.setdefault("customHandler", {}).setdefault("description", {})
desc["defaultExecutablePath"] = exe
desc["arguments"] = args
desc.setdefault("workingDirectory", "")
with open(path, "w", encoding="utf-8") as f: json.dump(host, f, indent=2); f.write("\n")
PY

rm -f "$ZIP"
if command -v zip >/dev/null 2>&1; then
  (cd "$OUT" && zip -qr -X "$ZIP" .)
else
  # Python's zipfile keeps the Unix mode bits, so the executable stays executable.
  (cd "$OUT" && python3 -m zipfile -c "$ZIP" $(ls -A))
fi
say "Published $APP ($MODE) to $OUT"
echo "$ZIP"
