using Orchestrator.Domain.Resources;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Api;

/// <summary>
/// Requires <c>Authorization: Bearer TOKEN</c> on every request when tokens are configured
/// (always when the API listens beyond loopback). Tokens are compared in constant time and never
/// logged (<see cref="ApiClients"/>); a missing or wrong token gets a 401 <c>Status</c>. The health
/// endpoints (<c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>: "ok" or 503, nothing else) are open, as
/// Kubernetes' <c>system:public-info-viewer</c> role opens them, so a container healthcheck needs no token.
/// The dashboard's paths are guarded by its session instead (<see cref="Dashboard.DashboardAuthentication"/>).
/// </summary>
internal sealed class BearerTokenAuthentication(RequestDelegate next, ApiSettings settings, ApiClients clients)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!settings.RequiresToken || IsHealthEndpoint(http.Request.Path) || Dashboard.DashboardAuthentication.Owns(http.Request.Path)
            || clients.Identify(http).Authenticated)
        {
            await next(http);
            return;
        }
        await ResourceApi.WriteError(http, ApiError.Unauthorized());
    }

    private static bool IsHealthEndpoint(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/livez") || path.StartsWithSegments("/readyz");
}
