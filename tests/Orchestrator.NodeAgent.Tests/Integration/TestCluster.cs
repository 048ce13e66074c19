using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Members of one multi-member cluster (<c>hocon/cluster.conf</c>) on this machine, each a full node
/// process (API server, control plane, node agent on the shared Docker engine under a node name of
/// its own), with a fresh PostgreSQL database as their shared journal. Disposing kills every member,
/// removes the containers labelled with their node names and drops the database.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<NodeProcess> _members = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cluster-").FullName;

    public PostgresDatabase Database { get; }

    private TestCluster(PostgresDatabase database) => Database = database;

    public static async Task<TestCluster> CreateAsync() => new(await PostgresDatabase.CreateAsync());

    /// <summary>
    /// Launches a member that joins <paramref name="seed"/> (or forms the cluster when null), with
    /// <paramref name="overlay"/> added after <c>cluster.conf</c> when given. Does not wait for it.
    /// </summary>
    public NodeProcess Launch(NodeProcess? seed, string? overlay = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (overlay is not null)
        {
            var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".conf");
            File.WriteAllText(file, $"include \"{Path.Combine(AppContext.BaseDirectory, "hocon", "cluster.conf")}\"\n{overlay}\n");
            env["ORCHESTRATOR_CONFIG"] = file;
        }
        var member = NodeProcess.LaunchMember(Database.ConnectionString, seed, env);
        _members.Add(member);
        return member;
    }

    /// <summary>Waits until every given member answers /readyz (it is Up and the store answers).</summary>
    public static Task WaitReadyAsync(params NodeProcess[] members) => WaitReadyAsync(null, members);

    /// <summary>Waits until every given member answers /readyz, sending <paramref name="token"/>.</summary>
    public static Task WaitReadyAsync(string? token, params NodeProcess[] members) =>
        Task.WhenAll(members.Select(m => m.WaitReadyAsync(TimeSpan.FromMinutes(4), token)));

    public static Kubectl KubectlFor(NodeProcess member, string? token = null) =>
        new(member.Server, token, member.Https ? member.CertificateFile : null);

    public async Task<string> WriteManifestAsync(string yaml)
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        return file;
    }

    /// <summary>The containers on the engine labelled with <paramref name="nodeName"/>.</summary>
    public static async Task<IReadOnlyList<ContainerStatus>> ContainersOfNodeAsync(string nodeName, IReadOnlyDictionary<string, string>? labels = null)
    {
        using var runtime = new DockerContainerRuntime(new DockerRuntimeOptions(nodeName));
        return await runtime.ListContainersAsync(labels ?? new Dictionary<string, string>(), CancellationToken.None);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value (fails after <paramref name="timeout"/> with <paramref name="what"/> and the members' output).</summary>
    public Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class =>
        Poll.For(probe, timeout, what,
            tolerate: e => e is HttpRequestException or InvalidOperationException or TimeoutException or System.Text.Json.JsonException,
            detail: Outputs);

    /// <summary>Waits until <paramref name="count"/> pods with <paramref name="labelSelector"/> are Running and none is deleting, and <paramref name="also"/> holds of them.</summary>
    public Task<IReadOnlyList<JsonObject>> WaitForRunningPodsAsync(NodeProcess member, string labelSelector, int count, Func<IReadOnlyList<JsonObject>, bool>? also = null, string? what = null) =>
        WaitForAsync(async () =>
        {
            var pods = await PodsAsync(member, labelSelector);
            return pods.Count == count && pods.All(p => Phase(p) == "Running" && p["metadata"]?["deletionTimestamp"] is null) && (also?.Invoke(pods) ?? true) ? pods : null;
        }, TimeSpan.FromSeconds(180), what ?? $"{count} pods {labelSelector} Running");

    /// <summary>The cluster database's connection string through <paramref name="relay"/> (a <see cref="TcpRelay"/> in front of its PostgreSQL port).</summary>
    public string ConnectionStringVia(TcpRelay relay) =>
        new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;

    /// <summary>The port of the cluster database's PostgreSQL server (what a <see cref="TcpRelay"/> forwards to).</summary>
    public int DatabasePort => new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString).Port;

    /// <summary>The tail of every member's output, for failure messages.</summary>
    public string Outputs() => string.Join("\n", _members.Select(m =>
        $"--- member {m.NodeName} (api {m.ApiPort}, akka {m.AkkaPort}{(m.HasExited ? ", exited" : "")}) ---\n" + string.Join('\n', m.Output.Split('\n').TakeLast(60))));

    /// <summary>Pods of the default namespace as one member's API lists them.</summary>
    public static async Task<IReadOnlyList<JsonObject>> PodsAsync(NodeProcess member, string labelSelector, string? token = null)
    {
        using var http = member.CreateHttpClient(token);
        var list = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/default/pods?labelSelector={Uri.EscapeDataString(labelSelector)}"))!;
        return (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
    }

    /// <summary>A Deployment of <paramref name="replicas"/> busybox pods that only sleep (label <c>app: name</c>): pods a test expects to survive.</summary>
    public static string SleepingDeployment(string name, int replicas) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:v2
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exec sleep 3600"]
        """;

    /// <summary>Per pod uid: its node, and its containers' IDs and restart counts: what a pod neither evicted nor restarted keeps.</summary>
    public static Dictionary<string, string> Identities(IEnumerable<JsonObject> pods) => pods.ToDictionary(
        p => p["metadata"]!["uid"]!.GetValue<string>(),
        p => NodeOf(p) + "/" + string.Join(",", (p["status"]?["containerStatuses"] as JsonArray ?? []).Select(c => c?["containerID"]?.GetValue<string>() + "#" + c?["restartCount"])));

    public static string? NodeOf(JsonObject pod) => pod["spec"]?["nodeName"]?.GetValue<string>();

    public static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members) await member.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
