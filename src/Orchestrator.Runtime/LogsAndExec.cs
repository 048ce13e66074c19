namespace Orchestrator.Runtime;

/// <summary>Whether an image is pulled before a container is created from it (Kubernetes <c>imagePullPolicy</c>).</summary>
public enum ImagePullPolicy
{
    /// <summary>Always pull; fails when the registry cannot be reached even if the image is present.</summary>
    Always,

    /// <summary>Use the local image when present; pull otherwise.</summary>
    IfNotPresent,

    /// <summary>Never pull; fails when the image is not present.</summary>
    Never,
}

/// <summary>Which output stream (stdout or stderr) a log line came from.</summary>
public enum LogSource
{
    Stdout,
    Stderr,
}

/// <summary>Which log lines <see cref="IContainerRuntime.GetLogsAsync"/> returns.</summary>
/// <param name="Follow">Keep streaming new lines until the container stops or the caller cancels.</param>
/// <param name="TailLines">Only the last N lines written so far (then new ones when following); null for all.</param>
/// <param name="Timestamps">Fill <see cref="LogLine.Timestamp"/> with the time the engine received each line.</param>
/// <param name="Since">Only lines written at or after this time; null for all.</param>
public sealed record LogOptions(bool Follow = false, int? TailLines = null, bool Timestamps = false, DateTimeOffset? Since = null);

/// <summary>One line a container wrote.</summary>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Text">The line without its line ending.</param>
/// <param name="Timestamp">When the engine received it; null unless <see cref="LogOptions.Timestamps"/> was set.</param>
public sealed record LogLine(LogSource Stream, string Text, DateTimeOffset? Timestamp = null);

/// <summary>The outcome of <see cref="IContainerRuntime.ExecAsync"/>.</summary>
/// <param name="ExitCode">The command's exit code; null when it timed out.</param>
/// <param name="Stdout">What it wrote to stdout (at most <see cref="MaxOutputBytes"/>).</param>
/// <param name="Stderr">What it wrote to stderr (at most <see cref="MaxOutputBytes"/>).</param>
/// <param name="TimedOut">True when it did not finish within the timeout (the process may still run: the engine cannot kill an exec).</param>
public sealed record ExecResult(int? ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>Output kept per stream, like Kubernetes' probe output limit; the rest is dropped.</summary>
    public const int MaxOutputBytes = 10 * 1024;

    /// <summary>True when the command finished in time with exit code 0 (an exec probe's success).</summary>
    public bool Succeeded => !TimedOut && ExitCode == 0;
}
