#!/usr/bin/env bash
# Builds local stand-ins for the two base images where the official ones cannot be pulled:
#   attention-local/sdk:10.0              Debian bookworm minbase + this machine's .NET SDK (/usr/share/dotnet)
#   attention-local/aspnet-chiseled:10.0  FROM scratch, chiseled like mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled:
#                                         only the shared libraries .NET loads (libc, libstdc++, libgcc_s, zlib,
#                                         OpenSSL), CA roots, /etc/passwd and /etc/group with app:1654, and the .NET and
#                                         ASP.NET Core shared runtimes; no shell, no package manager, no ICU, no locales.
# Both come from one debootstrap tree turned into images with `docker import`. CAs added to this host
# (/usr/local/share/ca-certificates) are trusted in the tree, so NuGet restore inside the build works behind the same
# TLS-inspecting proxy as the host.
# Then:  docker build --network host --build-arg SDK_IMAGE=attention-local/sdk:10.0 \
#          --build-arg RUNTIME_IMAGE=attention-local/aspnet-chiseled:10.0 -t attention-service .
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

# The chiseled runtime: files copied out of the tree into an empty one. /lib and /lib64 are links into /usr as in
# Debian 12, so the loader path the binaries were linked with (/lib64/ld-linux-x86-64.so.2) resolves.
chiseled="$work/chiseled"
rm -rf "$chiseled"
mkdir -p "$chiseled"/{etc/ssl/certs,home/app,tmp,usr/bin,usr/lib/ssl,usr/lib64,usr/share/dotnet/shared}
ln -s usr/lib "$chiseled/lib"
ln -s usr/lib64 "$chiseled/lib64"
chmod 1777 "$chiseled/tmp"
# Shared libraries only (no docs, tools or gconv modules): of glibc, what .NET and ONNX Runtime link or load (name
# resolution included); of the others, every library but OpenSSL's engines and legacy provider, which .NET never loads.
glibc=(ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libnss_files.so.2 libnss_dns.so.2)
glibc_pattern="/($(IFS='|'; echo "${glibc[*]//./\\.}"))\$"
{ chroot "$rootfs" dpkg -L libgcc-s1 libstdc++6 zlib1g libssl3; chroot "$rootfs" dpkg -L libc6 | grep -E "$glibc_pattern"; } \
  | grep -E '^/(usr/)?lib(64)?/' | grep -vE '/(engines-3|ossl-modules)/' | while read -r path; do
  if [[ -L $rootfs$path || -f $rootfs$path ]]; then
    target="/usr${path#/usr}"
    mkdir -p "$chiseled$(dirname "$target")"
    cp -a "$rootfs$path" "$chiseled$target"
  fi
done
# OpenSSL (and so .NET) looks for CA roots under its OPENSSLDIR, /usr/lib/ssl, which Debian links to /etc/ssl.
cp "$rootfs/etc/ssl/certs/ca-certificates.crt" "$chiseled/etc/ssl/certs/"
ln -s /etc/ssl/certs "$chiseled/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$chiseled/usr/lib/ssl/cert.pem"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'app:x:1654:1654:app:/home/app:/sbin/nologin' > "$chiseled/etc/passwd"
printf '%s\n' 'root:x:0:' 'app:x:1654:' > "$chiseled/etc/group"
chown 1654:1654 "$chiseled/home/app"
cp -a "$dotnet_dir/dotnet" "$dotnet_dir/host" "$chiseled/usr/share/dotnet/"
cp -a "$dotnet_dir/shared/Microsoft.NETCore.App" "$dotnet_dir/shared/Microsoft.AspNetCore.App" "$chiseled/usr/share/dotnet/shared/"
# Not needed to run: the debugger and dump libraries (libmscordaccore, libmscordbi, createdump: attach tools from a
# sidecar instead), the LTTng tracepoint provider (its liblttng-ust is not here, so it never loads) and the standalone
# GCs (libclrgc*, only loaded when DOTNET_GCName asks); and the HTTP.sys server, a Windows kernel driver's client.
rm -f "$chiseled"/usr/share/dotnet/shared/Microsoft.NETCore.App/*/{libmscordaccore.so,libmscordbi.so,createdump,libcoreclrtraceptprovider.so,libclrgc.so,libclrgcexp.so}
rm -f "$chiseled"/usr/share/dotnet/shared/Microsoft.AspNetCore.App/*/Microsoft.AspNetCore.Server.HttpSys.dll
ln -s ../share/dotnet/dotnet "$chiseled/usr/bin/dotnet"
# The official chiseled image's settings: the app user, port 8080, invariant globalization (no ICU).
tar -C "$chiseled" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true' \
  --change 'USER 1654' \
  - attention-local/aspnet-chiseled:10.0
rm -rf "$chiseled"

docker image ls 'attention-local/*'
