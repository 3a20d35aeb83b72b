#!/usr/bin/env bash
# Publishes the Functions app (functions/CoachFlow.Functions, .NET isolated worker) as the zip Azure Functions
# (Flex Consumption, runtime dotnet-isolated) deploys: host.json, functions.metadata, worker.config.json and the
# worker at the root, the host's extensions (Durable Functions) under .azurefunctions/ with extensions.json naming them.
#
#   functions/publish.sh [outdir]      outdir: the staging folder (default artifacts/functions-app)
#
# Framework-dependent: the platform runs the worker with its own .NET (functionAppConfig.runtime in infra/).
# COACHFLOW_ZIP overrides the zip path. Prints the zip's path on stdout; everything else goes to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT="$ROOT/functions/CoachFlow.Functions"
APP=CoachFlow.Functions
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

rm -rf "${OUT:?}"/* "${OUT:?}"/.[!.]* 2>/dev/null || true
say "Publishing $APP…"
# NU1603 stays a warning, as in ./coachflow build: the Durable Task packages name versions the feed does not serve.
dotnet publish "$PROJECT" -c Release -o "$OUT" --self-contained false --nologo -v quiet -clp:NoSummary \
  -warnaserror -warnnotaserror:NU1603 >&2

# What the Functions host reads from the package root; without any of them it would start no worker or no function.
for f in host.json functions.metadata worker.config.json extensions.json "$APP.dll"; do
  [ -f "$OUT/$f" ] || die "the publish produced no $f"
done
[ -d "$OUT/.azurefunctions" ] || die "the publish produced no .azurefunctions/ (the host's extensions)"
[ ! -e "$OUT/local.settings.json" ] || die "local.settings.json must never ship"

rm -f "$ZIP"
if command -v zip >/dev/null 2>&1; then
  (cd "$OUT" && zip -qr -X "$ZIP" .)
else
  (cd "$OUT" && python3 -m zipfile -c "$ZIP" $(ls -A))
fi
say "Published $APP to $OUT"
echo "$ZIP"
