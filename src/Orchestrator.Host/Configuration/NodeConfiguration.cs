using Akka.Configuration;
using Orchestrator.Cluster.Hosting;
using Orchestrator.CommandHost;

namespace Orchestrator.Host.Configuration;

/// <summary>
/// Loads the node's HOCON: the overlay a user picks (<c>--config FILE</c> or
/// <c>ORCHESTRATOR_CONFIG</c>; default <c>hocon/single-node.conf</c> beside the binary), over the
/// host's, the cluster's and the command host's <c>reference.conf</c>. Environment variables listed in
/// <see cref="EnvironmentKeys"/> override their keys; they are appended to the overlay's text
/// before parsing, so substitutions such as <c>${orchestrator.data-dir}</c> see the override.
/// </summary>
/// <remarks>
/// This is the one place the node process reads environment variables: every component reads
/// its settings from the resulting configuration (see <see cref="NodeSettings"/>).
/// </remarks>
public static class NodeConfiguration
{
    public static Config HostDefaults { get; } = ConfigurationFactory.FromResource("Orchestrator.Host.reference.conf", typeof(NodeConfiguration).Assembly);

    /// <summary>Environment variable → HOCON key it sets.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentKeys { get; } = new Dictionary<string, string>
    {
        ["ORCHESTRATOR_DATA_DIR"] = "orchestrator.data-dir",
        ["ORCHESTRATOR_API_ADDRESS"] = "orchestrator.api.bind-address",
        ["ORCHESTRATOR_API_PORT"] = "orchestrator.api.port",
        ["ORCHESTRATOR_TOKEN_FILE"] = "orchestrator.api.token-file",
        ["ORCHESTRATOR_API_TLS"] = "orchestrator.api.tls",
        ["ORCHESTRATOR_POSTGRES"] = "orchestrator.journal.connection-string",
        ["ORCHESTRATOR_SECRET_KEYS"] = "orchestrator.secrets.keys",
        ["ORCHESTRATOR_SECRET_KEY_FILE"] = "orchestrator.secrets.key-file",
        ["ORCHESTRATOR_HOSTNAME"] = "akka.remote.dot-netty.tcp.hostname",
        ["ORCHESTRATOR_AKKA_PORT"] = "akka.remote.dot-netty.tcp.port",
        ["ORCHESTRATOR_LOG_LEVEL"] = "akka.loglevel",
        ["ORCHESTRATOR_PBM_PORT"] = "orchestrator.command-host.port",
        ["ORCHESTRATOR_NODE_NAME"] = "orchestrator.node-agent.node-name",
        ["ORCHESTRATOR_PROXY_ADDRESS"] = "orchestrator.service-proxy.node-address",
        ["ORCHESTRATOR_RELAY_PORT"] = "orchestrator.service-proxy.relay-port",
        ["ORCHESTRATOR_VOLUMES_DIR"] = "orchestrator.node-agent.volumes-dir",
        ["ORCHESTRATOR_EVENT_TTL"] = "orchestrator.controllers.event-ttl",
        ["DOCKER_HOST"] = "orchestrator.node-agent.docker-endpoint",
    };

    /// <summary>Environment variable holding one more accepted token, for the API and the command host alike.</summary>
    public const string TokenVariable = "ORCHESTRATOR_TOKEN";

    /// <summary>HOCON lines for the overrides present in <paramref name="environment"/>.</summary>
    public static string EnvironmentOverrides(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var lines = new List<string>();
        foreach (var (variable, key) in EnvironmentKeys)
        {
            if (environment(variable) is { Length: > 0 } value) lines.Add($"{key} = {Quote(value)}");
        }
        if (environment(TokenVariable) is { Length: > 0 } token)
        {
            lines.Add($"orchestrator.api.token = {Quote(token)}");
            lines.Add($"orchestrator.command-host.token = {Quote(token)}");
        }
        // ORCHESTRATOR_NODE_AGENT: on/true/1 or off/false/0; anything else leaves the configuration's choice.
        var agent = environment("ORCHESTRATOR_NODE_AGENT") switch
        {
            "on" or "true" or "1" => "on",
            "off" or "false" or "0" => "off",
            _ => null,
        };
        if (agent is not null) lines.Add($"orchestrator.node-agent.enabled = {agent}");
        // ORCHESTRATOR_SEED: comma-separated seed node addresses.
        if (environment("ORCHESTRATOR_SEED") is { Length: > 0 } seeds)
            lines.Add("akka.cluster.seed-nodes = [" + string.Join(", ", seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Quote)) + "]");
        return string.Join('\n', lines);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string OverlayPath(string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var index = Array.IndexOf(args, "--config");
        if (index >= 0 && index + 1 < args.Length) return args[index + 1];
        return environment("ORCHESTRATOR_CONFIG") is { Length: > 0 } env
            ? env
            : Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf");
    }

    /// <summary>The overlay's text with each <c>include "file.conf"</c> line replaced by that file (relative to the overlay).</summary>
    private static string ReadWithIncludes(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = File.ReadAllLines(path).Select(line =>
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith("include \"", StringComparison.Ordinal) || !trimmed.EndsWith('"')) return line;
            var included = Path.Combine(folder, trimmed["include \"".Length..^1]);
            return File.Exists(included)
                ? ReadWithIncludes(included)
                : throw new FileNotFoundException($"'{path}' includes '{included}', which does not exist", included);
        });
        return string.Join('\n', lines);
    }

    /// <param name="args">The command line (<c>--config FILE</c>).</param>
    /// <param name="environment">Reads an environment variable (tests substitute it); the process environment by default.</param>
    public static Config Load(string[] args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var path = OverlayPath(args, environment);
        if (!File.Exists(path)) throw new FileNotFoundException($"configuration overlay '{path}' does not exist (choose one of hocon/*.conf with --config or ORCHESTRATOR_CONFIG)", path);
        // Last, so no overlay can fix it: the token of the node's own loopback clients (see reference.conf).
        var loopbackToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var text = ReadWithIncludes(path) + "\n" + EnvironmentOverrides(environment) + $"\norchestrator.api.loopback-token = \"{loopbackToken}\"";
        var config = ConfigurationFactory.ParseString(text);
        return config.WithFallback(HostDefaults).WithFallback(ControlPlane.DefaultConfig).WithFallback(CommandHostSettings.DefaultConfig);
    }
}
