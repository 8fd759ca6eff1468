# AttentionService image: the published app on a chiseled ASP.NET Core runtime (no shell, no package manager, no ICU,
# no locales), as numeric non-root user 1654. Base images are build arguments so a local or mirrored base can stand in
# (scripts/docker-local-base.sh builds both from debootstrap where registries cannot be pulled).
#   docker build -t attention-service .
#   docker build --build-arg PUBLISH_ARGS=-p:ManagedOnly=true -t attention-service:managed .    no native ONNX Runtime
#   docker build --build-arg PUBLISH_ARGS=-p:OnnxRuntimeGpu=true --build-arg RUNTIME_IMAGE=<aspnet+CUDA base> .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled

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
RUN dotnet restore src/AttentionService/AttentionService.csproj -r linux-x64 ${PUBLISH_ARGS} \
 && dotnet restore src/AttentionService.HealthProbe/AttentionService.HealthProbe.csproj
COPY . .
# The health probe goes beside the app: the runtime stage has no shell for a script, and no curl.
RUN bash scripts/publish.sh /app/publish ${PUBLISH_ARGS} \
 && dotnet publish src/AttentionService.HealthProbe/AttentionService.HealthProbe.csproj -c Release --no-restore -o /app/publish -nologo

# No RUN here: the chiseled base has no shell. It already has user 1654 (`app`); USER takes the number so that
# Kubernetes' runAsNonRoot can verify it.
FROM ${RUNTIME_IMAGE} AS runtime
ARG APP_UID=1654
WORKDIR /app
COPY --from=build /app/publish ./
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    HEALTHCHECK_PORT=8080 \
    Attention__LogFormat=Json
USER ${APP_UID}
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["dotnet", "/app/AttentionService.HealthProbe.dll"]
ENTRYPOINT ["dotnet", "/app/AttentionService.dll"]
