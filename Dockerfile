# syntax=docker/dockerfile:1
#
# VPNLens control plane: one ASP.NET Core process (dashboard, API, Hangfire queue, SQLite).
#
#   docker build -t vpnlens .                                               # this machine's arch
#   docker buildx build --platform linux/amd64,linux/arm64 -t IMAGE --push .  # both (CI does this)
#
# The build stage always runs on the builder's own platform ($BUILDPLATFORM) and cross-publishes
# for $TARGETARCH with `-a`, so an arm64 image is built at native speed on an amd64 runner: no
# compiler under QEMU. The runtime stage only copies files (no RUN), so it needs no emulation either.

ARG DOTNET_VERSION=10.0

# ---------------------------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG TARGETARCH
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src

# Restore first, from the project files alone, so a code change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY VPNLens.Core/VPNLens.Core.csproj VPNLens.Core/
COPY VPNLens.Web/VPNLens.Web.csproj VPNLens.Web/
COPY deploy/healthcheck/VPNLens.HealthCheck.csproj deploy/healthcheck/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore VPNLens.Web/VPNLens.Web.csproj -a "$TARGETARCH" \
 && dotnet restore deploy/healthcheck/VPNLens.HealthCheck.csproj

# The sources, and the node scripts: VPNLens.Web.csproj publishes ../scripts (minus lab/ and
# test/) to <app dir>/scripts, where the app finds the bundle it uploads to nodes.
COPY VPNLens.Core/ VPNLens.Core/
COPY VPNLens.Web/ VPNLens.Web/
COPY scripts/ scripts/
COPY deploy/healthcheck/ deploy/healthcheck/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish VPNLens.Web/VPNLens.Web.csproj -c Release -a "$TARGETARCH" --no-restore \
        --self-contained false -p:UseAppHost=false -o /app \
 && dotnet publish deploy/healthcheck/VPNLens.HealthCheck.csproj -c Release --no-restore -o /app/healthcheck \
 && test -f /app/scripts/run.sh \
 && test ! -e /app/scripts/lab && test ! -e /app/scripts/test \
 && mkdir -p /data/keys

# ---------------------------------------------------------------------------------------------
# Ubuntu Chiseled: the .NET runtime and its few libraries, no shell, no package manager,
# non-root user `app` (uid 1654 = $APP_UID). InvariantGlobalization is on (Directory.Build.props),
# so the ICU-less image is enough.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble-chiseled AS runtime
WORKDIR /app

# The app's files stay root-owned: the app user can read them but not change them.
COPY --link --from=build /app ./
# /data belongs to the app user; a new named volume mounted there copies this ownership.
COPY --link --from=build --chown=1654:1654 /data /data

ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    ConnectionStrings__App="Data Source=/data/vpnlens.db" \
    ConnectionStrings__Hangfire=/data/hangfire.db \
    DataProtection__KeysPath=/data/keys
# Memory tuning of the runtime: the same lines as deploy/runtime.env, which says why.
ENV MALLOC_ARENA_MAX=2

# SQLite databases (app + Hangfire) and the Data Protection keys that sign sign-in cookies.
VOLUME ["/data"]
EXPOSE 8080

USER $APP_UID

# GET /healthz (database + Hangfire) from inside the container. The chiseled image has no curl
# and no shell, so the probe is a 5 KB .NET program run by the `dotnet` host already here
# (see deploy/healthcheck/). start-period covers the migrations on the first start.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dotnet", "/app/healthcheck/VPNLens.HealthCheck.dll", "http://127.0.0.1:8080/healthz"]

ENTRYPOINT ["dotnet", "VPNLens.Web.dll"]
