using System.Text.Json.Nodes;
using Akka.Configuration;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit;

public sealed class NodeRegistrationTests
{
    private static readonly RuntimeInfo Info = new("docker", "20.10.24", "1.41", "Debian GNU/Linux 12", "6.1.0", "x86_64", 2, 24L * 1024 * 1024 * 1024, "host-1");
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_node_carries_capacity_runtime_labels_addresses_and_endpoint()
    {
        var node = NodeRegistration.Node("node-a", Info, "10.1.2.3", new Uri("http://10.1.2.3:8001"), T0);
        Assert.Equal("node-a", node["metadata"]!["labels"]!["kubernetes.io/hostname"]!.GetValue<string>());
        Assert.Equal("http://10.1.2.3:8001", node["metadata"]!["annotations"]![NodeRegistration.ApiEndpointAnnotation]!.GetValue<string>());
        Assert.Equal("2", node["status"]!["capacity"]!["cpu"]!.GetValue<string>());
        Assert.Equal("25165824Ki", node["status"]!["allocatable"]!["memory"]!.GetValue<string>());
        Assert.Equal("docker://20.10.24", node["status"]!["nodeInfo"]!["containerRuntimeVersion"]!.GetValue<string>());
        Assert.Equal("amd64", node["status"]!["nodeInfo"]!["architecture"]!.GetValue<string>());
        Assert.Equal(8001, node["status"]!["daemonEndpoints"]!["kubeletEndpoint"]!["Port"]!.GetValue<int>());
        var types = (node["status"]!["conditions"] as JsonArray)!.Select(c => c!["type"]!.GetValue<string>());
        Assert.Equal(["Ready", "MemoryPressure"], types);
        Assert.Equal("10.1.2.3", node["status"]!["addresses"]![0]!["address"]!.GetValue<string>());
    }

    [Fact]
    public void A_heartbeat_renews_only_the_heartbeat_times()
    {
        var node = NodeRegistration.Node("node-a", Info, "10.1.2.3", null, T0);
        var beat = NodeRegistration.WithHeartbeat(node, T0.AddSeconds(5));
        var ready = (beat["status"]!["conditions"] as JsonArray)!.First()!;
        Assert.Equal("2026-01-01T12:00:05Z", ready["lastHeartbeatTime"]!.GetValue<string>());
        Assert.Equal("2026-01-01T12:00:00Z", ready["lastTransitionTime"]!.GetValue<string>());
        Assert.Equal("2026-01-01T12:00:00Z", node["status"]!["conditions"]![0]!["lastHeartbeatTime"]!.GetValue<string>());
    }

    [Fact]
    public void Settings_default_from_reference_conf_and_environment_wins()
    {
        var defaults = NodeAgentSettings.From(ConfigurationFactory.Empty);
        Assert.True(defaults.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.Backoff.Initial);
        Assert.False(string.IsNullOrEmpty(defaults.NodeName));

        var config = ConfigurationFactory.ParseString("orchestrator.node-agent { node-name = from-hocon, enabled = on, restart-backoff.initial = 1s }");
        Assert.Equal("from-hocon", NodeAgentSettings.From(config).NodeName);
        Assert.Null(NodeAgentSettings.From(config).DockerEndpoint);
        // The node process maps the environment into the configuration (NodeConfiguration).
        var environment = Orchestrator.Host.Configuration.NodeConfiguration.EnvironmentOverrides(v => v switch
        {
            "ORCHESTRATOR_NODE_NAME" => "Worker-7",
            "ORCHESTRATOR_NODE_AGENT" => "off",
            "DOCKER_HOST" => "unix:///run/other.sock",
            _ => null,
        });
        var fromEnv = NodeAgentSettings.From(ConfigurationFactory.ParseString(environment).WithFallback(config));
        Assert.Equal("worker-7", fromEnv.NodeName);
        Assert.False(fromEnv.Enabled);
        Assert.Equal(new Uri("unix:///run/other.sock"), fromEnv.DockerEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(1), fromEnv.Backoff.Initial);
        var tcpEngine = Orchestrator.Host.Configuration.NodeConfiguration.EnvironmentOverrides(v => v is "DOCKER_HOST" ? "tcp://127.0.0.1:2375" : null);
        Assert.Null(NodeAgentSettings.From(ConfigurationFactory.ParseString(tcpEngine)).DockerEndpoint); // only unix sockets are used
        var unknownSwitch = Orchestrator.Host.Configuration.NodeConfiguration.EnvironmentOverrides(v => v is "ORCHESTRATOR_NODE_AGENT" ? "maybe" : null);
        Assert.True(NodeAgentSettings.From(ConfigurationFactory.ParseString(unknownSwitch).WithFallback(config)).Enabled); // the configuration's choice stands

        Assert.Throws<ConfigurationException>(() => NodeAgentSettings.From(ConfigurationFactory.ParseString("orchestrator.node-agent.sync-concurrency = 0")));
    }
}
