#!/usr/bin/env bash
# Builds local stand-ins for the two base images where the official ones cannot be pulled:
#   attention-local/sdk:10.0     Debian bookworm minbase + this machine's .NET SDK (/usr/share/dotnet)
#   attention-local/aspnet:10.0  Debian bookworm minbase + only the .NET and ASP.NET Core shared runtimes
# Each is a debootstrap tree turned into an image with `docker import`. CAs added to this host
# (/usr/local/share/ca-certificates) are trusted in both, so NuGet restore inside the build works behind the same
# TLS-inspecting proxy as the host.
# Then:  docker build --network host --build-arg SDK_IMAGE=attention-local/sdk:10.0 \
#          --build-arg RUNTIME_IMAGE=attention-local/aspnet:10.0 -t attention-service .
# Needs root, debootstrap, a running Docker engine (DOCKER_HOST) and the .NET 10 SDK in $DOTNET_DIR.
#   scripts/docker-local-base.sh [work-dir]      default: artifacts/docker-local-base
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$repo_root/artifacts/docker-local-base}"
dotnet_dir="${DOTNET_DIR:-/usr/share/dotnet}"
suite=bookworm

# The Debian mirror this host's apt already uses, so the tree matches what the host can reach.
mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2> /dev/null || true)"
if [[ -z $mirror ]]; then
  mirror="$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2> /dev/null || true)"
fi
[[ -n $mirror ]] || { echo "no Debian mirror found in the apt sources" >&2; exit 1; }

rootfs="$work/rootfs"
if [[ ! -x $rootfs/bin/bash ]]; then
  rm -rf "$rootfs"
  mkdir -p "$work"
  # .NET needs libstdc++, zlib, OpenSSL and ICU (the SDK itself is not culture-invariant); restore needs CA roots.
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,libstdc++6,zlib1g \
    "$suite" "$rootfs" "$mirror"
fi
shopt -s nullglob
host_cas=(/usr/local/share/ca-certificates/*.crt)
if [[ ${#host_cas[@]} -gt 0 ]]; then
  cp "${host_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates > /dev/null
fi
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  - "attention-local/debian:$suite"

# build_dotnet_image TAG DIR...: the base plus the given parts of the .NET install under /usr/share/dotnet.
build_dotnet_image() {
  local tag="$1"; shift
  local context="$work/context-${tag//[:\/]/-}"
  rm -rf "$context"
  mkdir -p "$context/dotnet"
  for part in "$@"; do
    mkdir -p "$context/dotnet/$(dirname "$part")"
    cp -a "$dotnet_dir/$part" "$context/dotnet/$part"
  done
  docker build --network host -t "$tag" -f - "$context" << DOCKERFILE
FROM attention-local/debian:$suite
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}
DOCKERFILE
  rm -rf "$context"
}

build_dotnet_image attention-local/sdk:10.0 $(ls "$dotnet_dir")
build_dotnet_image attention-local/aspnet:10.0 dotnet host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App

docker image ls 'attention-local/*'
