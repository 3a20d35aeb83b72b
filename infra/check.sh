#!/usr/bin/env bash
# Offline check of the CoachFlow infrastructure code.
#   infra/check.sh        (from any directory)
# Gets the Bicep CLI from NuGet (package Azure.Bicep.CommandLine.linux-x64, through the
# NuGet sources configured on this machine, so a warm ~/.nuget/packages cache is enough),
# then builds and lints infra/main.bicep, compiles both .bicepparam files and checks that
# every Bicep file is in `bicep format` layout.
# Exits non-zero on any Bicep warning or error: `bicep lint` exits 0 on warnings, so the
# diagnostics are collected and counted here.
set -euo pipefail

BICEP_VERSION=0.49.2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep"

if [[ ! -f "$bicep" ]]; then
  echo "bicep: restoring Azure.Bicep.CommandLine.linux-x64 $BICEP_VERSION from NuGet..." >&2
  # Restore a copy of the tools project outside the repository: no obj/ in the tree and no
  # Directory.Build.props / central package management from the repo root applies to it.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp infra/tools/BicepCli.csproj "$work/"
  config_args=()
  for name in nuget.config NuGet.config NuGet.Config; do
    if [[ -f "$ROOT/$name" ]]; then config_args=(--configfile "$ROOT/$name"); break; fi
  done
  if ! dotnet restore "$work/BicepCli.csproj" --nologo -v quiet "${config_args[@]}" >"$work/restore.log" 2>&1; then
    cat "$work/restore.log" >&2
    echo "bicep: FAILED to restore the Bicep CLI from NuGet" >&2
    exit 1
  fi
fi
if [[ ! -f "$bicep" ]]; then
  echo "bicep: FAILED: $bicep not found after restore" >&2
  exit 1
fi
[[ -x "$bicep" ]] || chmod +x "$bicep"

log="$(mktemp)"
trap 'rm -f "$log"; [[ -n "${work:-}" ]] && rm -rf "$work"' EXIT
failed=0

run() {
  # Runs one bicep command; stdout (compiled JSON) is discarded, diagnostics are kept.
  local step="$1"; shift
  if ! "$@" >/dev/null 2>>"$log"; then
    echo "bicep: step '$step' exited non-zero" >>"$log"
    failed=1
  fi
}

run build "$bicep" build infra/main.bicep --stdout
lint_start=$(wc -l <"$log")
run lint "$bicep" lint infra/main.bicep
lint_warnings=$(tail -n +"$((lint_start + 1))" "$log" | grep -c ' Warning ' || true)
run build-params-dev "$bicep" build-params infra/main.dev.bicepparam --stdout
# The prod file reads its secrets from the environment; compile it with placeholders
# (never the caller's real values) so the check is self-contained.
run build-params-prod env \
  SENDGRID_API_KEY=check-placeholder \
  COACHFLOW_LINK_SIGNING_KEY=check-placeholder-check-placeholder-0000 \
  COACHFLOW_SENDER_EMAIL=check@example.com \
  SENDGRID_WEBHOOK_PUBLIC_KEY=check-placeholder \
  COACHFLOW_PUBLIC_URL=https://coaching.example.com \
  "$bicep" build-params infra/main.prod.bicepparam --stdout

# Formatting: every .bicep/.bicepparam file must already be in `bicep format` layout.
while IFS= read -r f; do
  if ! "$bicep" format "$f" --stdout 2>>"$log" | cmp -s - "$f"; then
    echo "$f: Error format: not in 'bicep format' layout (run: bicep format $f)" >>"$log"
  fi
done < <(find infra -path infra/tools -prune -o \( -name '*.bicep' -o -name '*.bicepparam' \) -print | sort)

warnings=$(grep -c -E '(^|[ :])Warning ' "$log" || true)
errors=$(grep -c -E '(^|[ :])Error ' "$log" || true)

if [[ "$failed" -ne 0 || "$warnings" -ne 0 || "$errors" -ne 0 || -s "$log" ]]; then
  cat "$log" >&2
  echo "bicep: FAILED ($warnings warnings, $errors errors)" >&2
  exit 1
fi
echo "bicep: build ok, lint ${lint_warnings} warnings, build-params ok (dev, prod), format ok [Bicep CLI $BICEP_VERSION]"
