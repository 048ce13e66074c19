# The Orchestrator node (orchestrator.dll) as a container image: a multi-stage .NET build.
#
#   docker build -t orchestrator/node:dev .
#
# The base images are build arguments, defaulting to the official .NET images. On machines that
# reach no container registry, scripts/base-images.sh builds local ones (from debootstrap and the
# machine's own .NET) and deploy/compose.yaml passes them:
#
#   docker build --build-arg SDK_IMAGE=orchestrator/dotnet-sdk:10.0 \
#                --build-arg RUNTIME_IMAGE=orchestrator/dotnet-runtime:10.0 -t orchestrator/node:dev .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Restore first, from the project files alone: this layer is rebuilt only when a project or the
# package versions change, not on every source edit.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Orchestrator.Domain/Orchestrator.Domain.csproj src/Orchestrator.Domain/
COPY src/Orchestrator.Runtime/Orchestrator.Runtime.csproj src/Orchestrator.Runtime/
COPY src/Orchestrator.Cluster/Orchestrator.Cluster.csproj src/Orchestrator.Cluster/
COPY src/Orchestrator.NodeAgent/Orchestrator.NodeAgent.csproj src/Orchestrator.NodeAgent/
COPY src/Orchestrator.CommandHost/Orchestrator.CommandHost.csproj src/Orchestrator.CommandHost/
COPY src/Orchestrator.Host/Orchestrator.Host.csproj src/Orchestrator.Host/
RUN dotnet restore src/Orchestrator.Host/Orchestrator.Host.csproj
COPY hocon/ hocon/
COPY src/ src/
RUN dotnet publish src/Orchestrator.Host/Orchestrator.Host.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM ${RUNTIME_IMAGE} AS runtime
# curl for the healthcheck and iproute2 for the service proxy (it adds each ClusterIP to the pod
# bridge with `ip addr`); the local base images have both, the official ones get them here.
RUN if ! command -v curl >/dev/null || ! command -v ip >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl iproute2 && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --system --gid 10001 orchestrator \
 && useradd --system --uid 10001 --gid orchestrator --home-dir /data --no-create-home orchestrator \
 && mkdir -p /data && chown orchestrator:orchestrator /data
WORKDIR /app
COPY --from=build /app ./
# The node's gen0 budget, as scripts/start.sh sets it (the runtime reads it only from the
# environment; README, Figures).
ENV DOTNET_GCgen0size=2000000 \
    ORCHESTRATOR_DATA_DIR=/data \
    ORCHESTRATOR_API_PORT=8001
VOLUME /data
EXPOSE 8001
# Not root by default: a control-plane-only member (ORCHESTRATOR_NODE_AGENT=off) needs nothing more.
# A member with a node agent drives the host's engine through its socket, which is root's in all
# but name, and its service proxy adds addresses to the pod bridge (CAP_NET_ADMIN, which Docker
# grants only to root in the container): deploy/compose.yaml runs those as user 0 (docs/scaling.md).
USER orchestrator
# Ready once this member is Up in the cluster and the built-in namespaces exist (/readyz is open
# without a token; http or https as the node serves it).
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${ORCHESTRATOR_API_PORT}/readyz" || curl -fsSk "https://127.0.0.1:${ORCHESTRATOR_API_PORT}/readyz" || exit 1
ENTRYPOINT ["dotnet", "/app/orchestrator.dll"]
