# AttentionService image. Base images are build arguments so a local or mirrored base can stand in
# (scripts/docker-local-base.sh builds both from debootstrap where registries cannot be pulled).
#   docker build -t attention-service .
#   docker build --build-arg PUBLISH_ARGS=-p:OnnxRuntimeGpu=true --build-arg RUNTIME_IMAGE=<aspnet+CUDA base> .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# Only the project and props files, so the restore layer below is reused until a dependency changes.
FROM ${SDK_IMAGE} AS projects
WORKDIR /src
COPY . .
RUN find . -type f ! \( -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name 'global.json' -o -name 'nuget.config' -o -name 'NuGet.config' \) -delete \
 && find . -type d -empty -delete

FROM ${SDK_IMAGE} AS build
ARG PUBLISH_ARGS=""
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
COPY --from=projects /src ./
RUN dotnet restore src/AttentionService/AttentionService.csproj -r linux-x64 ${PUBLISH_ARGS}
COPY . .
RUN bash scripts/publish.sh /app/publish ${PUBLISH_ARGS}

FROM ${RUNTIME_IMAGE} AS runtime
# Numeric user so Kubernetes' runAsNonRoot can verify it; the official aspnet image already has it as `app`.
ARG APP_UID=1654
RUN if ! getent passwd "${APP_UID}" > /dev/null; then \
      useradd --uid "${APP_UID}" --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app; \
    fi
WORKDIR /app
COPY --from=build /app/publish ./
COPY scripts/container-healthcheck.sh /usr/local/bin/attention-healthcheck
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    HEALTHCHECK_PORT=8080 \
    Attention__LogFormat=Json
USER ${APP_UID}
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/attention-healthcheck"]
ENTRYPOINT ["dotnet", "/app/AttentionService.dll"]
