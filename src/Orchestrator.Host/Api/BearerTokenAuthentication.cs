using System.Security.Cryptography;
using System.Text;
using Orchestrator.Domain.Resources;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Api;

/// <summary>
/// Requires <c>Authorization: Bearer TOKEN</c> on every request when tokens are configured
/// (always when the API listens beyond loopback). Tokens are compared in constant time and never
/// logged; a missing or wrong token gets a 401 <c>Status</c>.
/// </summary>
internal sealed class BearerTokenAuthentication(RequestDelegate next, ApiSettings settings)
{
    private readonly byte[][] _tokens = settings.Tokens.Select(Encoding.UTF8.GetBytes).ToArray();

    public async Task InvokeAsync(HttpContext http)
    {
        if (!settings.RequiresToken || http.Request.Path.StartsWithSegments("/healthz") || Accepted(http.Request.Headers.Authorization.ToString()))
        {
            await next(http);
            return;
        }
        await ResourceApi.WriteError(http, ApiError.Unauthorized());
    }

    private bool Accepted(string header)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        var ok = false;
        foreach (var token in _tokens) ok |= CryptographicOperations.FixedTimeEquals(presented, token);
        return ok;
    }
}
