using System.Diagnostics;
using System.Security.Cryptography;
using Orchestrator.TestSupport;

namespace Orchestrator.Deploy.Tests;

/// <summary>
/// deploy/compose.yaml brought up as a compose project of its own: the base images
/// (scripts/base-images.sh, cached), the node image (the Dockerfile, layer-cached), PostgreSQL and
/// node-1..3. Disposing takes it down with its volumes and removes what its node agents started
/// (containers and pod networks carry the node's name), so nothing outlives the test.
/// </summary>
public sealed class ComposeCluster : IAsyncDisposable
{
    public static readonly string[] Nodes = ["node-1", "node-2", "node-3"];
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, string> _environment;
    private readonly string _project;
    private readonly Action<string> _log;
    private readonly string _certificates = Directory.CreateTempSubdirectory("compose-ca-").FullName;

    public string Repository { get; }
    public string Token { get; }

    private ComposeCluster(string repository, string project, Action<string> log)
    {
        Repository = repository;
        _project = project;
        _log = log;
        Token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        _environment = new Dictionary<string, string>
        {
            ["ORCHESTRATOR_SECRET_KEYS"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["ORCHESTRATOR_TOKEN"] = Token,
            ["ORCHESTRATOR_PG_PORT"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["COMPOSE_PROJECT_NAME"] = project,
        };
    }

    /// <summary>The repository's top folder (where the Dockerfile is), found upward from the test's binaries.</summary>
    public static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Dockerfile")) && File.Exists(Path.Combine(folder.FullName, "deploy", "compose.yaml")))
                return folder.FullName;
        throw new InvalidOperationException($"no Dockerfile and deploy/compose.yaml above {AppContext.BaseDirectory}");
    }

    /// <summary>Builds the images and starts the project; the figures are logged.</summary>
    public static async Task<ComposeCluster> UpAsync(Action<string> log)
    {
        var cluster = new ComposeCluster(FindRepository(), "orchestrator-e2e", log);
        await RemoveNodeContainersAsync(); // a run that was killed before its cleanup
        var watch = Stopwatch.StartNew();
        (await Commands.RunAsync("bash", ["scripts/base-images.sh"], BuildTimeout, workingDirectory: cluster.Repository)).EnsureSuccess();
        log($"base images ready in {watch.Elapsed.TotalSeconds:0.0} s");
        watch.Restart();
        (await cluster.ComposeAsync(BuildTimeout, "build", "node-1")).EnsureSuccess();
        log($"node image built in {watch.Elapsed.TotalSeconds:0.0} s");
        watch.Restart();
        (await cluster.ComposeAsync(CommandTimeout, "up", "-d", "--no-build")).EnsureSuccess();
        log($"compose up answered in {watch.Elapsed.TotalSeconds:0.0} s");
        return cluster;
    }

    public Task<CommandResult> ComposeAsync(TimeSpan timeout, params string[] arguments) =>
        Commands.RunAsync("docker-compose", ["-f", Path.Combine(Repository, "deploy", "compose.yaml"), "-p", _project, .. arguments], timeout, _environment, Repository);

    public Task<CommandResult> ComposeAsync(params string[] arguments) => ComposeAsync(CommandTimeout, arguments);

    /// <summary>The container of a compose service (docker-compose 1.x names it project_service_1).</summary>
    public string Container(string service) => $"{_project}_{service}_1";

    public static Task<CommandResult> DockerAsync(params string[] arguments) => Commands.RunAsync("docker", arguments, CommandTimeout);

    public static int ApiPort(string node) => 8100 + int.Parse(node["node-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The address NodePorts listen on for <paramref name="node"/> (ORCHESTRATOR_PROXY_ADDRESS in compose.yaml).</summary>
    public static string NodeAddress(string node) => $"127.0.0.{1 + int.Parse(node["node-".Length..], System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>kubectl against <paramref name="node"/>'s API: TLS with the node's own certificate (copied out of its data volume), the token.</summary>
    public async Task<Kubectl> KubectlAsync(string node)
    {
        var certificate = Path.Combine(_certificates, node + ".crt");
        (await DockerAsync("cp", $"{Container(node)}:/data/tls/apiserver.crt", certificate)).EnsureSuccess();
        return new Kubectl($"https://127.0.0.1:{ApiPort(node)}", Token, certificate);
    }

    /// <summary>Whether <paramref name="node"/>'s API answers /readyz (open without a token).</summary>
    public static async Task<bool> ReadyAsync(string node)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
        using var answer = await http.GetAsync(new Uri($"https://127.0.0.1:{ApiPort(node)}/readyz"));
        return answer.IsSuccessStatusCode;
    }

    /// <summary>Every container the node agents made (sandboxes and app containers), by their node label.</summary>
    public static async Task<IReadOnlyList<string>> NodeContainerIdsAsync()
    {
        var ids = new List<string>();
        foreach (var node in Nodes)
        {
            var listed = (await DockerAsync("ps", "-aq", "--filter", $"label=orchestrator.node={node}")).EnsureSuccess();
            ids.AddRange(listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return ids;
    }

    private static async Task RemoveNodeContainersAsync()
    {
        var ids = await NodeContainerIdsAsync();
        if (ids.Count > 0) await DockerAsync(["rm", "-f", .. ids]);
        foreach (var node in Nodes) await DockerAsync("network", "rm", $"orchestrator-{node}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var down = await ComposeAsync(CommandTimeout, "down", "-v", "--remove-orphans", "-t", "10");
            if (down.ExitCode != 0) _log(down.Stderr);
            await RemoveNodeContainersAsync();
            foreach (var node in Nodes)
            {
                var pods = $"/var/lib/orchestrator-compose/{node}";
                if (Directory.Exists(pods)) Directory.Delete(pods, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(_certificates, recursive: true);
        }
    }
}
