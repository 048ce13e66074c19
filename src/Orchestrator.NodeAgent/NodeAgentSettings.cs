using Akka.Configuration;
using Orchestrator.Domain.NodeAgent;

namespace Orchestrator.NodeAgent;

/// <summary>The node agent's settings (<c>orchestrator.node-agent</c>), read once. Immutable; copy with <c>with</c>.</summary>
/// <param name="Enabled">Whether this member runs a node agent.</param>
/// <param name="NodeName">This member's node name.</param>
/// <param name="HeartbeatInterval">How often the Ready heartbeat is renewed.</param>
/// <param name="ResyncInterval">How often every known pod is synced without a change.</param>
/// <param name="GcInterval">How often all of this node's containers are listed and their pods synced.</param>
/// <param name="SyncConcurrency">Pods synced at once.</param>
/// <param name="ApiEndpoint">This member's API address for forwarded requests; null when unknown.</param>
/// <param name="Backoff">The restart backoff.</param>
public sealed record NodeAgentSettings(
    bool Enabled,
    string NodeName,
    TimeSpan HeartbeatInterval,
    TimeSpan ResyncInterval,
    TimeSpan GcInterval,
    int SyncConcurrency,
    Uri? ApiEndpoint,
    RestartBackoff Backoff)
{
    /// <summary>Warm spare sandboxes kept started on this node (0: every pod gets a sandbox of its own); see <see cref="Sync.SandboxPool"/>.</summary>
    public int SandboxPoolSize { get; init; }

    /// <summary>This member's Docker engine (a <c>unix://</c> socket); null: the engine's default socket.</summary>
    public Uri? DockerEndpoint { get; init; }

    /// <summary>
    /// The pool this node's own pod network takes its /24 from (<c>pod-network.subnet-pool</c>);
    /// null when <c>pod-network.enabled</c> is off and pods go on the engine's default bridge.
    /// </summary>
    public System.Net.IPNetwork? PodSubnetPool { get; init; }

    /// <summary>This node's endpoint relay as other nodes' service proxies reach it (<c>host:port</c>), published on the Node; null without a service proxy.</summary>
    public string? ServiceRelay { get; init; }

    /// <summary>The cluster DNS this node runs for its pods (<c>dns</c>).</summary>
    public Dns.ClusterDnsSettings Dns { get; init; } = Orchestrator.NodeAgent.Dns.ClusterDnsSettings.Disabled;

    /// <summary>The absolute folder pod volumes are kept in (<c>volumes-dir</c>; by default <c>{orchestrator.data-dir}/pods</c>).</summary>
    public string VolumesDirectory { get; init; } = Path.GetFullPath(Path.Combine("data", "pods"));

    /// <summary>How often running pods' configMap, secret and downward API files are refreshed (<c>volume-refresh-interval</c>).</summary>
    public TimeSpan VolumeRefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>This assembly's <c>reference.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource("Orchestrator.NodeAgent.reference.conf", typeof(NodeAgentSettings).Assembly);

    /// <summary>
    /// Reads <c>orchestrator.node-agent</c> from <paramref name="config"/> over the defaults (the
    /// node process maps ORCHESTRATOR_NODE_NAME, ORCHESTRATOR_NODE_AGENT and DOCKER_HOST to
    /// node-name, enabled and docker-endpoint).
    /// </summary>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static NodeAgentSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(DefaultConfig).GetConfig("orchestrator.node-agent");
        var name = c.GetString("node-name", "");
        var enabled = c.GetBoolean("enabled", true);
        var docker = c.GetString("docker-endpoint", "");
        if (string.IsNullOrWhiteSpace(name)) name = System.Net.Dns.GetHostName();
        name = name.Trim().ToLowerInvariant();
        var concurrency = c.GetInt("sync-concurrency", 8);
        if (concurrency < 1) throw new ConfigurationException($"orchestrator.node-agent.sync-concurrency must be 1 or more, not {concurrency}");
        var endpoint = c.GetString("api-endpoint", "");
        var poolSize = c.GetInt("sandbox-pool-size", 0);
        if (poolSize < 0) throw new ConfigurationException($"orchestrator.node-agent.sandbox-pool-size must be 0 or more, not {poolSize}");
        var heartbeat = c.GetTimeSpan("heartbeat-interval");
        if (heartbeat <= TimeSpan.Zero) throw new ConfigurationException("orchestrator.node-agent.heartbeat-interval must be positive");
        System.Net.IPNetwork? podPool = null;
        if (c.GetBoolean("pod-network.enabled", true))
        {
            var text = c.GetString("pod-network.subnet-pool", "10.244.0.0/16");
            if (!System.Net.IPNetwork.TryParse(text, out var pool) || pool.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || pool.PrefixLength > 24)
                throw new ConfigurationException($"orchestrator.node-agent.pod-network.subnet-pool must be an IPv4 network of prefix length 24 or less (e.g. 10.244.0.0/16), not \"{text}\"");
            podPool = pool;
        }
        var volumesDir = c.GetString("volumes-dir", "");
        if (volumesDir.Length == 0) volumesDir = Path.Combine(config.GetString("orchestrator.data-dir", "data"), "pods");
        var refresh = c.GetTimeSpan("volume-refresh-interval", TimeSpan.FromSeconds(2));
        if (refresh <= TimeSpan.Zero) throw new ConfigurationException("orchestrator.node-agent.volume-refresh-interval must be positive");
        return new NodeAgentSettings(
            enabled,
            name,
            heartbeat,
            c.GetTimeSpan("resync-interval"),
            c.GetTimeSpan("gc-interval"),
            concurrency,
            string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint),
            new RestartBackoff(
                c.GetTimeSpan("restart-backoff.initial"),
                c.GetTimeSpan("restart-backoff.max"),
                c.GetTimeSpan("restart-backoff.reset-after")))
        {
            SandboxPoolSize = poolSize,
            VolumesDirectory = Path.GetFullPath(volumesDir),
            VolumeRefreshInterval = refresh,
            PodSubnetPool = podPool,
            Dns = Orchestrator.NodeAgent.Dns.ClusterDnsSettings.From(c),
            DockerEndpoint = docker.StartsWith("unix://", StringComparison.Ordinal) ? new Uri(docker) : null,
        };
    }
}
