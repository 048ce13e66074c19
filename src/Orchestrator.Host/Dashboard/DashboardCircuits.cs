using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Orchestrator.Host.Dashboard;

/// <summary>
/// Tells <see cref="DashboardSessions"/> when a page's live connection (a Blazor circuit) opens and
/// closes: a session with an open circuit is in use and does not expire.
/// </summary>
internal sealed class DashboardCircuits(DashboardSessions sessions, IHttpContextAccessor http) : CircuitHandler
{
    private string? _session;

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _session = http.HttpContext?.Request.Cookies[DashboardSessions.CookieName];
        if (_session is not null) sessions.Circuit(_session, open: true);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (_session is not null) sessions.Circuit(_session, open: false);
        return Task.CompletedTask;
    }
}
