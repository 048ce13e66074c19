using Orchestrator.Host.Api;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Dashboard;

/// <summary>
/// Guards the dashboard's paths with its session cookie (<see cref="DashboardSessions"/>), as the
/// API's are guarded by bearer tokens: a page without a live session goes to the login page, the
/// live connection (<c>/_blazor</c>) gets a 401. The login page and the framework's script are open.
/// Without configured tokens (an API on loopback only) the dashboard is open, as the API is.
/// </summary>
internal sealed class DashboardAuthentication(RequestDelegate next, ApiSettings settings, DashboardSessions sessions)
{
    public const string LoginPath = "/dashboard/login";

    /// <summary>The key of <see cref="HttpContext.Items"/> holding the request's session id.</summary>
    public const string SessionItem = "dashboard-session";

    /// <summary>Paths the dashboard serves (its pages, Blazor's live connection and script), guarded here and not by bearer tokens.</summary>
    public static bool Owns(PathString path) =>
        path.StartsWithSegments("/dashboard") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/_framework");

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (!Owns(path) || !settings.RequiresToken || path.StartsWithSegments(LoginPath) || path.StartsWithSegments("/_framework"))
        {
            await next(http);
            return;
        }
        var id = http.Request.Cookies[DashboardSessions.CookieName];
        if (sessions.Touch(id) is not null)
        {
            http.Items[SessionItem] = id;
            await next(http);
            return;
        }
        if (path.StartsWithSegments("/_blazor"))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        http.Response.Redirect(LoginPath + "?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
    }
}
