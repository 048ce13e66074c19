using System.Text.Json.Nodes;
using Orchestrator.Domain.Services;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>The Service variables a container starts with: read from the store when it is created.</summary>
public sealed class ServiceEnvironmentSyncTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private void AddService(string ns, string name, string clusterIp) =>
        _h.Store.Put(ServiceKind.Instance, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = clusterIp,
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP" }),
            },
        });

    private async Task<IReadOnlyList<string>> EnvOf(string pod) =>
        (await _h.Runtime.InspectContainerAsync(_h.Current(pod).Id, CancellationToken.None)).Env;

    [Fact]
    public async Task A_container_gets_the_variables_of_the_services_of_its_namespace_that_exist_when_it_is_created()
    {
        AddService(SyncerHarness.Ns, "web", "10.96.0.6");
        AddService("other", "elsewhere", "10.96.0.8");
        _h.AddPod("client", container: new JsonObject { ["env"] = new JsonArray(new JsonObject { ["name"] = "WEB_SERVICE_PORT", ["value"] = "mine" }) });

        await _h.Sync("client");
        AddService(SyncerHarness.Ns, "later", "10.96.0.9");
        await _h.Sync("client");

        var env = await EnvOf("client");
        Assert.Contains("WEB_SERVICE_HOST=10.96.0.6", env);
        Assert.Contains("WEB_PORT_80_TCP=tcp://10.96.0.6:80", env);
        Assert.Contains("WEB_SERVICE_PORT=mine", env);
        Assert.DoesNotContain("WEB_SERVICE_PORT=80", env);
        Assert.DoesNotContain(env, e => e.StartsWith("ELSEWHERE_", StringComparison.Ordinal) || e.StartsWith("LATER_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_service_links_only_the_kubernetes_service_is_given()
    {
        AddService("default", "kubernetes", "10.96.0.1");
        AddService(SyncerHarness.Ns, "web", "10.96.0.6");
        var pod = _h.AddPod("unlinked");
        pod["spec"]!["enableServiceLinks"] = false;
        _h.Store.Put(Domain.Pods.PodKind.Instance, pod);

        await _h.Sync("unlinked");

        var env = await EnvOf("unlinked");
        Assert.Contains("KUBERNETES_SERVICE_HOST=10.96.0.1", env);
        Assert.DoesNotContain(env, e => e.StartsWith("WEB_", StringComparison.Ordinal));
    }
}
