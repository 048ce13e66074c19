namespace Orchestrator.Domain.NodeAgent;

/// <summary>A pod's <c>restartPolicy</c>: which exited containers the node agent starts again.</summary>
public enum RestartPolicy
{
    /// <summary>Restart every container that exits (the Kubernetes default).</summary>
    Always,

    /// <summary>Restart containers that exit with a non-zero code.</summary>
    OnFailure,

    /// <summary>Never restart.</summary>
    Never,
}

/// <summary>Whether an exited container is restarted under a pod's restart policy.</summary>
public static class RestartPolicyDecision
{
    /// <summary>
    /// True when a container that exited with <paramref name="exitCode"/> is to be started again.
    /// A container that could not start at all counts as failed: pass a non-zero code (Kubernetes uses 128).
    /// </summary>
    public static bool ShouldRestart(RestartPolicy policy, int exitCode) => policy switch
    {
        RestartPolicy.Always => true,
        RestartPolicy.OnFailure => exitCode != 0,
        RestartPolicy.Never => false,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown restart policy"),
    };

    /// <summary>
    /// The policy named by a pod spec's <c>restartPolicy</c>: <c>Always</c>, <c>OnFailure</c> or
    /// <c>Never</c> (case as Kubernetes writes them); null or empty is the default, <c>Always</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static RestartPolicy Parse(string? value) => value switch
    {
        null or "" or "Always" => RestartPolicy.Always,
        "OnFailure" => RestartPolicy.OnFailure,
        "Never" => RestartPolicy.Never,
        _ => throw new ArgumentException($"unsupported restartPolicy \"{value}\": supported values: \"Always\", \"OnFailure\", \"Never\"", nameof(value)),
    };
}
