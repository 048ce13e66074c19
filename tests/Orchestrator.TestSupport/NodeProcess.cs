using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Orchestrator.TestSupport;

/// <summary>
/// A real Orchestrator node process (<c>dotnet orchestrator.dll</c>) on free ports with its own data
/// folder, for tests that go through real HTTP, kubectl or pbm. Waits for <c>/readyz</c>; keeps the
/// output for failure messages; <see cref="Kill"/> is kill -9.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly bool _ownsDataDir;
    private readonly Action<string>? _echo;

    public int ApiPort { get; }
    public int AkkaPort { get; }
    /// <summary>The port of the node's pbm command host (<c>ORCHESTRATOR_PBM_PORT</c>), on 127.0.0.1.</summary>
    public int PbmPort { get; }
    /// <summary><c>127.0.0.1:port</c> of the command host, the first argument of <c>pbm</c>.</summary>
    public string PbmEndpoint => $"127.0.0.1:{PbmPort}";
    public string DataDir { get; }
    /// <summary>The node agent's node name (its containers carry it in the orchestrator.node label).</summary>
    public string NodeName { get; }

    /// <summary>True when the node serves its API over TLS (it does when bound beyond loopback).</summary>
    public bool Https { get; }

    public Uri BaseUrl => new($"{(Https ? "https" : "http")}://127.0.0.1:{ApiPort}");

    /// <summary>The node's self-signed API certificate (PEM), for clients that pin it.</summary>
    public string CertificateFile => Path.Combine(DataDir, "tls", "apiserver.crt");
    public string Server => BaseUrl.ToString().TrimEnd('/');
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output => string.Join('\n', _output);

    /// <summary>This member's Akka address (what <c>ORCHESTRATOR_SEED</c> of a joining member names).</summary>
    public string AkkaAddress => $"akka.tcp://orchestrator@127.0.0.1:{AkkaPort}";

    private NodeProcess(Process process, int apiPort, int akkaPort, int pbmPort, string dataDir, bool ownsDataDir, bool https, string nodeName, Action<string>? echo)
    {
        NodeName = nodeName;
        PbmPort = pbmPort;
        Https = https;
        _process = process;
        ApiPort = apiPort;
        AkkaPort = akkaPort;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _echo = echo;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        _echo?.Invoke(line);
    }

    /// <summary>CPU time the node process has used so far (benchmarks divide it by the work done).</summary>
    public TimeSpan TotalProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The node process's resident memory now, in bytes.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The node process's peak resident memory so far (VmHWM), in bytes.</summary>
    public long PeakWorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    public int ProcessId => _process.Id;

    /// <summary>The node binary beside the test assembly (test projects reference Orchestrator.Host).</summary>
    public static string NodeDll => Path.Combine(AppContext.BaseDirectory, "orchestrator.dll");

    /// <summary>
    /// Starts a node; with <paramref name="dataDir"/> it reuses that folder (a restart).
    /// <paramref name="echo"/> receives every line the node writes, as it writes it.
    /// </summary>
    /// <remarks><paramref name="settings"/> (HOCON lines) go into an overlay over <c>hocon/single-node.conf</c>, kept in the data folder.</remarks>
    public static NodeProcess Launch(string? dataDir = null, IReadOnlyDictionary<string, string>? environment = null, int? apiPort = null, int? akkaPort = null, Action<string>? echo = null, IReadOnlyList<string>? settings = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("orchestrator-test-").FullName;
        if (settings is not null)
        {
            var overlay = Path.Combine(dataDir, "overlay.conf");
            File.WriteAllLines(overlay, [$"include \"{Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf")}\"", .. settings]);
            environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["ORCHESTRATOR_CONFIG"] = overlay };
        }
        var port = apiPort ?? FreePorts.Next();
        akkaPort ??= FreePorts.Next();
        var pbmPort = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet", [NodeDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ORCHESTRATOR_DATA_DIR"] = dataDir;
        start.Environment["ORCHESTRATOR_API_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_AKKA_PORT"] = akkaPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_PBM_PORT"] = pbmPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("ORCHESTRATOR_TOKEN");
        // The service proxy's NodePorts and relay on loopback, the relay on a port of its own, so
        // nodes of parallel tests do not meet (a test with several nodes gives each an address).
        start.Environment["ORCHESTRATOR_PROXY_ADDRESS"] = "127.0.0.1";
        start.Environment["ORCHESTRATOR_RELAY_PORT"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The gen0 budget scripts/start.sh gives the node (see there), unless the caller chose one.
        if (!start.Environment.TryGetValue("DOTNET_GCgen0size", out var gen0) || string.IsNullOrEmpty(gen0)) start.Environment["DOTNET_GCgen0size"] = "2000000";
        // A node name of its own: node agents of concurrent test nodes share one Docker engine and
        // must never take each other's containers for orphans.
        var nodeName = "test-" + Guid.NewGuid().ToString("N")[..10];
        start.Environment["ORCHESTRATOR_NODE_NAME"] = nodeName;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        nodeName = start.Environment["ORCHESTRATOR_NODE_NAME"] ?? nodeName;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the node process");
        var https = environment is not null && environment.TryGetValue("ORCHESTRATOR_API_ADDRESS", out var address)
            && !IPAddress.IsLoopback(IPAddress.Parse(address));
        return new NodeProcess(process, port, akkaPort.Value, pbmPort, dataDir, ownsDataDir, https, nodeName, echo);
    }

    /// <summary>
    /// The Secret encryption key every cluster member this test process starts is given
    /// (<c>ORCHESTRATOR_SECRET_KEYS</c>): members of one cluster must share it, and cluster.conf
    /// makes none of its own.
    /// </summary>
    public static string ClusterSecretKeys { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Starts a member of a multi-member cluster (<c>hocon/cluster.conf</c>) whose journal is the
    /// PostgreSQL database <paramref name="postgres"/>: it joins <paramref name="seed"/>, or forms
    /// the cluster itself when that is null. <paramref name="environment"/> adds or overrides variables.
    /// </summary>
    public static NodeProcess LaunchMember(string postgres, NodeProcess? seed, IReadOnlyDictionary<string, string>? environment = null, int? akkaPort = null)
    {
        var port = akkaPort ?? FreePorts.Next();
        var env = new Dictionary<string, string>
        {
            ["ORCHESTRATOR_CONFIG"] = Path.Combine(AppContext.BaseDirectory, "hocon", "cluster.conf"),
            ["ORCHESTRATOR_POSTGRES"] = postgres,
            ["ORCHESTRATOR_HOSTNAME"] = "127.0.0.1",
            ["ORCHESTRATOR_SEED"] = seed?.AkkaAddress ?? $"akka.tcp://orchestrator@127.0.0.1:{port}",
            ["ORCHESTRATOR_SECRET_KEYS"] = ClusterSecretKeys,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        return Launch(environment: env, akkaPort: port);
    }

    /// <summary>Launches a node and waits until it is ready; a node that does not get ready is killed.</summary>
    public static async Task<NodeProcess> StartAsync(string? dataDir = null, IReadOnlyDictionary<string, string>? environment = null, string? token = null, Action<string>? echo = null, TimeSpan? readiness = null, IReadOnlyList<string>? settings = null)
    {
        var node = Launch(dataDir, environment, echo: echo, settings: settings);
        try
        {
            await node.WaitReadyAsync(readiness ?? TimeSpan.FromSeconds(90), token);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public Task WaitReadyAsync(TimeSpan timeout, string? token = null) =>
        Poll.Until(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"the node exited with code {_process.ExitCode}:\n{Output}");
            if (Https && !File.Exists(CertificateFile)) return false;
            using var http = CreateHttpClient(token, TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }, timeout, "the node to be ready", tolerate: Poll.Unreachable, detail: () => Output);

    /// <summary>
    /// An HttpClient for this node: trusts exactly its certificate when it serves TLS, sends the token
    /// when given, and connects from <paramref name="source"/> when given (another loopback address,
    /// such as 127.0.0.2, is another client to the API's per-client fairness).
    /// </summary>
    public HttpClient CreateHttpClient(string? token = null, TimeSpan? timeout = null, IPAddress? source = null, int maxConnections = int.MaxValue)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections };
        if (source is not null) handler.ConnectCallback = LoopbackSource.ConnectFrom(source);
        if (Https)
        {
            var pem = File.ReadAllText(CertificateFile);
            var fields = System.Security.Cryptography.PemEncoding.Find(pem);
            var pinned = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
        }
        var http = new HttpClient(handler) { BaseAddress = BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Removes the containers this node's agent left on the engine (a killed node cannot stop its
    /// pods), so test runs do not pile up running containers. Nothing to do without Docker.
    /// </summary>
    private async Task RemoveContainers()
    {
        if (NodeName.Length == 0 || RealParts.DockerUnavailable is not null) return;
        using var docker = new Docker.DotNet.DockerClientConfiguration(new Uri("unix://" + RealParts.DockerSocket)).CreateClient();
        var containers = await docker.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"orchestrator.node={NodeName}"] = true } },
        });
        foreach (var container in containers)
        {
            try
            {
                await docker.Containers.RemoveContainerAsync(container.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
            }
            catch (Docker.DotNet.DockerContainerNotFoundException)
            {
            }
        }
    }

    /// <summary>
    /// Freezes the node process (SIGSTOP), as a machine that hangs or is suspended: it sends nothing
    /// (no heartbeats, no cluster gossip) and answers nothing until <see cref="Continue"/>. Its
    /// containers keep running: they belong to the container engine, not to the node process.
    /// </summary>
    public Task Pause() => Signal("STOP");

    /// <summary>Lets a paused node process run again (SIGCONT).</summary>
    public Task Continue() => Signal("CONT");

    private async Task Signal(string signal)
    {
        if (_process.HasExited) throw new InvalidOperationException($"the node {NodeName} has exited");
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
                         ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}");
    }

    /// <summary>kill -9: no shutdown hooks run.</summary>
    public async Task Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        await RemoveContainers();
        if (NodeName.Length > 0) await DockerNetworks.RemoveQuietlyAsync(global::Orchestrator.Runtime.PodNetwork.NameFor(NodeName));
        _process.Dispose();
        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
