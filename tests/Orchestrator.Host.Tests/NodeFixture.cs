using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>One real node process shared by the tests of a class.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    /// <summary>These tests are about the API: no node agent, so pods stay Pending and no Docker is needed.</summary>
    public static readonly IReadOnlyDictionary<string, string> ApiOnly = new Dictionary<string, string> { ["ORCHESTRATOR_NODE_AGENT"] = "off" };

    public NodeProcess Node { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public Kubectl Kubectl => new(Node.Server);

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync(environment: ApiOnly);
        Http = new HttpClient { BaseAddress = Node.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Node.Kill();
        // Keep the node's output for whoever investigates a failure.
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"orchestrator-node-{Node.ApiPort}.log"), Node.Output);
        await Node.DisposeAsync();
    }
}
