using Orchestrator.TestSupport;

namespace Orchestrator.HollowBenchmarks;

/// <summary>
/// One real node process (<c>orchestrator.dll</c>: API, scheduler, controllers, SQLite journal in a
/// temporary data folder) with its own Docker-driving node agent turned off, and the node-lifecycle
/// settings a thousand slowly heartbeating hollow nodes need.
/// </summary>
internal sealed class NodeUnderTest : IAsyncDisposable
{
    private readonly NodeProcess _node;
    private readonly string _overlayDir;

    private NodeUnderTest(NodeProcess node, string overlayDir)
    {
        _node = node;
        _overlayDir = overlayDir;
    }

    public Uri Api => _node.BaseUrl;

    public int Pid => _node.ProcessId;

    /// <param name="gracePeriod">orchestrator.controllers.node-monitor-grace-period: a few hollow heartbeat intervals.</param>
    public static async Task<NodeUnderTest> StartAsync(TimeSpan gracePeriod)
    {
        var overlayDir = Directory.CreateTempSubdirectory("orchestrator-hollow-conf-").FullName;
        // The overlay a user would write: the single-node overlay plus lifecycle settings for many
        // nodes that heartbeat rarely (as Kubernetes' 40 s grace suits 10 s kubelet updates).
        var overlay = Path.Combine(overlayDir, "hollow.conf");
        await File.WriteAllTextAsync(overlay, string.Join('\n',
            $"include \"{Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf")}\"",
            $"orchestrator.controllers.node-monitor-grace-period = {(int)gracePeriod.TotalSeconds}s",
            // The 1,000 hollow nodes share this process's one address, so per-client fairness would
            // take them for one client; real nodes are a client each (and the node agent talks to
            // the store, not to the API).
            "orchestrator.api.fairness.enabled = off",
            ""));
        var environment = new Dictionary<string, string>
        {
            ["ORCHESTRATOR_CONFIG"] = overlay,
            ["ORCHESTRATOR_NODE_AGENT"] = "off",
            ["ORCHESTRATOR_LOG_LEVEL"] = Environment.GetEnvironmentVariable("HOLLOW_NODE_LOG_LEVEL") ?? "WARNING",
        };
        Action<string>? echo = Environment.GetEnvironmentVariable("HOLLOW_NODE_LOG") == "1" ? line => Console.Error.WriteLine("node| " + line) : null;
        var node = await NodeProcess.StartAsync(environment: environment, echo: echo, readiness: TimeSpan.FromSeconds(120));
        return new NodeUnderTest(node, overlayDir);
    }

    /// <summary>Peak resident set (VmHWM) in MiB.</summary>
    public long PeakRssMiB() => _node.PeakWorkingSet / (1024 * 1024);

    public long RssMiB() => _node.WorkingSet / (1024 * 1024);

    /// <summary>User + system CPU seconds the node process has used.</summary>
    public double CpuSeconds()
    {
        try
        {
            return _node.TotalProcessorTime.TotalSeconds;
        }
        catch (InvalidOperationException)
        {
            return double.NaN;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        try
        {
            Directory.Delete(_overlayDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
