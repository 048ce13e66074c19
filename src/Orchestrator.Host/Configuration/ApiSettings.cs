using System.Net;
using Akka.Configuration;
using Orchestrator.Domain.RateLimiting;

namespace Orchestrator.Host.Configuration;

/// <summary>The API server's settings, read once from <c>orchestrator.api</c> (every key is documented in the host's reference.conf).</summary>
/// <param name="BindAddress">The address the API listens on.</param>
/// <param name="Port">The API's port.</param>
/// <param name="MaxBodyBytes">Largest request body accepted.</param>
/// <param name="Tokens">Accepted bearer tokens (token-file's lines and token); empty: no token required.</param>
/// <param name="Tls">Whether the API serves TLS.</param>
/// <param name="TlsCertFile">PEM certificate to serve; null: the node's own self-signed one.</param>
/// <param name="TlsKeyFile">PEM key of <paramref name="TlsCertFile"/>.</param>
/// <param name="LoopbackToken">The token of the node's own components (the command host), made at each start; null: none.</param>
/// <param name="Fairness">Per-client limits (<c>orchestrator.api.fairness</c>); null when switched off.</param>
public sealed record ApiSettings(IPAddress BindAddress, int Port, long MaxBodyBytes, IReadOnlySet<string> Tokens, bool Tls, string? TlsCertFile, string? TlsKeyFile,
    string? LoopbackToken = null, FairnessLimits? Fairness = null)
{
    /// <summary>How long a dashboard session lasts unused (<c>orchestrator.api.dashboard.session-idle-timeout</c>).</summary>
    public TimeSpan DashboardIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

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
            api.GetString("tls-key-file", "") is { Length: > 0 } key ? key : null,
            api.GetString("loopback-token", "") is { Length: > 0 } loopback ? loopback : null,
            ReadFairness(api.GetConfig("fairness")))
        {
            DashboardIdleTimeout = ReadIdleTimeout(api),
        };
    }

    private static TimeSpan ReadIdleTimeout(Config api)
    {
        var idle = api.GetTimeSpan("dashboard.session-idle-timeout", TimeSpan.FromMinutes(30), allowInfinite: false);
        return idle > TimeSpan.Zero ? idle : throw new ConfigurationException($"orchestrator.api.dashboard.session-idle-timeout must be a positive duration, not {idle}");
    }

    private static FairnessLimits? ReadFairness(Config? fairness)
    {
        if (fairness is null || !fairness.GetBoolean("enabled", true)) return null;
        int Positive(string key)
        {
            var value = fairness.GetInt(key);
            return value > 0 ? value : throw new ConfigurationException($"orchestrator.api.fairness.{key} must be a positive whole number, not {value}");
        }
        var maxWait = fairness.GetTimeSpan("max-wait", null, allowInfinite: false);
        if (maxWait <= TimeSpan.Zero) throw new ConfigurationException($"orchestrator.api.fairness.max-wait must be a positive duration, not {maxWait}");
        var rate = fairness.GetDouble("refusals-per-second");
        if (!(rate > 0) || double.IsInfinity(rate)) throw new ConfigurationException($"orchestrator.api.fairness.refusals-per-second must be a positive number, not {rate}");
        var queued = fairness.GetInt("max-queued");
        if (queued < 0) throw new ConfigurationException($"orchestrator.api.fairness.max-queued must be 0 or more, not {queued}");
        return new FairnessLimits(Positive("max-in-flight"), queued, maxWait, rate, Positive("refusal-burst"));
    }
}
