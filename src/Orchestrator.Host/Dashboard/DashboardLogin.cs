using System.Net;
using Orchestrator.Host.Api;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Dashboard;

/// <summary>
/// The dashboard's login and logout: a plain form that takes one of the API's bearer tokens and,
/// when the API accepts it, starts a session (<see cref="DashboardSessions"/>) whose id goes into
/// an HttpOnly, SameSite=Strict cookie (Secure over TLS). The token itself is never stored.
/// </summary>
internal static class DashboardLogin
{
    public static void MapDashboardLogin(this WebApplication app)
    {
        app.MapGet(DashboardAuthentication.LoginPath, (HttpContext http) => Page(http.Request.Query["return"].ToString(), error: null));
        app.MapPost(DashboardAuthentication.LoginPath, async (HttpContext http, ApiClients clients, DashboardSessions sessions, ApiSettings settings) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            var token = form?["token"].ToString() ?? "";
            if (token.Length == 0 || clients.Token(token) is not { } client)
            {
                return Page(form?["return"].ToString(), "The API does not accept this token.", StatusCodes.Status401Unauthorized);
            }
            var id = sessions.Start(client.Flow);
            http.Response.Cookies.Append(DashboardSessions.CookieName, id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = settings.Tls,
                Path = "/",
                IsEssential = true,
            });
            return Results.Redirect(SafeReturn(form?["return"].ToString()));
        });
        app.MapPost("/dashboard/logout", (HttpContext http, DashboardSessions sessions) =>
        {
            sessions.End(http.Request.Cookies[DashboardSessions.CookieName]);
            http.Response.Cookies.Delete(DashboardSessions.CookieName);
            return Results.Redirect(DashboardAuthentication.LoginPath);
        });
    }

    /// <summary>Only a dashboard path is a place to return to (never another site).</summary>
    public static string SafeReturn(string? target) =>
        target is { Length: > 0 } t && t.StartsWith("/dashboard", StringComparison.Ordinal) && !t.StartsWith("//", StringComparison.Ordinal) && !t.Contains('\\', StringComparison.Ordinal)
            ? t
            : "/dashboard";

    private static IResult Page(string? returnTo, string? error, int status = StatusCodes.Status200OK)
    {
        returnTo = WebUtility.HtmlEncode(SafeReturn(returnTo));
        var message = error is null ? "" : $"<p role=\"alert\" id=\"login-error\" class=\"error\">{WebUtility.HtmlEncode(error)}</p>";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Log in - Orchestrator dashboard</title>
            <style>
              body { font-family: system-ui, sans-serif; background: #f4f5f7; display: flex; justify-content: center; margin-top: 10vh; }
              main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; width: 26rem; }
              label { display: block; margin: 1rem 0 .3rem; font-weight: 600; }
              input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
              button { margin-top: 1rem; padding: .5rem 1.2rem; font-size: 1rem; background: #1f5fbf; color: #fff; border: 0; border-radius: 4px; }
              button:focus, input:focus { outline: 3px solid #f0b400; }
              .error { color: #a00; font-weight: 600; }
            </style></head>
            <body><main>
              <h1>Orchestrator</h1>
              <p>Log in with one of the API's bearer tokens (the one kubectl uses).</p>
              {{message}}
              <form method="post" action="{{DashboardAuthentication.LoginPath}}">
                <label for="token">Bearer token</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
                <input type="hidden" name="return" value="{{returnTo}}">
                <button type="submit">Log in</button>
              </form>
            </main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
