using System.Net;
using Akka.Configuration;

namespace Orchestrator.Host.Configuration;

/// <summary>The API server's settings, read once from <c>orchestrator.api</c> (every key is documented in the host's reference.conf).</summary>
/// <param name="BindAddress">The address the API listens on.</param>
/// <param name="Port">The API's port.</param>
/// <param name="MaxBodyBytes">Largest request body accepted.</param>
/// <param name="Tokens">Accepted bearer tokens (token-file's lines and token); empty: no token required.</param>
/// <param name="Tls">Whether the API serves TLS.</param>
/// <param name="TlsCertFile">PEM certificate to serve; null: the node's own self-signed one.</param>
/// <param name="TlsKeyFile">PEM key of <paramref name="TlsCertFile"/>.</param>
public sealed record ApiSettings(IPAddress BindAddress, int Port, long MaxBodyBytes, IReadOnlySet<string> Tokens, bool Tls, string? TlsCertFile, string? TlsKeyFile)
{
    public bool RequiresToken => Tokens.Count > 0;

    public string Scheme => Tls ? "https" : "http";

    public static ApiSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var api = config.GetConfig("orchestrator.api");
        var addressText = api.GetString("bind-address");
        if (!IPAddress.TryParse(addressText, out var address))
            throw new ConfigurationException($"orchestrator.api.bind-address '{addressText}' is not an IP address");
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var tokenFile = api.GetString("token-file", "");
        if (!string.IsNullOrEmpty(tokenFile))
        {
            if (!File.Exists(tokenFile)) throw new ConfigurationException($"orchestrator.api.token-file '{tokenFile}' does not exist");
            foreach (var line in File.ReadAllLines(tokenFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
                tokens.Add(line);
        }
        if (api.GetString("token", "").Trim() is { Length: > 0 } token) tokens.Add(token);
        if (!IPAddress.IsLoopback(address) && tokens.Count == 0)
            throw new ConfigurationException($"the API is configured to listen on {address}, which is not a loopback address, but no bearer token is configured: set orchestrator.api.token-file or ORCHESTRATOR_TOKEN");
        var tlsMode = api.GetString("tls", "auto");
        var tls = tlsMode switch
        {
            "auto" => !IPAddress.IsLoopback(address),
            "on" => true,
            "off" => false,
            _ => throw new ConfigurationException($"orchestrator.api.tls '{tlsMode}' is invalid: use auto, on or off"),
        };
        if (!tls && !IPAddress.IsLoopback(address))
            throw new ConfigurationException($"the API is configured to listen on {address} without TLS: bearer tokens would cross the network in clear text; set orchestrator.api.tls = on (or auto)");
        return new ApiSettings(address, api.GetInt("port"), api.GetLong("max-body-bytes"), tokens, tls,
            api.GetString("tls-cert-file", "") is { Length: > 0 } cert ? cert : null,
            api.GetString("tls-key-file", "") is { Length: > 0 } key ? key : null);
    }
}
