using System.Globalization;
using System.Text;
using Docker.DotNet.Models;

namespace Orchestrator.Runtime.Internal;

/// <summary>Pure mapping between the runtime's records and the engine's shapes: labels, names, statuses, log lines.</summary>
internal static class EngineMapping
{
    /// <summary>
    /// The labels of a container: the caller's extra ones (minus those the runtime reserves), then the
    /// runtime's own, which always win.
    /// </summary>
    public static Dictionary<string, string> Labels(
        string nodeName, IReadOnlyDictionary<string, string>? extra, PodIdentity pod, string containerName, string kind, int restartCount)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                if (!ContainerLabels.IsReserved(key))
                    labels[key] = value;
            }
        }

        labels[ContainerLabels.Node] = nodeName;
        labels[ContainerLabels.PodNamespace] = pod.Namespace;
        labels[ContainerLabels.PodName] = pod.Name;
        labels[ContainerLabels.PodUid] = pod.Uid;
        labels[ContainerLabels.ContainerName] = containerName;
        labels[ContainerLabels.ContainerKind] = kind;
        labels[ContainerLabels.RestartCount] = restartCount.ToString(CultureInfo.InvariantCulture);
        return labels;
    }

    /// <summary>
    /// The engine's container name, <c>orch_&lt;node&gt;_&lt;namespace&gt;_&lt;pod&gt;_&lt;container&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>,
    /// with characters the engine does not allow in names replaced by <c>-</c>. Unique per node,
    /// pod and attempt, so a repeated create fails instead of running a container twice.
    /// </summary>
    public static string EngineName(string nodeName, PodIdentity pod, string containerName, int attempt)
    {
        var name = $"orch_{nodeName}_{pod.Namespace}_{pod.Name}_{containerName}_{pod.Uid}_{attempt.ToString(CultureInfo.InvariantCulture)}";
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        return builder.ToString();
    }

    /// <summary>The engine's name of a spare sandbox, <c>orch_&lt;node&gt;_spare_&lt;suffix&gt;</c>, sanitized like <see cref="EngineName"/>.</summary>
    public static string SpareName(string nodeName, string suffix)
    {
        var name = $"orch_{nodeName}_spare_{suffix}";
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        return builder.ToString();
    }

    /// <summary>A pod's hostname: its name, cut to the 63 characters a host name label may have.</summary>
    public static string Hostname(string podName)
    {
        var hostname = podName.Length > 63 ? podName[..63] : podName;
        return hostname.TrimEnd('-', '.');
    }

    /// <summary>The container's address on <paramref name="network"/>, else on any network; null when it has none of its own.</summary>
    public static string? IpAddressOf(ContainerInspectResponse inspect, string network)
    {
        var networks = inspect.NetworkSettings?.Networks;
        if (networks is not null && networks.TryGetValue(network, out var mine) && !string.IsNullOrEmpty(mine.IPAddress))
            return mine.IPAddress;
        return networks?.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
    }

    /// <summary>The engine's state name as a <see cref="ContainerState"/>.</summary>
    public static ContainerState StateOf(string? engineState) => engineState switch
    {
        "created" => ContainerState.Created,
        "running" or "paused" or "restarting" => ContainerState.Running,
        "exited" or "dead" or "removing" => ContainerState.Exited,
        _ => ContainerState.Unknown,
    };

    public static ContainerStatus ToStatus(ContainerInspectResponse inspect, string network)
    {
        var labels = (IReadOnlyDictionary<string, string>)(inspect.Config.Labels is { } l
            ? new Dictionary<string, string>(l, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal));
        var pod = labels.TryGetValue(ContainerLabels.PodNamespace, out var ns) &&
                  labels.TryGetValue(ContainerLabels.PodName, out var podName) &&
                  labels.TryGetValue(ContainerLabels.PodUid, out var uid)
            ? new PodIdentity(ns, podName, uid)
            : null;
        var state = StateOf(inspect.State.Status);
        var startedAt = DockerTime.Parse(inspect.State.StartedAt);
        var finishedAt = state == ContainerState.Running ? null : DockerTime.Parse(inspect.State.FinishedAt);
        // The engine stamps StartedAt once the start call completes; a process that exits at once can
        // have finished "before" that. Never report a finish before the start.
        if (startedAt is { } started && finishedAt < started)
            finishedAt = started;
        return new ContainerStatus(
            inspect.ID,
            labels.GetValueOrDefault(ContainerLabels.ContainerName) ?? inspect.Name.TrimStart('/'),
            labels.GetValueOrDefault(ContainerLabels.ContainerKind) == ContainerLabels.SandboxKind ? ContainerKind.Sandbox : ContainerKind.App,
            pod,
            inspect.Config.Image,
            state,
            (int)inspect.State.ExitCode,
            DockerTime.FromEngine(inspect.Created),
            startedAt,
            finishedAt,
            int.TryParse(labels.GetValueOrDefault(ContainerLabels.RestartCount), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts) ? restarts : 0,
            inspect.State.OOMKilled,
            string.IsNullOrEmpty(inspect.State.Error) ? null : inspect.State.Error,
            IpAddressOf(inspect, network),
            labels);
    }

    public static ContainerDetails ToDetails(ContainerInspectResponse inspect, string network) =>
        new(
            ToStatus(inspect, network),
            [.. inspect.Config.Entrypoint ?? []],
            [.. inspect.Config.Cmd ?? []],
            inspect.Config.WorkingDir ?? "",
            [.. inspect.Config.Env ?? []],
            inspect.HostConfig.NanoCPUs,
            inspect.HostConfig.Memory,
            inspect.HostConfig.NetworkMode ?? "",
            inspect.HostConfig.Init ?? false);

    /// <summary>A log line; with timestamps on, the engine puts an RFC 3339 time and a space before each.</summary>
    public static LogLine ToLogLine(LogSource stream, string line, bool timestamps)
    {
        if (!timestamps)
            return new LogLine(stream, line);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DockerTime.Parse(line[..space]) is { } at
            ? new LogLine(stream, line[(space + 1)..], at)
            : new LogLine(stream, line);
    }

    /// <summary>Pod volumes as the engine's bind mounts (null for none: the engine's default).</summary>
    public static IList<Mount>? Mounts(IReadOnlyList<VolumeMount>? mounts) =>
        mounts is { Count: > 0 }
            ? [.. mounts.Select(m => new Mount { Type = "bind", Source = m.HostPath, Target = m.ContainerPath, ReadOnly = m.ReadOnly })]
            : null;
}
