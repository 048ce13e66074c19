using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Orchestrator.Host.Dashboard;

/// <summary>
/// The dashboard's sessions, kept in this node's memory: a login with an accepted bearer token
/// gets a random session id (the cookie's only content; the token never leaves the login request).
/// A session ends after <see cref="IdleTimeout"/> without use; a page with an open live connection
/// (a Blazor circuit) counts as in use, so a session never expires under someone watching it.
/// </summary>
/// <remarks>
/// <code>
///   login ──token accepted──► Active ──request / circuit activity──► Active (idle clock reset)
///                               │  └─circuit open──► Active, not idle, whatever the clock says
///                               └─idle past the timeout, no circuit / logout──► Ended (cookie refused: back to login)
/// </code>
/// </remarks>
public sealed class DashboardSessions(TimeProvider time, TimeSpan idleTimeout)
{
    private sealed class Session(string client, DateTimeOffset lastUsed)
    {
        public string Client { get; } = client;
        public DateTimeOffset LastUsed { get; set; } = lastUsed;
        public int OpenCircuits { get; set; }
    }

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>The cookie that carries the session id.</summary>
    public const string CookieName = "orchestrator-dashboard";

    public TimeSpan IdleTimeout { get; } = idleTimeout;

    /// <summary>Starts a session for <paramref name="client"/> (who logged in: <c>token:N</c>, never the token) and answers its id.</summary>
    public string Start(string client)
    {
        Sweep();
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _sessions[id] = new Session(client, time.GetUtcNow());
        return id;
    }

    /// <summary>Uses the session (resetting its idle clock) and answers its client; null when there is no such live session.</summary>
    public string? Touch(string? id)
    {
        if (id is null || !_sessions.TryGetValue(id, out var session)) return null;
        lock (session)
        {
            var now = time.GetUtcNow();
            if (session.OpenCircuits == 0 && now - session.LastUsed > IdleTimeout)
            {
                _sessions.TryRemove(id, out _);
                return null;
            }
            session.LastUsed = now;
            return session.Client;
        }
    }

    /// <summary>A live connection of the session opened (true) or closed (false).</summary>
    public void Circuit(string id, bool open)
    {
        if (!_sessions.TryGetValue(id, out var session)) return;
        lock (session)
        {
            session.OpenCircuits = Math.Max(0, session.OpenCircuits + (open ? 1 : -1));
            session.LastUsed = time.GetUtcNow();
        }
    }

    public void End(string? id)
    {
        if (id is not null) _sessions.TryRemove(id, out _);
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.OpenCircuits == 0 && now - session.LastUsed > IdleTimeout) _sessions.TryRemove(id, out _);
        }
    }
}
