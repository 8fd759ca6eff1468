# Sourced by .ci/run: a Docker engine of CI's own and the images built from the Dockerfile, which the container tests
# (tests/AttentionService.FunctionalTests/Deployment/ContainerImageTests.cs) run. Tags: ContainerImages.cs.

# An engine already answering on DOCKER_HOST is used as it is (its layer cache makes rebuilds quick); otherwise one
# is started on a socket of its own, without a bridge network (containers use the host's), and stopped at the end.
ci_docker_socket=/tmp/attention-ci-docker.sock
ci_docker_root=/var/lib/attention-ci-docker
ci_dockerd_pid=""
# Where the official images are: one short pull tells whether the registry can be reached at all.
official_probe_image=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
official_probe_seconds=20

start_container_engine() {
  if [[ -n ${DOCKER_HOST:-} ]] && docker version > /dev/null 2>&1; then
    echo "engine: $DOCKER_HOST (already running)"
    return 0
  fi
  export DOCKER_HOST="unix://$ci_docker_socket"
  if docker version > /dev/null 2>&1; then
    echo "engine: $DOCKER_HOST (already running)"
    return 0
  fi
  command -v dockerd > /dev/null || { echo "dockerd is missing after the install (apt-get install docker.io)"; return 1; }
  mkdir -p "$ci_docker_root" /tmp/attention-ci-docker-exec
  dockerd --data-root "$ci_docker_root" --exec-root /tmp/attention-ci-docker-exec --bridge=none \
    --pidfile /tmp/attention-ci-docker-exec/dockerd.pid -H "$DOCKER_HOST" > "$results_dir/dockerd.log" 2>&1 &
  ci_dockerd_pid=$!
  for _ in $(seq 1 60); do
    docker version > /dev/null 2>&1 && { echo "engine: $DOCKER_HOST (started, pid $ci_dockerd_pid)"; return 0; }
    kill -0 "$ci_dockerd_pid" 2> /dev/null || break
    sleep 1
  done
  echo "the Docker engine did not start; end of its log:"; tail -n 20 "$results_dir/dockerd.log"
  return 1
}

stop_container_engine() {
  [[ -n $ci_dockerd_pid ]] || return 0
  kill "$ci_dockerd_pid" 2> /dev/null && wait "$ci_dockerd_pid" 2> /dev/null
  ci_dockerd_pid=""
}

# Official bases when the registry answers; otherwise the local ones from scripts/docker-local-base.sh (built once per
# engine: reused when both are there).
base_image_args() {
  if timeout "$official_probe_seconds" docker pull -q "$official_probe_image" > /dev/null 2>&1; then
    echo "bases: official (mcr.microsoft.com reachable)" >&2
    return 0
  fi
  echo "bases: local (mcr.microsoft.com unreachable), scripts/docker-local-base.sh" >&2
  if ! docker image inspect attention-local/sdk:10.0 attention-local/aspnet-chiseled:10.0 > /dev/null 2>&1; then
    scripts/docker-local-base.sh > "$results_dir/docker-local-base.log" 2>&1 \
      || { echo "scripts/docker-local-base.sh failed:" >&2; tail -n 20 "$results_dir/docker-local-base.log" >&2; return 1; }
  fi
  echo "--build-arg SDK_IMAGE=attention-local/sdk:10.0 --build-arg RUNTIME_IMAGE=attention-local/aspnet-chiseled:10.0"
}

# build_image TAG [docker build args...]
build_image() {
  local tag="$1"; shift
  local log="$results_dir/docker-build-${tag//[:\/]/-}.log"
  docker build --network host "$@" -t "$tag" . > "$log" 2>&1 \
    || { echo "docker build -t $tag failed:"; tail -n 30 "$log"; return 1; }
  echo "$tag: $(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
}

build_container_images() {
  start_container_engine || return 1
  local bases
  bases="$(base_image_args)" || return 1
  # shellcheck disable=SC2086 # the build arguments are words
  build_image attention-service:latest $bases || return 1
  # The managed-only image shares the bases and the project-files stage; restore and publish differ.
  # shellcheck disable=SC2086
  build_image attention-service:managed $bases --build-arg PUBLISH_ARGS=-p:ManagedOnly=true
}
