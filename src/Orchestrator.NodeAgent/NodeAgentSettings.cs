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

    /// <summary>This assembly's <c>reference.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource("Orchestrator.NodeAgent.reference.conf", typeof(NodeAgentSettings).Assembly);

    /// <summary>
    /// Reads <c>orchestrator.node-agent</c> from <paramref name="config"/> over the defaults;
    /// <c>ORCHESTRATOR_NODE_NAME</c> and <c>ORCHESTRATOR_NODE_AGENT</c> (on/off) from
    /// <paramref name="environment"/> win over node-name and enabled.
    /// </summary>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static NodeAgentSettings From(Config config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(DefaultConfig).GetConfig("orchestrator.node-agent");
        var name = environment?.Invoke("ORCHESTRATOR_NODE_NAME") is { Length: > 0 } envName ? envName : c.GetString("node-name", "");
        var enabled = environment?.Invoke("ORCHESTRATOR_NODE_AGENT") switch
        {
            "on" or "true" or "1" => true,
            "off" or "false" or "0" => false,
            _ => c.GetBoolean("enabled", true),
        };
        if (string.IsNullOrWhiteSpace(name)) name = System.Net.Dns.GetHostName();
        name = name.Trim().ToLowerInvariant();
        var concurrency = c.GetInt("sync-concurrency", 8);
        if (concurrency < 1) throw new ConfigurationException($"orchestrator.node-agent.sync-concurrency must be 1 or more, not {concurrency}");
        var endpoint = c.GetString("api-endpoint", "");
        var poolSize = c.GetInt("sandbox-pool-size", 0);
        if (poolSize < 0) throw new ConfigurationException($"orchestrator.node-agent.sandbox-pool-size must be 0 or more, not {poolSize}");
        var heartbeat = c.GetTimeSpan("heartbeat-interval");
        if (heartbeat <= TimeSpan.Zero) throw new ConfigurationException("orchestrator.node-agent.heartbeat-interval must be positive");
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
        };
    }
}
