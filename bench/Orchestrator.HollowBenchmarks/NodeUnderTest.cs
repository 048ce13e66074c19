using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.HollowBenchmarks;

/// <summary>
/// One real node process (<c>orchestrator.dll</c>: API, scheduler, controllers, SQLite journal in a
/// temporary data folder) with its own Docker-driving node agent turned off, and the node-lifecycle
/// settings a thousand slowly heartbeating hollow nodes need. Reads the process's peak resident set
/// and CPU time from /proc.
/// </summary>
internal sealed class NodeUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private NodeUnderTest(Process process, string dataDir, Uri api)
    {
        _process = process;
        _dataDir = dataDir;
        Api = api;
    }

    public Uri Api { get; }

    public int Pid => _process.Id;

    /// <param name="gracePeriod">orchestrator.controllers.node-monitor-grace-period: a few hollow heartbeat intervals.</param>
    public static async Task<NodeUnderTest> StartAsync(TimeSpan gracePeriod)
    {
        var dataDir = Directory.CreateTempSubdirectory("orchestrator-hollow-").FullName;
        // The overlay a user would write: the single-node overlay plus lifecycle settings for many
        // nodes that heartbeat rarely (as Kubernetes' 40 s grace suits 10 s kubelet updates).
        var overlay = Path.Combine(dataDir, "hollow.conf");
        await File.WriteAllTextAsync(overlay, string.Join('\n',
            $"include \"{Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf")}\"",
            $"orchestrator.controllers.node-monitor-grace-period = {(int)gracePeriod.TotalSeconds}s",
            ""));
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "orchestrator.dll")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ORCHESTRATOR_CONFIG"] = overlay;
        start.Environment["ORCHESTRATOR_NODE_AGENT"] = "off";
        start.Environment["ORCHESTRATOR_DATA_DIR"] = dataDir;
        start.Environment["ORCHESTRATOR_API_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_AKKA_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_PBM_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_LOG_LEVEL"] = Environment.GetEnvironmentVariable("HOLLOW_NODE_LOG_LEVEL") ?? "WARNING";
        var process = Process.Start(start)!;
        var echo = Environment.GetEnvironmentVariable("HOLLOW_NODE_LOG") == "1";
        process.OutputDataReceived += (_, e) => { if (echo && e.Data is not null) Console.Error.WriteLine("node| " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (echo && e.Data is not null) Console.Error.WriteLine("node| " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeUnderTest(process, dataDir, new Uri($"http://127.0.0.1:{port}"));
        await node.WaitReadyAsync();
        return node;
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Api };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the node process exited with code {_process.ExitCode}");
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the node did not become ready");
    }

    /// <summary>Peak resident set (VmHWM) in MiB.</summary>
    public long PeakRssMiB() => ReadStatusKiB("VmHWM") / 1024;

    public long RssMiB() => ReadStatusKiB("VmRSS") / 1024;

    /// <summary>User + system CPU seconds the node process has used.</summary>
    public double CpuSeconds()
    {
        try
        {
            _process.Refresh();
            return _process.TotalProcessorTime.TotalSeconds;
        }
        catch (InvalidOperationException)
        {
            return double.NaN;
        }
    }

    private long ReadStatusKiB(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var digits = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
