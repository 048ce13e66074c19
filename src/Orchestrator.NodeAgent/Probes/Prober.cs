using System.Net.Sockets;
using k8s.Models;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Probes;

/// <summary>
/// Runs one liveness or readiness probe of a container: <c>exec</c> through the runtime,
/// <c>httpGet</c> (2xx/3xx is success) and <c>tcpSocket</c> (a connection is success) against the
/// pod IP, which the node reaches on the engine's bridge. A probe that takes longer than its
/// timeout fails.
/// </summary>
internal sealed class Prober(IContainerRuntime runtime, HttpClient http)
{
    public static ProbeSettings SettingsOf(V1Probe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return new ProbeSettings(
            probe.InitialDelaySeconds ?? 0,
            probe.PeriodSeconds ?? 10,
            probe.TimeoutSeconds ?? 1,
            probe.SuccessThreshold ?? 1,
            probe.FailureThreshold ?? 3);
    }

    /// <summary>Runs the probe once: whether it succeeded, and its output (what a failure says, for the Unhealthy event).</summary>
    public async Task<(bool Ok, string Output)> RunAsync(V1Probe probe, V1Container container, string containerId, string podIp, CancellationToken ct)
    {
        var timeout = SettingsOf(probe).Timeout;
        try
        {
            if (probe.Exec?.Command is { Count: > 0 } command)
            {
                var result = await runtime.ExecAsync(containerId, command.ToList(), timeout, ct);
                var output = result.TimedOut
                    ? $"command \"{string.Join(' ', command)}\" timed out"
                    : (result.Stdout + result.Stderr).Trim();
                return (result.Succeeded, output);
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            if (probe.HttpGet is { } get)
            {
                var host = string.IsNullOrEmpty(get.Host) ? podIp : get.Host;
                var scheme = string.Equals(get.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
                var path = string.IsNullOrEmpty(get.Path) ? "/" : get.Path;
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{scheme}://{host}:{ResolvePort(get.Port?.Value, container)}{(path.StartsWith('/') ? path : "/" + path)}"));
                foreach (var header in get.HttpHeaders ?? []) request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                var status = (int)response.StatusCode;
                return (status is >= 200 and < 400, $"HTTP probe failed with statuscode: {status}");
            }
            if (probe.TcpSocket is { } tcp)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(string.IsNullOrEmpty(tcp.Host) ? podIp : tcp.Host, ResolvePort(tcp.Port?.Value, container), cts.Token);
                return (true, "");
            }
            return (false, "the probe has no handler (exec, httpGet or tcpSocket)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"the probe timed out after {timeout.TotalSeconds:0.###}s");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or ContainerRuntimeException or ArgumentException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    public static int ResolvePort(string? port, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        return container.Ports?.FirstOrDefault(p => p.Name == port)?.ContainerPort
            ?? throw new ArgumentException($"container {container.Name} has no port named {port}");
    }
}
