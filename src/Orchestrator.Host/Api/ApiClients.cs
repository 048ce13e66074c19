using System.Net;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Api;

/// <summary>Who sent a request, for authentication and for per-client fairness.</summary>
/// <param name="Flow">The client's key: <c>token:N</c> for the N-th accepted token, else <c>ip:ADDRESS</c>. Never the token itself.</param>
/// <param name="Authenticated">Whether it presented a token the API accepts (the loopback token included).</param>
/// <param name="Exempt">The node's own components (the loopback token): not subject to fairness.</param>
internal sealed record ClientIdentity(string Flow, bool Authenticated, bool Exempt);

/// <summary>
/// Tells clients apart by their bearer token (compared in constant time, never logged) or, without
/// an accepted one, their source address; shared by <see cref="BearerTokenAuthentication"/> and
/// <see cref="FairnessMiddleware"/>.
/// </summary>
internal sealed class ApiClients(ApiSettings settings)
{
    private readonly byte[][] _tokens = settings.Tokens.Order(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToArray();
    private readonly byte[]? _loopback = settings.LoopbackToken is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public ClientIdentity Identify(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && Token(header[prefix.Length..]) is { } identity)
            return identity;
        return new ClientIdentity("ip:" + Address(http.Connection.RemoteIpAddress), Authenticated: false, Exempt: false);
    }

    /// <summary>The client a presented token stands for (compared in constant time); null when the API accepts no such token.</summary>
    public ClientIdentity? Token(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var presented = Encoding.UTF8.GetBytes(token.Trim());
        if (_loopback is not null && CryptographicOperations.FixedTimeEquals(presented, _loopback))
            return new ClientIdentity("loopback", Authenticated: true, Exempt: true);
        var index = -1;
        for (var i = 0; i < _tokens.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, _tokens[i])) index = i;
        }
        return index >= 0 ? new ClientIdentity($"token:{index}", Authenticated: true, Exempt: false) : null;
    }

    private static string Address(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };
}
