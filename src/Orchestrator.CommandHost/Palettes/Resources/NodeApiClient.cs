using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// An HTTP client for this node's own Kubernetes API (<c>orchestrator.api</c> in the node's HOCON),
/// for what only the API serves, such as pod logs. It calls loopback when the API listens on every
/// address, sends the node's loopback token (or its configured token), and over TLS trusts exactly the node's
/// certificate (<c>tls-cert-file</c>, or the one the node made in <c>data-dir/tls</c>).
/// </summary>
internal static class NodeApiClient
{
    public static HttpClient Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var config = system.Settings.Config;
        var api = config.GetConfig("orchestrator.api") ?? throw new ConfigurationException("orchestrator.api is not configured in this node");
        var address = IPAddress.TryParse(api.GetString("bind-address", "127.0.0.1"), out var bound) ? bound : IPAddress.Loopback;
        if (address.Equals(IPAddress.Any)) address = IPAddress.Loopback;
        if (address.Equals(IPAddress.IPv6Any)) address = IPAddress.IPv6Loopback;
        var tls = api.GetString("tls", "auto") switch
        {
            "on" => true,
            "off" => false,
            _ => !IPAddress.IsLoopback(address),
        };

        var handler = new HttpClientHandler();
        if (tls)
        {
            var certificateFile = api.GetString("tls-cert-file", "") is { Length: > 0 } file
                ? file
                : Path.Combine(config.GetString("orchestrator.data-dir", "data"), "tls", "apiserver.crt");
            var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.RawData, pinned.RawData);
        }
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"{(tls ? "https" : "http")}://{host}:{api.GetInt("port")}"),
            Timeout = Timeout.InfiniteTimeSpan, // follow streams until the command is cancelled
        };
        if (Token(api) is { } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>
    /// The node's loopback token (made at each start: the API accepts it and exempts it from its
    /// per-client fairness), else the first token of <c>token-file</c>, else <c>token</c> (set from
    /// ORCHESTRATOR_TOKEN), as the API accepts them.
    /// </summary>
    private static string? Token(Config api)
    {
        if (api.GetString("loopback-token", "") is { Length: > 0 } loopback) return loopback;
        if (api.GetString("token-file", "") is { Length: > 0 } file && File.Exists(file))
        {
            var first = File.ReadAllLines(file).Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith('#'));
            if (first is not null)
                return first;
        }
        return api.GetString("token", "").Trim() is { Length: > 0 } token ? token : null;
    }
}
