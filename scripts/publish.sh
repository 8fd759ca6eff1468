#!/usr/bin/env bash
# The one publish command. CI's published-app smoke test and the Dockerfile's build stage both run it,
# so what CI checks is what the image ships.
#   scripts/publish.sh [output-dir] [extra dotnet publish args...]   e.g. scripts/publish.sh out -p:OnnxRuntimeGpu=true
#   -r/--runtime RID replaces the default linux-x64, e.g. a managed-only publish for musl (Alpine):
#   scripts/publish.sh out -r linux-musl-x64 -p:ManagedOnly=true
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

output="$repo_root/artifacts/publish"
if [[ $# -gt 0 && $1 != -* ]]; then
  output="$1"
  shift
fi

# The runtime identifier: linux-x64 unless the arguments name one (dotnet publish refuses -r given twice).
runtime=linux-x64
args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -r | --runtime) runtime="${2:?$1 needs a runtime identifier}"; shift 2 ;;
    --runtime=*) runtime="${1#--runtime=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet publish "$repo_root/src/AttentionService/AttentionService.csproj" \
  -c Release -r "$runtime" --self-contained false \
  -o "$output" \
  -nologo \
  ${args[@]+"${args[@]}"}

# Fail here, not at container start, if the models did not come with the publish output.
shopt -s nullglob
models=("$output"/models/*.onnx)
if [[ ${#models[@]} -eq 0 ]]; then
  echo "publish: no models/*.onnx in $output; the AttentionService.csproj Content item should copy them" >&2
  exit 1
fi
# Seq2seq models are folders (models/<name>/seq2seq.json and its graphs): each must come whole.
folders=0
for config in "$repo_root"/models/*/seq2seq.json; do
  folder="$(basename "$(dirname "$config")")"
  for file in "$repo_root/models/$folder"/*; do
    if [[ ! -f "$output/models/$folder/$(basename "$file")" ]]; then
      echo "publish: models/$folder/$(basename "$file") is not in $output; the AttentionService.csproj Content item should copy model folders" >&2
      exit 1
    fi
  done
  folders=$((folders + 1))
done
echo "publish: $output ($runtime, ${#models[@]} model(s), $folders seq2seq folder(s))"
