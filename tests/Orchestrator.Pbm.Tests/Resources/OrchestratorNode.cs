using System.Net.Http.Headers;
using System.Text;
using Orchestrator.Pbm.Tests.Integration;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>One real node process (control plane, API, command host on a free port) for the resource palette tests.</summary>
public sealed class OrchestratorNode : IAsyncLifetime
{
    private readonly List<string> _files = [];

    public NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await NodeProcess.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var file in _files)
            File.Delete(file);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"orchestrator-pbm-node-{Node.ApiPort}.log"), Node.Output);
        await Node.DisposeAsync();
    }

    /// <summary>Writes a manifest to a temporary file (deleted with the fixture) and returns its path.</summary>
    public string WriteManifest(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pbm-manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        _files.Add(path);
        return path;
    }

    /// <summary>Merge-patches an object's status through the API, as a controller would report progress.</summary>
    public async Task PatchStatusAsync(string path, string json)
    {
        using var http = Node.CreateHttpClient();
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await http.PatchAsync(path + "/status", content);
        Assert.True(response.IsSuccessStatusCode, $"PATCH {path}/status: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

[CollectionDefinition(Name)]
public sealed class OrchestratorNodeGroup : ICollectionFixture<OrchestratorNode>
{
    public const string Name = "orchestrator node";
}

/// <summary>The base of the tests that drive pbm against <see cref="OrchestratorNode"/>.</summary>
public abstract class PbmAgainstNode(OrchestratorNode fixture, ITestOutputHelper output)
{
    protected OrchestratorNode Fixture { get; } = fixture;

    /// <summary>Runs pbm to its end against the node and logs the exchange.</summary>
    protected async Task<PbmResult> Pbm(params string[] words)
    {
        var result = await PbmProcess.RunAsync([Fixture.Node.PbmEndpoint, .. words]);
        output.WriteLine($"$ pbm {string.Join(" ", words)}\n{result}");
        return result;
    }

    /// <summary>Runs pbm and fails with its output unless it exits 0.</summary>
    protected async Task<PbmResult> PbmOk(params string[] words)
    {
        var result = await Pbm(words);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Starts a long-running pbm (a watch) against the node.</summary>
    protected PbmProcess StartPbm(params string[] words) => PbmProcess.Start([Fixture.Node.PbmEndpoint, .. words]);

    /// <summary>Applies a manifest through pbm and fails unless it succeeds.</summary>
    protected Task<PbmResult> ApplyAsync(string yaml) => PbmOk("resource", "apply", "-f", Fixture.WriteManifest(yaml));

    /// <summary>A fresh namespace name, so tests do not see each other's objects.</summary>
    protected static string UniqueNamespace(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    protected static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
        """;

    protected static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
